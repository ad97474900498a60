/**
 * Where the verifier keeps what a token cannot carry: revocations and download counts.
 * Two implementations share this contract: SQLite (one instance, embedded) and Redis (several
 * instances behind a load balancer). Each method is a single atomic step in its backend.
 */

/** A licence id as it appears in tokens and in the admin API; 42 and "42" name the same licence. */
export type LicenseId = number | string;

export type ConsumeOutcome =
  /** The download was counted (and was within the limit, if any). */
  | { outcome: 'ok'; downloads: number }
  /** The jti or the licence id is revoked; nothing was counted. */
  | { outcome: 'revoked' }
  /** `max` downloads were already counted; nothing was counted. */
  | { outcome: 'exhausted'; downloads: number };

export interface ConsumeRequest {
  jti: string;
  licenseId?: LicenseId;
  /** The token's `max`, when it has one. */
  max?: number;
  /** The token's `expires` (Unix seconds): backends may drop a link's counter some time after it. */
  expires: number;
}

export type RevocationTarget = { jti: string } | { licenseId: LicenseId };

/**
 * Later byte ranges of a file (a resumed or segmented download) do not count as downloads (spec), but
 * without a bound a link with `max = 1` would give unlimited copies: one counted `Range: bytes=0-0`, then
 * `bytes=1-` over and over. So each counted download allows this many resumes; a download manager that
 * splits a file into 8 segments and retries a few fits well inside it.
 */
export const RESUMES_PER_DOWNLOAD = 16;

export interface LinkStatus {
  downloads: number;
  /** Whether requests with this link are refused: its jti, or its licence (once known), is revoked. */
  revoked: boolean;
  /** What the revocation is on; null when not revoked. */
  revokedBy: 'jti' | 'license' | null;
}

export interface VerifierState {
  /** Revocation check, limit check and count in one atomic step. */
  consume(req: ConsumeRequest): Promise<ConsumeOutcome>;
  /**
   * A later byte range of a file, in one atomic step: refused when revoked; counted as the first download
   * when the link has none yet (then held to `max`); otherwise allowed while the link has used fewer than
   * RESUMES_PER_DOWNLOAD resumes per counted download ('exhausted' after that), not counted as a download.
   */
  resume(req: ConsumeRequest): Promise<ConsumeOutcome>;
  /** Revocation check without counting (HEAD requests, 304 and 416 answers). */
  isRevoked(jti: string, licenseId?: LicenseId): Promise<boolean>;
  /** How many downloads a link has had so far (0 when never seen). */
  downloads(jti: string): Promise<number>;
  revoke(target: RevocationTarget): Promise<void>;
  unrevoke(target: RevocationTarget): Promise<void>;
  linkStatus(jti: string): Promise<LinkStatus>;
  close(): Promise<void>;
}

/** Licence ids are compared by their decimal/string form so that 42 and "42" are one licence. */
export function licenseKey(id: LicenseId): string {
  return String(id);
}
