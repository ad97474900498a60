/**
 * Verifier state in an embedded SQLite file (the default: nothing to run). Several processes may share
 * the file (the verifier's cluster workers): WAL lets readers run beside the one writer, and `consume`
 * is one IMMEDIATE transaction, so the write lock is taken before the count is read and N concurrent
 * consumes against `max = k` let exactly k through.
 *
 * Group commit: consumes and resumes that arrive in the same turn of the event loop (under load, every
 * request the HTTP parser read in one poll) are queued and run in ONE IMMEDIATE transaction, each with
 * its own check and count, in arrival order, so the outcome is exactly that of running them one by one.
 * A commit writes whole 4 KB pages to the WAL; one commit per download made the WAL the bottleneck
 * (≈ 20 µs and 8 KB per download, and a WAL growing by megabytes a second), one commit per batch does not.
 * A request waits at most until the end of the current turn for its batch.
 *
 * Waiting for the lock: SQLite's own busy handler sleeps for whole milliseconds inside the call, and
 * better-sqlite3 is synchronous, so it would freeze a worker's event loop each time the other worker
 * holds the lock for a few microseconds. Instead the connection fails at once with SQLITE_BUSY and the
 * operation is retried from the event loop (setImmediate first, then short sleeps) until a deadline.
 *
 * Checkpoints: see sqlite-checkpointer.ts (a background thread, so fsyncs never stall a request). The schema
 * and its migrations are in sqlite-schema.ts, the statements and the steps made of them in sqlite-statements.ts.
 *
 * Share guard: a link's networks are rows of `link_networks` (keyed hashes, see networks.ts), each with
 * its rank (1 for the first network seen). The common request, from a network the link already knows
 * within its allowance, is still one statement: the counting INSERT carries the guard as one more
 * condition. Only a request from a new network (or one the guard refuses) takes the longer way, which
 * records the network in the same transaction as the count.
 *
 * Durability: synchronous=NORMAL in WAL mode survives a process crash or restart; a power cut may lose
 * the last commits (a few downloads counted again), which is the usual trade for a per-request write.
 */
import Database from 'better-sqlite3';
import { setImmediate as immediate, setTimeout as sleep } from 'node:timers/promises';

import { createNetworkHasher } from './networks';
import { startCheckpointer, type Checkpointer } from './sqlite-checkpointer';
import { migrate } from './sqlite-schema';
import { SqliteStatements, type StepKind } from './sqlite-statements';
import {
  licenseKey,
  type ConsumeOutcome,
  type ConsumeRequest,
  type LicenseId,
  type LinkStatus,
  type RevocationTarget,
  type VerifierState,
} from './types';

/** A link's counter is kept this long after the link expired (as the Redis state does), then pruned. */
export const LINK_GRACE_SECONDS = 30 * 24 * 3600;
const PRUNE_EVERY_MS = 6 * 3600 * 1000;

/** Consumes per transaction at most, so one batch never holds the write lock for long. */
const MAX_BATCH = 256;

export { SQLITE_SCHEMA_VERSION } from './sqlite-schema';

/** Safety net only (≈ 40 MB of WAL): normally the background checkpointer keeps the WAL short. */
const FALLBACK_AUTOCHECKPOINT_PAGES = 10_000;

export interface SqliteStateOptions {
  /** How long one operation keeps retrying while another process holds the write lock (ms). */
  busyTimeoutMs?: number;
  /** Unix seconds; tests move it. */
  now?: () => number;
  /**
   * Run WAL checkpoints in a background thread (default true). Exactly one connection per database
   * should: in cluster mode the primary does, and the workers pass false.
   */
  checkpointer?: boolean;
}

const nowSeconds = (): number => Math.floor(Date.now() / 1000);

function isBusy(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}

interface PendingOp {
  kind: StepKind;
  req: ConsumeRequest;
  /** The share guard's keyed hash of the client network (computed before the transaction, outside the lock). */
  net: Buffer | undefined;
  resolve: (outcome: ConsumeOutcome) => void;
  reject: (err: unknown) => void;
}

export class SqliteState implements VerifierState {
  private readonly busyTimeoutMs: number;
  private readonly now: () => number;
  private readonly pruneTimer: NodeJS.Timeout;
  private checkpointer: Checkpointer | undefined;
  private readonly statements: SqliteStatements;
  private readonly batchTx;
  private pending: PendingOp[] = [];
  private flushScheduled = false;

  private constructor(
    private readonly db: Database.Database,
    private readonly netHash: (jti: string, network: string) => Buffer,
    opts: SqliteStateOptions,
  ) {
    this.busyTimeoutMs = opts.busyTimeoutMs ?? 5000;
    this.now = opts.now ?? nowSeconds;
    this.statements = new SqliteStatements(db, this.now);
    this.batchTx = db.transaction((ops: readonly PendingOp[]): (ConsumeOutcome | undefined)[] =>
      ops.map((op) => this.statements.consumeOne(op.req, op.kind, op.net)),
    );
    this.pruneTimer = setInterval(() => void this.prune().catch(() => undefined), PRUNE_EVERY_MS);
    this.pruneTimer.unref();
  }

  /**
   * Opens (creating if needed) the database at `path` and brings its schema up to date. Safe to call
   * from several processes at once: the migration runs in an IMMEDIATE transaction and re-reads the
   * version inside it.
   */
  static open(path: string, opts: SqliteStateOptions = {}): SqliteState {
    // SQLite's blocking busy handler is fine here (start-up, before any request); see the class comment.
    const db = new Database(path, { timeout: opts.busyTimeoutMs ?? 5000 });
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      const secret = migrate(db);
      db.pragma(`wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT_PAGES}`);
      // After a checkpoint resets the WAL, truncate it back to this size.
      db.pragma('journal_size_limit = 67108864');
      db.pragma('busy_timeout = 0');
      const state = new SqliteState(
        db,
        createNetworkHasher(secret, (d) => d),
        opts,
      );
      if (opts.checkpointer !== false && path !== ':memory:' && path !== '') {
        state.checkpointer = startCheckpointer(path);
      }
      return state;
    } catch (err) {
      db.close();
      throw err;
    }
  }

  consume(req: ConsumeRequest): Promise<ConsumeOutcome> {
    return this.enqueue('consume', req);
  }

  resume(req: ConsumeRequest): Promise<ConsumeOutcome> {
    return this.enqueue('resume', req);
  }

  /** Joins the next group commit like a consume (its outcome is of no interest). */
  async refund(jti: string, bytes: number): Promise<void> {
    if (!(bytes > 0)) return;
    await this.enqueue('refund', { jti, expires: 0, bytes });
  }

  private enqueue(kind: PendingOp['kind'], req: ConsumeRequest): Promise<ConsumeOutcome> {
    if (!this.db.open) return Promise.reject(new Error('the verifier state is closed'));
    const net = req.guard === undefined ? undefined : this.netHash(req.jti, req.guard.network);
    return new Promise((resolve, reject) => {
      this.pending.push({ kind, req, net, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(this.flush);
      }
    });
  }

  /** Runs the queued operations, MAX_BATCH per transaction; see the class comment (group commit). */
  private readonly flush = (): void => {
    this.flushScheduled = false;
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, MAX_BATCH);
      this.retry(() => this.batchTx.immediate(batch)).then(
        (outcomes) => batch.forEach((op, i) => op.resolve(outcomes[i] as ConsumeOutcome)),
        (err: unknown) => batch.forEach((op) => op.reject(err)),
      );
    }
  };

  async isRevoked(jti: string, licenseId?: LicenseId): Promise<boolean> {
    const license = licenseId === undefined ? null : licenseKey(licenseId);
    return this.retry(() => this.statements.isRevoked(jti, license));
  }

  async networkAllowed(jti: string, network: string, blockBeyond: number): Promise<boolean> {
    const net = this.netHash(jti, network);
    return this.retry(() => this.statements.networkRank(jti, net) <= blockBeyond);
  }

  async downloads(jti: string): Promise<number> {
    return this.retry(() => this.statements.downloads(jti));
  }

  async revoke(target: RevocationTarget): Promise<void> {
    await this.retry(() => this.statements.revoke(target));
  }

  async unrevoke(target: RevocationTarget): Promise<void> {
    await this.retry(() => this.statements.unrevoke(target));
  }

  /** The licence is known once the link was downloaded (its first count stores it). */
  async linkStatus(jti: string): Promise<LinkStatus> {
    const r = await this.retry(() => this.statements.linkStatus(jti));
    const revokedBy = r.jtiRevoked ? 'jti' : r.licenseRevoked ? 'license' : null;
    return { downloads: r.downloads, revoked: revokedBy !== null, revokedBy, networks: r.networks };
  }

  /**
   * Drops counters (and recorded networks) of links that expired more than LINK_GRACE_SECONDS ago.
   * Returns how many links.
   */
  async prune(): Promise<number> {
    const before = this.now() - LINK_GRACE_SECONDS;
    return this.retry(() => this.db.transaction(() => this.statements.prune(before))());
  }

  async close(): Promise<void> {
    clearInterval(this.pruneTimer);
    // Operations already queued still run: a counted 302 must not be lost to a shutdown.
    if (this.pending.length > 0) this.flush();
    await this.checkpointer?.stop();
    if (this.db.open) this.db.close();
  }

  /** Runs a synchronous SQLite step, retrying from the event loop while another process holds a lock. */
  private async retry<T>(step: () => T): Promise<T> {
    const deadline = Date.now() + this.busyTimeoutMs;
    for (let attempt = 0; ; attempt++) {
      try {
        return step();
      } catch (err) {
        if (!isBusy(err) || Date.now() >= deadline) throw err;
        // The other holder is usually done within microseconds: yield once or twice, then back off.
        if (attempt < 4) await immediate();
        else await sleep(Math.min(attempt - 3, 10));
      }
    }
  }
}
