/**
 * Runs wrk (Debian package) against one URL and parses its text report: requests/s, latency
 * percentiles, and the counts that tell whether the run measured what it claims (errors, statuses).
 */
import { spawn } from 'node:child_process';

/** wrk prints durations as 850.00us, 1.23ms or 1.02s. */
export function parseDurationMs(text) {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(text.trim());
  if (!m) throw new Error(`unparsable wrk duration: ${text}`);
  const n = Number(m[1]);
  return { us: n / 1000, ms: n, s: n * 1000, m: n * 60_000 }[m[2]];
}

/** Parses wrk's report (`--latency` output). Throws when the report lacks a number it must have. */
export function parseWrkReport(out) {
  const num = (re, what) => {
    const m = re.exec(out);
    if (!m) throw new Error(`wrk output has no ${what}:\n${out}`);
    return m[1];
  };
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const nonOk = /Non-2xx or 3xx responses: (\d+)/.exec(out);
  return {
    requestsPerSec: Number(num(/Requests\/sec:\s+([\d.]+)/, 'Requests/sec')),
    requests: Number(num(/(\d+) requests in/, 'request count')),
    p50ms: parseDurationMs(num(/^\s+50%\s+(\S+)/m, '50% latency')),
    p99ms: parseDurationMs(num(/^\s+99%\s+(\S+)/m, '99% latency')),
    socketErrors: socket ? socket.slice(1).reduce((a, b) => a + Number(b), 0) : 0,
    non2xx3xx: nonOk ? Number(nonOk[1]) : 0,
  };
}

/** Runs `wrk -t<threads> -c<connections> -d<seconds>s --latency url`; bounded by a kill timer. */
export function runWrk(url, { threads = 2, connections = 64, seconds = 10 } = {}) {
  const args = [`-t${threads}`, `-c${connections}`, `-d${seconds}s`, '--latency', '--timeout', '5s', url];
  return new Promise((resolve, reject) => {
    const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b) => (out += b));
    child.stderr.on('data', (b) => (out += b));
    const timer = setTimeout(() => child.kill('SIGKILL'), (seconds + 15) * 1000);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`cannot run wrk (apt-get install wrk): ${err.message}`));
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`wrk exited ${code ?? signal}:\n${out}`));
      try {
        resolve(parseWrkReport(out));
      } catch (err) {
        reject(err);
      }
    });
  });
}
