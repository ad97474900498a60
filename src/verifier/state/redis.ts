/**
 * Verifier state in Redis, for several verifier instances behind a load balancer: they share
 * download counts and revocations through one Redis primary.
 *
 * Keys (all under `signet:v1:` so the verifier can share a Redis with other software):
 *   signet:v1:count:{jti}            download counter, expires some time after the token does
 *   signet:v1:resumes:{jti}          resume counter (Range requests from after byte 0), expires likewise
 *   signet:v1:bytes:{jti}            bytes charged to the link (file sources), expires likewise
 *   signet:v1:last:{jti}             Unix seconds of the last counted download, expires likewise
 *   signet:v1:license:{jti}          the link's licence id, expires likewise (for the admin API)
 *   signet:v1:revoked:jti:{jti}      revocation marker (value: Unix ms when revoked), kept
 *   signet:v1:revoked:license:{id}   revocation marker for a licence, kept
 *
 * A consume touches keys of one link and one licence, which hash to different Redis Cluster slots:
 * this needs a single primary (optionally with replicas/Sentinel), not Redis Cluster.
 *
 * Failure mode: commands fail fast (no offline queue, a command timeout) so that a verifier whose
 * Redis is down rejects the method's promise promptly instead of hanging requests; the caller decides
 * what to answer (never "let it through").
 */
import { Redis, type Result } from 'ioredis';

import { redactUrl } from './redact';
import { CONSUME_CODE, CONSUME_LUA, REFUND_LUA } from './redis-scripts';
import {
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

const PREFIX = 'signet:v1:';
/** How long a link's counter outlives the link: long enough to answer the admin API about a recently
 *  expired link, short enough that counters of old links do not pile up forever. */
export const COUNTER_GRACE_SECONDS = 30 * 24 * 3600;

const countKey = (jti: string): string => `${PREFIX}count:${jti}`;
const resumesKey = (jti: string): string => `${PREFIX}resumes:${jti}`;
const linkLicenseKey = (jti: string): string => `${PREFIX}license:${jti}`;
const bytesKey = (jti: string): string => `${PREFIX}bytes:${jti}`;
const lastKey = (jti: string): string => `${PREFIX}last:${jti}`;
const revokedJtiKey = (jti: string): string => `${PREFIX}revoked:jti:${jti}`;
const revokedLicenseKey = (id: LicenseId): string => `${PREFIX}revoked:license:${licenseKey(id)}`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    signetConsume(numKeys: number, ...keysAndArgs: (string | number)[]): Result<[number, number], Context>;
    signetRefund(numKeys: number, ...keysAndArgs: (string | number)[]): Result<number, Context>;
  }
}

export interface RedisStateOptions {
  /** Called with connection errors (ioredis reconnects by itself); the default ignores them. */
  onError?: (err: Error) => void;
  /** How long one command may take before its promise rejects (ms). */
  commandTimeoutMs?: number;
}

export class RedisState implements VerifierState {
  private constructor(private readonly redis: Redis) {}

  /**
   * Connects to `url` (`redis://[:password@]host:port[/db]`, `rediss://` for TLS) and loads the
   * scripts. Rejects when Redis cannot be reached, so a verifier with a wrong URL refuses to start.
   */
  static async connect(url: string, options: RedisStateOptions = {}): Promise<RedisState> {
    const redis = new Redis(url, {
      lazyConnect: true,
      // Fail fast while disconnected: a queued request would hang a customer's download.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      commandTimeout: options.commandTimeoutMs ?? 2000,
      connectTimeout: 5000,
      retryStrategy: (times) => Math.min(times * 100, 2000),
    });
    // ioredis reports why a connection failed (ECONNREFUSED, WRONGPASS…) only as an 'error' event.
    let lastError: Error | undefined;
    redis.on('error', (err: Error) => {
      lastError = err;
      options.onError?.(err);
    });
    redis.defineCommand('signetConsume', { lua: CONSUME_LUA });
    redis.defineCommand('signetRefund', { lua: REFUND_LUA });
    try {
      await redis.connect();
      // Load the script now so the first EVALSHA of every connection finds it.
      await redis.script('LOAD', CONSUME_LUA);
      await redis.script('LOAD', REFUND_LUA);
    } catch (err) {
      redis.disconnect();
      const reason = lastError?.message ?? (err as Error).message;
      throw new Error(`cannot connect to Redis at ${redactUrl(url)}: ${reason}`, { cause: err });
    }
    return new RedisState(redis);
  }

  consume(req: ConsumeRequest): Promise<ConsumeOutcome> {
    return this.run('consume', req);
  }

  resume(req: ConsumeRequest): Promise<ConsumeOutcome> {
    return this.run('resume', req);
  }

  async refund(jti: string, bytes: number): Promise<void> {
    if (!(bytes > 0)) return;
    await this.redis.signetRefund(1, bytesKey(jti), bytes);
  }

  private async run(kind: 'consume' | 'resume', req: ConsumeRequest): Promise<ConsumeOutcome> {
    const keys = [
      countKey(req.jti),
      revokedJtiKey(req.jti),
      resumesKey(req.jti),
      linkLicenseKey(req.jti),
      bytesKey(req.jti),
      lastKey(req.jti),
    ];
    if (req.licenseId !== undefined) keys.push(revokedLicenseKey(req.licenseId));
    const nowSec = Math.floor(Date.now() / 1000);
    // A link's keys are dropped a grace period after the link expired (never in the past, or
    // EXPIREAT would delete the fresh count at once).
    const dropAt = Math.max(req.expires, nowSec) + COUNTER_GRACE_SECONDS;
    const license = req.licenseId === undefined ? '' : licenseKey(req.licenseId);
    const mode =
      kind === 'consume' ? 'consume' : req.fileSize !== undefined ? 'resume-file' : 'resume-redirect';
    const [code, downloads] = await this.redis.signetConsume(
      keys.length,
      ...keys,
      req.max ?? 0,
      dropAt,
      license,
      mode,
      req.bytes ?? 0,
      req.fileSize ?? 0,
      nowSec,
      REDIRECT_RESUME_WINDOW_SECONDS,
      REDIRECT_RESUMES_PER_DOWNLOAD,
    );
    switch (code) {
      case CONSUME_CODE.ok:
        return { outcome: 'ok', downloads };
      case CONSUME_CODE.exhausted:
        return { outcome: 'exhausted', downloads };
      case CONSUME_CODE.revoked:
        return { outcome: 'revoked' };
      default:
        throw new Error(`unexpected reply from the consume script: ${String(code)}`);
    }
  }

  async isRevoked(jti: string, licenseId?: LicenseId): Promise<boolean> {
    const keys = [revokedJtiKey(jti)];
    if (licenseId !== undefined) keys.push(revokedLicenseKey(licenseId));
    return (await this.redis.exists(...keys)) > 0;
  }

  async downloads(jti: string): Promise<number> {
    return Number((await this.redis.get(countKey(jti))) ?? 0);
  }

  async revoke(target: RevocationTarget): Promise<void> {
    await this.redis.set(revocationKey(target), String(Date.now()));
  }

  async unrevoke(target: RevocationTarget): Promise<void> {
    await this.redis.del(revocationKey(target));
  }

  async linkStatus(jti: string): Promise<LinkStatus> {
    // One MGET: the count, the marker and the licence are read at the same instant.
    const [count, marker, license] = await this.redis.mget(
      countKey(jti),
      revokedJtiKey(jti),
      linkLicenseKey(jti),
    );
    const downloads = Number(count ?? 0);
    if (marker !== null && marker !== undefined) return { downloads, revoked: true, revokedBy: 'jti' };
    if (
      license !== null &&
      license !== undefined &&
      (await this.redis.exists(revokedLicenseKey(license))) > 0
    )
      return { downloads, revoked: true, revokedBy: 'license' };
    return { downloads, revoked: false, revokedBy: null };
  }

  async close(): Promise<void> {
    try {
      await this.redis.quit();
    } catch {
      // Already disconnected (Redis went away): nothing left to close gracefully.
      this.redis.disconnect();
    }
  }
}

function revocationKey(target: RevocationTarget): string {
  return 'jti' in target ? revokedJtiKey(target.jti) : revokedLicenseKey(target.licenseId);
}
