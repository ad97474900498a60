/**
 * A loopback HTTP proxy in front of the Ceph gateway that fails a share of the requests it gets, as a provider
 * under load does: some are answered 503 SlowDown (S3's throttling answer, with its XML error body), some have
 * their connection reset before an answer, some are carried out by the gateway but their answer is lost. The
 * rest pass through untouched (method, path, headers with the signed Host, body), so SigV4 signatures stay
 * valid. Which request fails comes from a seeded generator over the request count, so a run's fault sequence
 * is the same every time. A test can also hold the requests it picks (`hold`) until it releases them, to act
 * while the client waits for that answer (e.g. cancel a listing between two pages).
 */
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** Shares of the requests to fail, each from 0 to 1 (their sum at most 1). */
export interface FaultPlan {
  /** Answered 503 SlowDown without reaching the gateway. */
  slowDown: number;
  /** The connection destroyed without an answer, before the gateway saw the request (ECONNRESET). */
  reset: number;
  /**
   * Carried out by the gateway, but the answer is lost (the connection destroyed instead): the client cannot
   * tell whether it happened, and its retry finds the work already done.
   */
  lostAnswer: number;
}

export const NO_FAULTS: FaultPlan = { slowDown: 0, reset: 0, lostAnswer: 0 };

export interface FaultyProxy {
  url: string;
  /** What to fail from now on; NO_FAULTS (the start) lets a test set up through the proxy. */
  plan: FaultPlan;
  stats: { requests: number; slowDown: number; reset: number; lostAnswer: number; passed: number };
  /**
   * Requests this picks are held, unanswered, until `release()` (they are not counted in `stats` and draw no
   * fault); null (the start) holds none.
   */
  hold: ((req: IncomingMessage) => boolean) | null;
  /** Requests held so far, also those whose client gave up waiting (`closed`). */
  held: { method: string; url: string; closed: boolean }[];
  /** Sends the held requests on whose client still waits, and holds nothing from now on. */
  release(): void;
  close(): Promise<void>;
}

/** mulberry32: a tiny seeded PRNG, so the n-th request always draws the same number. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const slowDownXml = (id: number) =>
  '<?xml version="1.0" encoding="UTF-8"?>\n' +
  `<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message><RequestId>fault-${id}</RequestId></Error>`;

export async function startFaultyProxy(target: string, seed: number): Promise<FaultyProxy> {
  const upstream = new URL(target);
  const random = seeded(seed);
  const sockets = new Set<Socket>();
  const waiting: (() => void)[] = [];
  const proxy: FaultyProxy = {
    url: '',
    plan: NO_FAULTS,
    stats: { requests: 0, slowDown: 0, reset: 0, lostAnswer: 0, passed: 0 },
    hold: null,
    held: [],
    release: () => {
      proxy.hold = null;
      for (const send of waiting.splice(0)) send();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  const { stats } = proxy;

  const forward = (req: IncomingMessage, res: ServerResponse, loseAnswer: boolean) => {
    const out = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        if (loseAnswer) {
          answer.resume();
          answer.once('end', () => req.socket.destroy());
          return;
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    out.on('error', () => res.destroy());
    req.pipe(out);
  };

  const server = createServer((req, res) => {
    if (proxy.hold?.(req)) {
      const entry = { method: req.method ?? '', url: req.url ?? '', closed: false };
      proxy.held.push(entry);
      res.once('close', () => (entry.closed = !res.writableFinished));
      waiting.push(() => {
        if (!entry.closed) forward(req, res, false);
      });
      return;
    }
    const n = stats.requests++;
    const r = random();
    const { slowDown, reset, lostAnswer } = proxy.plan;
    if (r < slowDown) {
      stats.slowDown++;
      // Read the body first, as a server does, so the client is not cut off mid-upload.
      req.resume();
      req.once('end', () => {
        const xml = slowDownXml(n);
        res.writeHead(503, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(xml) });
        res.end(req.method === 'HEAD' ? undefined : xml);
      });
    } else if (r < slowDown + reset) {
      stats.reset++;
      req.socket.destroy();
    } else if (r < slowDown + reset + lostAnswer) {
      stats.lostAnswer++;
      forward(req, res, true);
    } else {
      stats.passed++;
      forward(req, res, false);
    }
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return proxy;
}
