/**
 * The SQL of the verifier's SQLite state (sqlite.ts): every statement, prepared once per connection, and the
 * synchronous steps made of them. sqlite.ts runs each step inside its own transactions and retries (see its
 * comment: group commit, waiting for the lock); nothing here waits. The schema is in sqlite-schema.ts.
 */
import type Database from 'better-sqlite3';

import { NETWORKS_PER_LINK } from './networks';
import {
  byteBudget,
  licenseKey,
  REDIRECT_RESUME_WINDOW_SECONDS,
  REDIRECT_RESUMES_PER_DOWNLOAD,
  type ConsumeOutcome,
  type ConsumeRequest,
  type RevocationTarget,
} from './types';

/** What a queued operation does: count a download, count a resume, or give back bytes charged to a link. */
export type StepKind = 'consume' | 'resume' | 'refund';

const REVOKED: ConsumeOutcome = Object.freeze({ outcome: 'revoked' });

export class SqliteStatements {
  private readonly stmt;

  /** `now`: Unix seconds (tests move it). */
  constructor(
    db: Database.Database,
    private readonly now: () => number,
  ) {
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
  }

  /**
   * The share guard's step, once revocation, limit and budget passed: records a new network (within
   * NETWORKS_PER_LINK) and tells whether the request may go on. A refused request's network is recorded
   * too (spec: "answered, or refused by this guard"), which is what makes the link count as shared.
   */
  private guardPasses(req: ConsumeRequest, net: Buffer): boolean {
    let seq = this.stmt.netSeq.get(req.jti, net);
    if (seq === undefined) {
      const known = this.stmt.netCount.get(req.jti) as number;
      seq = known + 1;
      if (known < NETWORKS_PER_LINK) this.stmt.netAdd.run(req.jti, net, seq, req.expires);
    }
    const limit = req.guard?.blockBeyond;
    return limit === undefined || seq <= limit;
  }

  /**
   * One consume, resume or refund, inside the caller's transaction: revocation, limit, byte budget and share guard,
   * then the count. A refund has no outcome.
   */
  consumeOne(req: ConsumeRequest, kind: StepKind, net: Buffer | undefined): ConsumeOutcome | undefined {
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
      if (net !== undefined && !this.guardPasses(req, net)) return { outcome: 'shared', downloads };
      this.stmt.countResume.run(bytes, req.jti);
      return { outcome: 'ok', downloads };
    }
    if (req.max !== undefined && downloads >= req.max) return { outcome: 'exhausted', downloads };
    if (net !== undefined && !this.guardPasses(req, net)) return { outcome: 'shared', downloads };
    const counted = this.stmt.count.get(req.jti, license, req.expires, now, now, bytes) as number;
    return { outcome: 'ok', downloads: counted };
  }

  isRevoked(jti: string, license: string | null): boolean {
    return this.stmt.revoked.get(jti, license) === 1;
  }

  /** The rank a request from this network has or would get (known: its own; new: one past the last). */
  networkRank(jti: string, net: Buffer): number {
    return this.stmt.netRank.get(jti, net, jti) as number;
  }

  downloads(jti: string): number {
    return this.stmt.downloads.get(jti) ?? 0;
  }

  revoke(target: RevocationTarget): void {
    if ('jti' in target) this.stmt.revokeJti.run(target.jti, this.now());
    else this.stmt.revokeLicense.run(licenseKey(target.licenseId), this.now());
  }

  unrevoke(target: RevocationTarget): void {
    if ('jti' in target) this.stmt.unrevokeJti.run(target.jti);
    else this.stmt.unrevokeLicense.run(licenseKey(target.licenseId));
  }

  linkStatus(jti: string): {
    downloads: number;
    jtiRevoked: number;
    licenseRevoked: number;
    networks: number;
  } {
    return this.stmt.status.get({ jti }) as {
      downloads: number;
      jtiRevoked: number;
      licenseRevoked: number;
      networks: number;
    };
  }

  /** Drops the counters and networks of links that expired before `before`; returns how many links. */
  prune(before: number): number {
    this.stmt.pruneNetworks.run(before);
    return this.stmt.prune.run(before).changes;
  }
}
