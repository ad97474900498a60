import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { locateObject, resolveEndpoint } from '@shared-node/s3/location';
import { KeepAliveHead } from '../../src/main/services/storage/anonymous-head';

/** A local server answering HEADs: 200 under `open/`, 403 elsewhere; counts connections and requests. */
async function server(onRequest?: (req: http.IncomingMessage, res: http.ServerResponse) => boolean) {
  const seen = { connections: 0, requests: [] as { method: string; url: string; host: string }[] };
  const srv = http.createServer((req, res) => {
    seen.requests.push({ method: req.method ?? '', url: req.url ?? '', host: req.headers.host ?? '' });
    if (onRequest?.(req, res)) return;
    res.writeHead(req.url?.includes('/open/') ? 200 : 403, { 'content-length': '251' });
    res.end();
  });
  srv.on('connection', () => seen.connections++);
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as AddressInfo).port;
  const endpoint = resolveEndpoint({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    forcePathStyle: true,
  });
  return { srv, seen, endpoint, close: () => new Promise((r) => srv.close(r)) };
}

const heads: KeepAliveHead[] = [];
const servers: { close: () => Promise<unknown>; srv: http.Server }[] = [];
afterEach(async () => {
  for (const h of heads.splice(0)) h.destroy();
  for (const s of servers.splice(0)) {
    s.srv.closeAllConnections();
    await s.close();
  }
});

describe('KeepAliveHead', () => {
  it('asks many HEADs over a few kept-alive connections and answers each status', async () => {
    const s = await server();
    servers.push(s);
    const head = new KeepAliveHead();
    heads.push(head);
    const keys = Array.from({ length: 40 }, (_, i) => `${i % 4 === 0 ? 'open' : 'shut'}/f ${i}.zip`);
    const statuses: number[] = [];
    for (let i = 0; i < keys.length; i += 4) {
      statuses.push(
        ...(await Promise.all(
          keys.slice(i, i + 4).map((k) => head.status(s.endpoint, locateObject(s.endpoint, 'b', k))),
        )),
      );
    }
    expect(statuses).toEqual(keys.map((k) => (k.startsWith('open/') ? 200 : 403)));
    // fetch opens one connection per HEAD; here the four in flight reuse theirs.
    expect(s.seen.connections).toBeLessThanOrEqual(4);
    expect(s.seen.requests[1]).toEqual({
      method: 'HEAD',
      url: '/b/shut/f%201.zip',
      host: `127.0.0.1${s.endpoint.portSuffix}`,
    });
  });

  it('asks again on a new connection when a kept-alive one was closed under it', async () => {
    let drop = false;
    const s = await server((req) => {
      if (!drop) return false;
      drop = false;
      req.socket.destroy(); // the server drops the idle connection just as the request arrives
      return true;
    });
    servers.push(s);
    const head = new KeepAliveHead();
    heads.push(head);
    const loc = locateObject(s.endpoint, 'b', 'shut/x.zip');
    expect(await head.status(s.endpoint, loc)).toBe(403);
    drop = true;
    expect(await head.status(s.endpoint, loc)).toBe(403);
    expect(s.seen.requests).toHaveLength(3);
    expect(s.seen.connections).toBe(2);
  });

  it('fails when nothing answers, so the caller records no answer', async () => {
    const s = await server();
    const endpoint = s.endpoint;
    s.srv.closeAllConnections();
    await s.close();
    const head = new KeepAliveHead();
    heads.push(head);
    await expect(head.status(endpoint, locateObject(endpoint, 'b', 'k'))).rejects.toThrow();
  });
});
