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
 * Checkpoints: see sqlite-checkpointer.ts (a background thread, so fsyncs never stall a request).
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
import { randomBytes } from 'node:crypto';
import { setImmediate as immediate, setTimeout as sleep } from 'node:timers/promises';

import { createNetworkHasher, NETWORK_SECRET_BYTES, NETWORKS_PER_LINK } from './networks';
import { startCheckpointer, type Checkpointer } from './sqlite-checkpointer';
import {
  byteBudget,
  licenseKey,
  REDIRECT_RESUME_WINDOW_SECONDS,
  REDIRECT_RESUMES_PER_DOWNLOAD,
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

/** Each entry moves the schema one version up; PRAGMA user_version records how many ran. */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE links (
    jti               TEXT PRIMARY KEY,
    downloads         INTEGER NOT NULL CHECK (downloads >= 0),
    license_id        TEXT,
    expires           INTEGER NOT NULL,
    first_download_at INTEGER NOT NULL,
    last_download_at  INTEGER NOT NULL
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX links_by_expiry ON links (expires);
  CREATE TABLE revoked_jtis (
    jti        TEXT PRIMARY KEY,
    revoked_at INTEGER NOT NULL
  ) STRICT, WITHOUT ROWID;
  CREATE TABLE revoked_licenses (
    license_id TEXT PRIMARY KEY,
    revoked_at INTEGER NOT NULL
  ) STRICT, WITHOUT ROWID;
  `,
  // Resumes (a Range starting after byte 0) are counted: see REDIRECT_RESUMES_PER_DOWNLOAD.
  `ALTER TABLE links ADD COLUMN resumes INTEGER NOT NULL DEFAULT 0 CHECK (resumes >= 0);`,
  // Bytes charged to a link (file sources): see byteBudget in types.ts.
  `ALTER TABLE links ADD COLUMN bytes_sent INTEGER NOT NULL DEFAULT 0 CHECK (bytes_sent >= 0);`,
  // Share guard: a link's networks as keyed hashes (never addresses), in the order first seen, and the
  // state's own secrets (the hash key: generated in migrate(), never in the config).
  `
  CREATE TABLE link_networks (
    jti     TEXT NOT NULL,
    net     BLOB NOT NULL,
    seq     INTEGER NOT NULL CHECK (seq >= 1),
    expires INTEGER NOT NULL,
    PRIMARY KEY (jti, net)
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX link_networks_by_expiry ON link_networks (expires);
  CREATE TABLE state_secrets (
    name  TEXT PRIMARY KEY,
    value BLOB NOT NULL
  ) STRICT, WITHOUT ROWID;
  `,
];
export const SQLITE_SCHEMA_VERSION = MIGRATIONS.length;
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

const REVOKED: ConsumeOutcome = Object.freeze({ outcome: 'revoked' });

function isBusy(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}

interface PendingOp {
  kind: 'consume' | 'resume' | 'refund';
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
  private readonly stmt;
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
    this.stmt = {
      revoked: db
        .prepare<[string, string | null], number>(
          `SELECT EXISTS (SELECT 1 FROM revoked_jtis WHERE jti = ?)
             OR EXISTS (SELECT 1 FROM revoked_licenses WHERE license_id = ?)`,
        )
        .pluck(),
      // consume's read: revocation and the link's row in one statement (one trip into SQLite), with
      // positional parameters and rows as arrays (cheaper to bind and to return than named ones):
      // [revoked, downloads, resumes, bytes_sent, last_download_at], the last four null for a new link.
      gate: db
        .prepare<
          [string, string | null, string],
          [number, number | null, number | null, number | null, number | null]
        >(
          `SELECT EXISTS (SELECT 1 FROM revoked_jtis WHERE jti = ?)
                  OR EXISTS (SELECT 1 FROM revoked_licenses WHERE license_id = ?),
                  l.downloads, l.resumes, l.bytes_sent, l.last_download_at
             FROM (SELECT 1) LEFT JOIN links l ON l.jti = ?`,
        )
        .raw(),
      countResume: db.prepare<[number, string]>(
        'UPDATE links SET resumes = resumes + 1, bytes_sent = bytes_sent + ? WHERE jti = ?',
      ),
      refund: db.prepare<[number, string]>(
        'UPDATE links SET bytes_sent = max(0, bytes_sent - ?) WHERE jti = ?',
      ),
      status: db.prepare<
        [{ jti: string }],
        { downloads: number; jtiRevoked: number; licenseRevoked: number; networks: number }
      >(
        `SELECT coalesce((SELECT downloads FROM links WHERE jti = @jti), 0) AS downloads,
                (SELECT count(*) FROM link_networks WHERE jti = @jti) AS networks,
                EXISTS (SELECT 1 FROM revoked_jtis WHERE jti = @jti) AS jtiRevoked,
                EXISTS (SELECT 1 FROM links l JOIN revoked_licenses r ON r.license_id = l.license_id
                        WHERE l.jti = @jti) AS licenseRevoked`,
      ),
      downloads: db.prepare<[string], number>('SELECT downloads FROM links WHERE jti = ?').pluck(),
      count: db
        .prepare<[string, string | null, number, number, number, number], number>(
          `INSERT INTO links (jti, downloads, license_id, expires, first_download_at, last_download_at, bytes_sent)
           VALUES (?, 1, ?, ?, ?, ?, ?)
           ON CONFLICT (jti) DO UPDATE SET downloads = downloads + 1,
             last_download_at = excluded.last_download_at, bytes_sent = bytes_sent + excluded.bytes_sent
           RETURNING downloads`,
        )
        .pluck(),
      // A download's whole step in one statement (the common case: not revoked, under its limit): the row is
      // written only when no revocation matches and the count is under `max`, and RETURNING then gives the new
      // count. No row back means nothing was written (revoked, or the limit used up); `gate` then tells which.
      // One trip into SQLite instead of two: the SQLite work was a third of a worker's CPU on the 302 path.
      countIfAllowed: db
        .prepare<
          [
            string,
            string | null,
            number,
            number,
            number,
            number,
            string,
            string | null,
            number | null,
            number | null,
            number | null,
            number | null,
          ],
          number
        >(
          `INSERT INTO links (jti, downloads, license_id, expires, first_download_at, last_download_at, bytes_sent)
           SELECT ?, 1, ?, ?, ?, ?, ?
            WHERE NOT EXISTS (SELECT 1 FROM revoked_jtis WHERE jti = ?)
              AND NOT EXISTS (SELECT 1 FROM revoked_licenses WHERE license_id = ?)
              AND (? IS NULL OR ? > 0)
           ON CONFLICT (jti) DO UPDATE SET downloads = downloads + 1,
             last_download_at = excluded.last_download_at, bytes_sent = bytes_sent + excluded.bytes_sent
            WHERE ? IS NULL OR links.downloads < ?
           RETURNING downloads`,
        )
        .pluck(),
      // countIfAllowed for a request whose network the link already has within the guard's allowance (the
      // last `?` of the guard line: N for block, NETWORKS_PER_LINK for flag): nothing to record, still one
      // statement. No row back: a new network, or a refusal; the longer way below tells which.
      countIfKnownNetwork: db
        .prepare<
          [
            string,
            string | null,
            number,
            number,
            number,
            number,
            string,
            string | null,
            number | null,
            number | null,
            string,
            Buffer,
            number,
            number | null,
            number | null,
          ],
          number
        >(
          `INSERT INTO links (jti, downloads, license_id, expires, first_download_at, last_download_at, bytes_sent)
           SELECT ?, 1, ?, ?, ?, ?, ?
            WHERE NOT EXISTS (SELECT 1 FROM revoked_jtis WHERE jti = ?)
              AND NOT EXISTS (SELECT 1 FROM revoked_licenses WHERE license_id = ?)
              AND (? IS NULL OR ? > 0)
              AND EXISTS (SELECT 1 FROM link_networks WHERE jti = ? AND net = ? AND seq <= ?)
           ON CONFLICT (jti) DO UPDATE SET downloads = downloads + 1,
             last_download_at = excluded.last_download_at, bytes_sent = bytes_sent + excluded.bytes_sent
            WHERE ? IS NULL OR links.downloads < ?
           RETURNING downloads`,
        )
        .pluck(),
      netSeq: db
        .prepare<[string, Buffer], number>('SELECT seq FROM link_networks WHERE jti = ? AND net = ?')
        .pluck(),
      netCount: db.prepare<[string], number>('SELECT count(*) FROM link_networks WHERE jti = ?').pluck(),
      netAdd: db.prepare<[string, Buffer, number, number]>(
        'INSERT INTO link_networks (jti, net, seq, expires) VALUES (?, ?, ?, ?)',
      ),
      // The rank a request from this network has or would get (known: its own; new: one past the last).
      netRank: db
        .prepare<[string, Buffer, string], number>(
          `SELECT coalesce((SELECT seq FROM link_networks WHERE jti = ? AND net = ?),
                           (SELECT count(*) FROM link_networks WHERE jti = ?) + 1)`,
        )
        .pluck(),
      pruneNetworks: db.prepare<[number]>('DELETE FROM link_networks WHERE expires < ?'),
      revokeJti: db.prepare<[string, number]>(
        'INSERT OR IGNORE INTO revoked_jtis (jti, revoked_at) VALUES (?, ?)',
      ),
      revokeLicense: db.prepare<[string, number]>(
        'INSERT OR IGNORE INTO revoked_licenses (license_id, revoked_at) VALUES (?, ?)',
      ),
      unrevokeJti: db.prepare<[string]>('DELETE FROM revoked_jtis WHERE jti = ?'),
      unrevokeLicense: db.prepare<[string]>('DELETE FROM revoked_licenses WHERE license_id = ?'),
      prune: db.prepare<[number]>('DELETE FROM links WHERE expires < ?'),
    };
    /**
     * The share guard's step, once revocation, limit and budget passed: records a new network (within
     * NETWORKS_PER_LINK) and tells whether the request may go on. A refused request's network is recorded
     * too (spec: "answered, or refused by this guard"), which is what makes the link count as shared.
     */
    const guardPasses = (req: ConsumeRequest, net: Buffer): boolean => {
      let seq = this.stmt.netSeq.get(req.jti, net);
      if (seq === undefined) {
        const known = this.stmt.netCount.get(req.jti) as number;
        seq = known + 1;
        if (known < NETWORKS_PER_LINK) this.stmt.netAdd.run(req.jti, net, seq, req.expires);
      }
      const limit = req.guard?.blockBeyond;
      return limit === undefined || seq <= limit;
    };
    const consumeOne = (
      req: ConsumeRequest,
      kind: PendingOp['kind'],
      net: Buffer | undefined,
    ): ConsumeOutcome | undefined => {
      if (kind === 'refund') {
        this.stmt.refund.run(req.bytes ?? 0, req.jti);
        return undefined;
      }
      const license = req.licenseId === undefined ? null : licenseKey(req.licenseId);
      if (kind === 'consume') {
        const now = this.now();
        const max = req.max ?? null;
        const counted =
          net === undefined
            ? this.stmt.countIfAllowed.get(
                req.jti,
                license,
                req.expires,
                now,
                now,
                req.bytes ?? 0,
                req.jti,
                license,
                max,
                max,
                max,
                max,
              )
            : this.stmt.countIfKnownNetwork.get(
                req.jti,
                license,
                req.expires,
                now,
                now,
                req.bytes ?? 0,
                req.jti,
                license,
                max,
                max,
                req.jti,
                net,
                req.guard?.blockBeyond ?? NETWORKS_PER_LINK,
                max,
                max,
              );
        if (counted !== undefined) return { outcome: 'ok', downloads: counted };
      }
      const row = this.stmt.gate.get(req.jti, license, req.jti) as [
        number,
        number | null,
        number | null,
        number | null,
        number | null,
      ];
      if (row[0]) return REVOKED;
      const downloads = row[1] ?? 0;
      const bytes = req.bytes ?? 0;
      const now = this.now();
      if (kind === 'resume' && downloads > 0) {
        if (req.fileSize !== undefined) {
          // File: within the byte budget of the counted downloads.
          if ((row[3] ?? 0) + bytes > byteBudget(downloads, req.fileSize))
            return { outcome: 'exhausted', downloads };
        } else if (
          // Redirect: shortly after the last counted download, a bounded number of times.
          now - (row[4] ?? 0) > REDIRECT_RESUME_WINDOW_SECONDS ||
          (row[2] ?? 0) >= downloads * REDIRECT_RESUMES_PER_DOWNLOAD
        ) {
          return { outcome: 'exhausted', downloads };
        }
        if (net !== undefined && !guardPasses(req, net)) return { outcome: 'shared', downloads };
        this.stmt.countResume.run(bytes, req.jti);
        return { outcome: 'ok', downloads };
      }
      if (req.max !== undefined && downloads >= req.max) return { outcome: 'exhausted', downloads };
      if (net !== undefined && !guardPasses(req, net)) return { outcome: 'shared', downloads };
      const counted = this.stmt.count.get(req.jti, license, req.expires, now, now, bytes) as number;
      return { outcome: 'ok', downloads: counted };
    };
    this.batchTx = db.transaction((ops: readonly PendingOp[]): (ConsumeOutcome | undefined)[] =>
      ops.map((op) => consumeOne(op.req, op.kind, op.net)),
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
    return this.retry(() => this.stmt.revoked.get(jti, license) === 1);
  }

  async networkAllowed(jti: string, network: string, blockBeyond: number): Promise<boolean> {
    const net = this.netHash(jti, network);
    return this.retry(() => (this.stmt.netRank.get(jti, net, jti) as number) <= blockBeyond);
  }

  async downloads(jti: string): Promise<number> {
    return this.retry(() => this.stmt.downloads.get(jti) ?? 0);
  }

  async revoke(target: RevocationTarget): Promise<void> {
    await this.retry(() =>
      'jti' in target
        ? this.stmt.revokeJti.run(target.jti, this.now())
        : this.stmt.revokeLicense.run(licenseKey(target.licenseId), this.now()),
    );
  }

  async unrevoke(target: RevocationTarget): Promise<void> {
    await this.retry(() =>
      'jti' in target
        ? this.stmt.unrevokeJti.run(target.jti)
        : this.stmt.unrevokeLicense.run(licenseKey(target.licenseId)),
    );
  }

  /** The licence is known once the link was downloaded (its first count stores it). */
  async linkStatus(jti: string): Promise<LinkStatus> {
    const r = await this.retry(
      () =>
        this.stmt.status.get({ jti }) as {
          downloads: number;
          jtiRevoked: number;
          licenseRevoked: number;
          networks: number;
        },
    );
    const revokedBy = r.jtiRevoked ? 'jti' : r.licenseRevoked ? 'license' : null;
    return { downloads: r.downloads, revoked: revokedBy !== null, revokedBy, networks: r.networks };
  }

  /**
   * Drops counters (and recorded networks) of links that expired more than LINK_GRACE_SECONDS ago.
   * Returns how many links.
   */
  async prune(): Promise<number> {
    const before = this.now() - LINK_GRACE_SECONDS;
    return this.retry(() =>
      this.db.transaction(() => {
        this.stmt.pruneNetworks.run(before);
        return this.stmt.prune.run(before).changes;
      })(),
    );
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

/** Brings the schema up to date and returns the state's network secret (created on first use). */
function migrate(db: Database.Database): Buffer {
  return db
    .transaction(() => {
      const version = db.pragma('user_version', { simple: true }) as number;
      if (version > MIGRATIONS.length) {
        throw new Error(
          `verifier database schema version ${version} is newer than this verifier knows (${MIGRATIONS.length}); ` +
            'upgrade the verifier',
        );
      }
      for (let v = version; v < MIGRATIONS.length; v++) db.exec(MIGRATIONS[v] as string);
      if (version !== MIGRATIONS.length) db.pragma(`user_version = ${MIGRATIONS.length}`);
      // Inside the IMMEDIATE transaction: of several processes opening a new file at once, the first
      // writes the secret and the others read that one.
      db.prepare("INSERT OR IGNORE INTO state_secrets (name, value) VALUES ('network', ?)").run(
        randomBytes(NETWORK_SECRET_BYTES),
      );
      return db.prepare("SELECT value FROM state_secrets WHERE name = 'network'").pluck().get() as Buffer;
    })
    .immediate();
}
