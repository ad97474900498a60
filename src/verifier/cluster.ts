/**
 * Several worker processes on one port (node:cluster), so the 302 path uses every core. Workers share
 * nothing in memory: counts and revocations live in the state backend (SQLite in WAL mode, or Redis),
 * so a revocation through any worker holds for all at once.
 *
 * The primary: prepares the state once (SQLite migration) before the workers race for it, forks the
 * workers, prints the listening line when all of them listen, restarts a worker that dies (with a
 * growing delay if they keep dying), stops them on SIGTERM/SIGINT, and sums the workers' metrics for
 * /metrics (each scrape asks every live worker for its counters; a dead worker's last known counters
 * are kept, so the totals do not go backwards when one is replaced).
 */
import cluster, { type Worker } from 'node:cluster';

import type { VerifierConfig } from './config';
import { errorFields, type Logger } from './log';
import { emptySnapshot, mergeSnapshots, Metrics, type MetricsSnapshot } from './metrics';
import { listenUrl, startVerifier, type MetricsCollector } from './server';
import { describeState, openState } from './state';

/** Messages between primary and workers, all tagged so other IPC traffic is ignored. */
type IpcMessage =
  | { signet: 'metrics-request'; id: number }
  | { signet: 'metrics-collect'; id: number }
  | { signet: 'metrics-snapshot'; id: number; snapshot: MetricsSnapshot }
  | { signet: 'metrics-result'; id: number; snapshot: MetricsSnapshot; workers: number }
  | { signet: 'shutdown' }
  /** A worker listens (on both listeners when there are two); the primary announces once all do. */
  | { signet: 'ready'; port: number; adminPort?: number };

function isIpc(m: unknown): m is IpcMessage {
  return typeof m === 'object' && m !== null && typeof (m as { signet?: unknown }).signet === 'string';
}

const COLLECT_TIMEOUT_MS = 1000;
const SHUTDOWN_TIMEOUT_MS = 10_000;

export async function runPrimary(config: VerifierConfig, workers: number, logger: Logger): Promise<void> {
  // Migrate (SQLite) or check the connection (Redis) once, so a bad state config fails here, clearly.
  // A SQLite state stays open here: this process runs its WAL checkpointer for all workers.
  const state = await openState(config.state);
  if (config.state.kind !== 'sqlite') await state.close();

  let stateClosed: Promise<void> = Promise.resolve();
  let announced = false;
  let shuttingDown = false;
  const listening = new Set<number>();
  const recentCrashes: number[] = [];
  const lastSnapshot = new Map<number, MetricsSnapshot>();
  let retired = emptySnapshot();
  let port = config.listen.port;

  const fork = (): Worker => {
    const worker = cluster.fork();
    worker.on('message', (m: unknown) => onMessage(worker, m));
    return worker;
  };

  // Counted from the workers' own 'ready' messages rather than cluster's 'listening' events: with a
  // separate admin listener each worker listens twice.
  const onReady = (worker: Worker, m: { port: number; adminPort?: number }): void => {
    listening.add(worker.id);
    port = m.port;
    if (!announced && listening.size >= workers) {
      announced = true;
      process.stdout.write(`Signet verifier listening on ${listenUrl(config.listen.host, port)}\n`);
      if (config.adminListen && m.adminPort !== undefined) {
        process.stdout.write(
          `Signet verifier admin API and metrics on ${listenUrl(config.adminListen.host, m.adminPort)}\n`,
        );
      }
      logger.info('started', { workers, state: describeState(config.state), pid: process.pid });
    }
  };

  cluster.on('exit', (worker, code, signal) => {
    listening.delete(worker.id);
    const last = lastSnapshot.get(worker.id);
    if (last) retired = mergeSnapshots([retired, last]);
    lastSnapshot.delete(worker.id);
    if (shuttingDown) {
      if (Object.keys(cluster.workers ?? {}).length === 0) void stateClosed.finally(() => process.exit(0));
      return;
    }
    if (!announced) {
      // A worker that cannot even start (port taken, Redis down) will not do better on a restart.
      process.stderr.write(
        `signet-verifier: a worker exited during start-up (code ${code}, signal ${signal})\n`,
      );
      shuttingDown = true;
      for (const w of Object.values(cluster.workers ?? {})) w?.kill();
      process.exit(1);
    }
    const now = Date.now();
    recentCrashes.push(now);
    while (recentCrashes.length > 0 && (recentCrashes[0] as number) < now - 60_000) recentCrashes.shift();
    const delay = Math.min(5000, 100 * 2 ** (recentCrashes.length - 1));
    logger.error('worker died; starting another', {
      pid: worker.process.pid,
      code,
      signal: signal ?? undefined,
      restartInMs: delay,
    });
    setTimeout(() => {
      if (!shuttingDown) fork();
    }, delay).unref();
  });

  // Metrics: one collection round per scrape.
  let round = 0;
  const rounds = new Map<number, { waiting: Set<number>; done: () => void }>();
  const collect = async (): Promise<{ snapshot: MetricsSnapshot; workers: number }> => {
    const id = ++round;
    const live = Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w && w.isConnected());
    const waiting = new Set(live.map((w) => w.id));
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, COLLECT_TIMEOUT_MS);
      rounds.set(id, {
        waiting,
        done: () => {
          clearTimeout(timer);
          resolve();
        },
      });
      for (const w of live) w.send({ signet: 'metrics-collect', id } satisfies IpcMessage);
      if (waiting.size === 0) rounds.get(id)?.done();
    });
    rounds.delete(id);
    // A worker that did not answer in time counts with what it said last time.
    return { snapshot: mergeSnapshots([retired, ...lastSnapshot.values()]), workers: live.length };
  };

  function onMessage(worker: Worker, m: unknown): void {
    if (!isIpc(m)) return;
    if (m.signet === 'ready') {
      onReady(worker, m);
    } else if (m.signet === 'metrics-snapshot') {
      lastSnapshot.set(worker.id, m.snapshot);
      const r = rounds.get(m.id);
      if (r) {
        r.waiting.delete(worker.id);
        if (r.waiting.size === 0) r.done();
      }
    } else if (m.signet === 'metrics-request') {
      void collect().then(({ snapshot, workers: n }) => {
        if (worker.isConnected())
          worker.send({ signet: 'metrics-result', id: m.id, snapshot, workers: n } satisfies IpcMessage);
      });
    }
  }

  const shutdown = (signal: string): void => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info('stopping', { signal });
    stateClosed = state.close().catch(() => undefined);
    const all = Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w);
    if (all.length === 0) void stateClosed.finally(() => process.exit(0));
    for (const w of all) if (w.isConnected()) w.send({ signet: 'shutdown' } satisfies IpcMessage);
    setTimeout(() => {
      for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGKILL');
      process.exit(0);
    }, SHUTDOWN_TIMEOUT_MS).unref();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  for (let i = 0; i < workers; i++) fork();
}

/** A cluster worker: one verifier server; the listening socket is shared through the primary. */
export async function runWorker(config: VerifierConfig, logger: Logger): Promise<void> {
  const metrics = new Metrics();
  let seq = 0;
  const pending = new Map<number, (r: { snapshot: MetricsSnapshot; workers: number }) => void>();

  const collectMetrics: MetricsCollector = () =>
    new Promise((resolve) => {
      const id = ++seq;
      const timer = setTimeout(() => {
        // The primary did not answer: show this worker's own numbers rather than nothing.
        pending.delete(id);
        resolve({ snapshot: metrics.snapshot() });
      }, COLLECT_TIMEOUT_MS * 2);
      pending.set(id, (r) => {
        clearTimeout(timer);
        pending.delete(id);
        resolve(r);
      });
      process.send?.({ signet: 'metrics-request', id } satisfies IpcMessage);
    });

  // The primary checkpoints the SQLite WAL for everyone.
  const verifier = await startVerifier(config, {
    logger,
    metrics,
    collectMetrics,
    stateOptions: { sqliteCheckpointer: false },
  });
  process.send?.({
    signet: 'ready',
    port: verifier.port,
    adminPort: adminPortOf(verifier),
  } satisfies IpcMessage);
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    try {
      await verifier.close();
    } catch (err) {
      logger.error('worker stop failed', errorFields(err));
    }
    process.exit(0);
  };

  process.on('message', (m: unknown) => {
    if (!isIpc(m)) return;
    if (m.signet === 'metrics-collect') {
      process.send?.({
        signet: 'metrics-snapshot',
        id: m.id,
        snapshot: metrics.snapshot(),
      } satisfies IpcMessage);
    } else if (m.signet === 'metrics-result') {
      pending.get(m.id)?.({ snapshot: m.snapshot, workers: m.workers });
    } else if (m.signet === 'shutdown') {
      void stop();
    }
  });
  // The primary is gone (killed): do not linger as an orphan holding the port.
  process.on('disconnect', () => void stop());
  // The whole process group gets Ctrl-C / systemd's SIGTERM: stop cleanly, the primary waits for us.
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
}

function adminPortOf(v: { adminServer?: { address(): unknown } }): number | undefined {
  const a = v.adminServer?.address();
  return typeof a === 'object' && a !== null ? (a as { port: number }).port : undefined;
}
