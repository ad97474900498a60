/**
 * The ceiling for any Node verifier on this machine: node:http in 2 cluster workers answering a fixed
 * 302 with no checks at all (no token parse, no HMAC, no state, no pre-signing). What the verifier
 * loses against this row is its own work; what this row loses against nginx is Node's HTTP stack.
 *
 *   node bench/lib/bare-node-server.mjs <port> <workers> <location>
 */
import cluster from 'node:cluster';
import { createServer } from 'node:http';

const [port, workers, location] = process.argv.slice(2);

if (cluster.isPrimary) {
  for (let i = 0; i < Number(workers); i++) cluster.fork();
  let listening = 0;
  cluster.on('listening', () => {
    if (++listening === Number(workers)) process.stdout.write(`listening on http://127.0.0.1:${port}\n`);
  });
  const stop = () => {
    for (const w of Object.values(cluster.workers ?? {})) w?.kill();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
} else {
  createServer((req, res) => {
    res.writeHead(302, { location, 'cache-control': 'no-store', 'content-length': '0' });
    res.end();
  }).listen(Number(port), '127.0.0.1');
}
