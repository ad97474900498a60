/**
 * The verifier's HTTP server (node:http, no framework: the hot path is a string split, an HMAC, one
 * state call and a SigV4 signature). Routes:
 *   GET|HEAD /downloads/{slug}?token=…   downloads.ts
 *   /admin/…                              admin.ts
 *   GET|HEAD /healthz                     200 {"ok":true} when the state backend answers, else 503
 *   GET|HEAD /metrics                     Prometheus text (admin token unless on its own listener)
 * anything else 404; a known route with another method 405. An unexpected exception is a 500
 * (`internal_error`) and logged with its stack: bad input must never get there (the fuzz test checks).
 *
 * With `adminListen` in the config, /admin/… and /metrics are served only on that second listener
 * (loopback by default) and the public one answers 404 for them; /healthz is on both. Without it, one
 * listener serves everything, and /metrics there needs the admin token (`Authorization: Bearer …`), as
 * /admin/… does: it is never open on the listener that serves downloads.
 *
 * Sockets: a connection cap per process (`limits.maxConnections`: past it new connections are closed
 * at once), keep-alive limits (idle time between requests, requests per connection), and a send/idle
 * timeout: a socket on which nothing moves for `limits.sendTimeoutSeconds` (a client that stopped
 * reading a streamed file, or stopped sending its request) is closed, which also ends the file's read
 * stream and closes its handle.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { createAdminHandler, createBearerCheck } from './admin';
import type { VerifierConfig } from './config';
import { handleDownload, type DownloadDeps } from './downloads';
import { createClientNetwork } from './http/client-network';
import { Exchange } from './http/exchange';
import { createLogger, errorFields, type Logger } from './log';
import { Metrics, renderPrometheus, type MetricsSnapshot } from './metrics';
import { S3UrlSigner } from './sources/s3';
import { openState, type OpenStateOptions } from './state';
import type { VerifierState } from './state/types';

/** What /metrics shows: this process alone, or (cluster) the sum over all workers. */
export type MetricsCollector = () => Promise<{ snapshot: MetricsSnapshot; workers?: number }>;

export interface VerifierOptions {
  logger?: Logger;
  metrics?: Metrics;
  collectMetrics?: MetricsCollector;
  /** An already open state backend; the caller keeps ownership (close() leaves it open). */
  state?: VerifierState;
  /** How to open the state when `state` is not given. */
  stateOptions?: Omit<OpenStateOptions, 'onError'>;
  /** Unix seconds (token expiry); tests move it. */
  now?: () => number;
  /**
   * Tests only, never read from a config file: pre-signed URL lifetime without the 60–3600 s clamp,
   * so a test can watch a URL expire in seconds.
   */
  presignExpirySecondsUnclamped?: number;
}

export interface RunningVerifier {
  server: Server;
  /** `http://host:port` with the real port (also when the config said 0). */
  url: string;
  port: number;
  /** The separate admin/metrics listener, when the config has `adminListen`. */
  adminServer?: Server;
  adminUrl?: string;
  state: VerifierState;
  metrics: Metrics;
  close(): Promise<void>;
}

const HEALTH_PROBE_JTI = 'signet-health-probe';

/** Which routes a listener serves: everything (one listener), or the public or the admin half. */
export type Surface = 'all' | 'public' | 'admin';
const HEALTH_TIMEOUT_MS = 2000;
/** As the admin API answers a request without the token (admin.ts). */
const METRICS_CHALLENGE = { 'www-authenticate': 'Bearer realm="signet-verifier"' };

export function createRequestListener(
  config: VerifierConfig,
  state: VerifierState,
  opts: {
    logger: Logger;
    metrics: Metrics;
    collectMetrics: MetricsCollector;
    now?: () => number;
    presignExpirySeconds?: number;
    surface?: Surface;
  },
): (req: IncomingMessage, res: ServerResponse) => void {
  const surface = opts.surface ?? 'all';
  const servesDownloads = surface !== 'admin';
  const servesAdmin = surface !== 'public';
  const { logger, metrics, collectMetrics } = opts;
  const signers = new Map<string, S3UrlSigner>();
  for (const [name, store] of config.stores) signers.set(name, new S3UrlSigner(store));
  const downloads: DownloadDeps = {
    keys: config.keys,
    state,
    signers,
    fileRoot: config.fileRoot,
    allowedHosts: config.allowedHosts,
    presignExpirySeconds: opts.presignExpirySeconds ?? config.presignExpirySeconds,
    shareGuard: config.shareGuard && {
      config: config.shareGuard,
      clientNetwork: createClientNetwork(config.trustProxy),
    },
    logger,
    now: opts.now ?? (() => Math.floor(Date.now() / 1000)),
  };
  const admin = createAdminHandler({
    adminToken: config.adminToken,
    state,
    logger,
    shareGuard: config.shareGuard,
  });
  const metricsAuthorized = createBearerCheck(config.adminToken);
  const logRequests = logger.enabled('info');

  const health = async (x: Exchange): Promise<void> => {
    try {
      await withTimeout(state.downloads(HEALTH_PROBE_JTI), HEALTH_TIMEOUT_MS);
      return x.json(200, 'healthz', { ok: true });
    } catch (err) {
      logger.error('health check: state backend failed', errorFields(err));
      return x.json(503, 'unhealthy', { ok: false, error: 'state_unavailable' });
    }
  };
  const prometheus = async (x: Exchange): Promise<void> => {
    const { snapshot, workers } = await collectMetrics();
    return x.send(
      200,
      'metrics',
      { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'cache-control': 'no-store' },
      renderPrometheus(snapshot, { workers }),
    );
  };

  /** Answers synchronously where it can (a rejected token); otherwise returns the answer's promise. */
  const route = (x: Exchange): void | Promise<void> => {
    const url = x.req.url ?? '/';
    const q = url.indexOf('?');
    const pathname = q < 0 ? url : url.slice(0, q);

    if (servesDownloads && pathname.startsWith('/downloads/')) {
      const segment = pathname.slice('/downloads/'.length);
      if (segment !== '' && !segment.includes('/')) {
        // The token's slug is compared with the decoded segment (`my%2Dplugin` is `my-plugin`).
        const slug = segment.includes('%') ? decodeSegment(segment) : segment;
        if (slug === null) {
          x.route = '/downloads/:slug';
          return x.error(400, 'malformed');
        }
        return handleDownload(x, slug, q < 0 ? '' : url.slice(q + 1), downloads);
      }
    } else if (pathname === '/healthz') {
      x.route = '/healthz';
      if (!isGetOrHead(x)) return x.error(405, 'method_not_allowed', { allow: 'GET, HEAD' });
      return health(x);
    } else if (servesAdmin && pathname === '/metrics') {
      x.route = '/metrics';
      if (!isGetOrHead(x)) return x.error(405, 'method_not_allowed', { allow: 'GET, HEAD' });
      // On the download listener the counters (traffic, refusals, workers) are the admin's: they need the token.
      if (servesDownloads && !metricsAuthorized(x.req.headers.authorization)) {
        return x.json(401, 'unauthorized', { error: 'unauthorized' }, METRICS_CHALLENGE);
      }
      return prometheus(x);
    } else if (servesAdmin && (pathname === '/admin' || pathname.startsWith('/admin/'))) {
      return admin(x, pathname);
    }
    x.route = 'unknown';
    return x.error(404, 'not_found');
  };

  const finish = (x: Exchange): void => {
    const ms = (x.doneAt || performance.now()) - x.start;
    metrics.observe(x.outcome, ms / 1000);
    if (logRequests) {
      logger.info('request', {
        method: x.req.method,
        route: x.route,
        status: x.res.statusCode,
        outcome: x.outcome,
        ms: Math.round(ms * 1000) / 1000,
        jti: x.jti,
        kid: x.kid,
        pid: process.pid,
        ...x.logFields,
      });
    }
  };

  const fail = (x: Exchange, err: unknown): void => {
    logger.error('internal error', { route: x.route, ...errorFields(err), stack: (err as Error)?.stack });
    if (!x.res.headersSent) x.error(500, 'internal_error');
    else x.res.destroy();
    x.outcome = 'internal_error';
  };

  return (req, res) => {
    const x = new Exchange(req, res);
    let pending: void | Promise<void> = undefined;
    try {
      pending = route(x);
    } catch (err) {
      fail(x, err);
    }
    if (pending === undefined) return finish(x);
    pending.then(
      () => finish(x),
      (err: unknown) => {
        fail(x, err);
        finish(x);
      },
    );
  };
}

/** A percent-decoded path segment, or null when its escapes are not valid UTF-8 percent-encoding. */
function decodeSegment(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

function isGetOrHead(x: Exchange): boolean {
  return x.req.method === 'GET' || x.req.method === 'HEAD';
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Opens the state (unless given), builds the server and listens. */
export async function startVerifier(
  config: VerifierConfig,
  opts: VerifierOptions = {},
): Promise<RunningVerifier> {
  const logger = opts.logger ?? createLogger('info');
  const metrics = opts.metrics ?? new Metrics();
  const ownsState = opts.state === undefined;
  const state =
    opts.state ??
    (await openState(config.state, {
      ...opts.stateOptions,
      onError: (err) => logger.warn('state backend', errorFields(err)),
    }));
  const collectMetrics: MetricsCollector =
    opts.collectMetrics ?? (async () => ({ snapshot: metrics.snapshot() }));
  for (const warning of config.warnings) logger.warn(`config: ${warning}`);

  const listenerOptions = {
    logger,
    metrics,
    collectMetrics,
    now: opts.now,
    presignExpirySeconds: opts.presignExpirySecondsUnclamped,
  };
  const separateAdmin = config.adminListen !== undefined;
  const server = configureServer(
    createRequestListener(config, state, { ...listenerOptions, surface: separateAdmin ? 'public' : 'all' }),
    config.limits,
  );
  const adminServer = separateAdmin
    ? configureServer(
        createRequestListener(config, state, { ...listenerOptions, surface: 'admin' }),
        config.limits,
      )
    : undefined;
  try {
    await listen(server, config.listen.port, config.listen.host);
    if (adminServer && config.adminListen) {
      await listen(adminServer, config.adminListen.port, config.adminListen.host).catch(async (err) => {
        await new Promise<void>((resolve) => server.close(() => resolve()));
        throw err;
      });
    }
  } catch (err) {
    if (ownsState) await state.close();
    throw err;
  }
  const port = (server.address() as AddressInfo).port;

  const adminPort = adminServer ? (adminServer.address() as AddressInfo).port : undefined;

  let closing: Promise<void> | undefined;
  return {
    server,
    url: listenUrl(config.listen.host, port),
    port,
    adminServer,
    adminUrl:
      adminPort !== undefined && config.adminListen
        ? listenUrl(config.adminListen.host, adminPort)
        : undefined,
    state,
    metrics,
    close: () =>
      (closing ??= (async () => {
        const servers = adminServer ? [server, adminServer] : [server];
        const closed = Promise.all(
          servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))),
        );
        for (const s of servers) s.closeIdleConnections();
        // Downloads in progress get a few seconds to finish, then their sockets are cut.
        const force = setTimeout(() => {
          for (const s of servers) s.closeAllConnections();
        }, 5000);
        await closed;
        clearTimeout(force);
        if (ownsState) await state.close();
      })()),
  };
}

/** A node:http server with the socket limits of the config (see the file comment). */
function configureServer(
  listener: (req: IncomingMessage, res: ServerResponse) => void,
  limits: VerifierConfig['limits'],
): Server {
  const server = createServer(
    {
      // Slow or stalled clients cannot hold sockets for long: headers within 10 s, a whole request in 30 s.
      headersTimeout: limits.headersTimeoutSeconds * 1000,
      requestTimeout: limits.requestTimeoutSeconds * 1000,
      keepAliveTimeout: limits.keepAliveTimeoutSeconds * 1000,
    },
    listener,
  );
  // Inactivity on a socket while a request is read or an answer sent: nothing received and nothing the
  // client accepted for this long, and the socket is destroyed (node:http's default with no 'timeout'
  // listener), which ends a streamed file's pipeline and closes its file handle.
  server.timeout = limits.sendTimeoutSeconds * 1000;
  server.maxRequestsPerSocket = limits.maxRequestsPerConnection;
  server.maxConnections = limits.maxConnections;
  return server;
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

export function listenUrl(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}
