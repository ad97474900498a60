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
  | { outcome: 'exhausted'; downloads: number }
  /**
   * Share guard, `block`: the request comes from a network beyond the link's first `blockBeyond`; its
   * network was recorded, nothing was counted or charged.
   */
  | { outcome: 'shared'; downloads: number };

/**
 * The share guard's part of a request (spec "Share guard"). The state records the network (as a keyed
 * hash, see networks.ts) once revocation, limit and budget passed, in the same atomic step as the count.
 */
export interface NetworkGuard {
  /** The client's network, e.g. `203.0.113.0/24` (http/client-network.ts). */
  network: string;
  /** `block`: refuse a network that is not among the link's first `blockBeyond`; absent (`flag`): record only. */
  blockBeyond?: number;
}

export interface ConsumeRequest {
  jti: string;
  licenseId?: LicenseId;
  /** The token's `max`, when it has one. */
  max?: number;
  /** The token's `expires` (Unix seconds): backends may drop a link's counter some time after it. */
  expires: number;
  /**
   * File sources: the bytes this answer is about to send (its range), charged to the link's byte budget
   * (see BYTE_BUDGET_SLACK); what a broken transfer did not send is given back with `refund`.
   */
  bytes?: number;
  /**
   * File sources: the file's size. A `resume` with it is bounded by bytes; without it (S3 and URL
   * sources, where the verifier never sees the bytes) by time and count, see REDIRECT_RESUME_*.
   */
  fileSize?: number;
  /** Share guard on: record (and with `block`, check) the client's network. */
  guard?: NetworkGuard;
}

export type RevocationTarget = { jti: string } | { licenseId: LicenseId };

/**
 * One copy per counted download. A request whose Range starts after byte 0 is a resume: it does not
 * count as a download (spec), but without a bound a `max = 1` link would give unlimited copies (one
 * counted `Range: bytes=0-0`, then `bytes=1-` over and over). The bound is data, not request count:
 *
 * File sources: the bytes sent for one link over its life stay within
 *   counted downloads × file size × BYTE_BUDGET_SLACK
 * Every answer charges the bytes of its range before it sends them (in the same atomic step as the
 * revocation and limit checks), and a transfer that breaks off gives back what it did not send, so an
 * interrupted download can be resumed as often as it takes, while a resume past the budget is refused
 * (410). The slack covers bytes sent twice: what was in flight when a connection broke, overlapping
 * segments of a download manager.
 */
export const BYTE_BUDGET_SLACK_NUMERATOR = 5;
export const BYTE_BUDGET_SLACK_DENOMINATOR = 4;
/** 1.25: the budget of one counted download is a copy and a quarter. */
export const BYTE_BUDGET_SLACK = BYTE_BUDGET_SLACK_NUMERATOR / BYTE_BUDGET_SLACK_DENOMINATOR;

/** The byte budget of a link with `downloads` counted downloads of a file of `fileSize` bytes. */
export function byteBudget(downloads: number, fileSize: number): number {
  return Math.floor((downloads * fileSize * BYTE_BUDGET_SLACK_NUMERATOR) / BYTE_BUDGET_SLACK_DENOMINATOR);
}

/**
 * S3 and URL sources (a 302; the bytes go from the store to the client, unseen): a resume is redirected
 * only within this many seconds after the link's last counted download…
 */
export const REDIRECT_RESUME_WINDOW_SECONDS = 600;
/** …and at most this many times per counted download over the link's life. */
export const REDIRECT_RESUMES_PER_DOWNLOAD = 4;

export interface LinkStatus {
  downloads: number;
  /** Whether requests with this link are refused: its jti, or its licence (once known), is revoked. */
  revoked: boolean;
  /** What the revocation is on; null when not revoked. */
  revokedBy: 'jti' | 'license' | null;
  /** How many networks the share guard recorded for it (at most NETWORKS_PER_LINK; 0 with the guard off). */
  networks: number;
}

export interface VerifierState {
  /** Revocation check, limit check, share guard (with `guard`) and count in one atomic step. */
  consume(req: ConsumeRequest): Promise<ConsumeOutcome>;
  /**
   * A resume (a Range starting after byte 0), in one atomic step: refused when revoked; counted as the
   * first download when the link has none yet (then held to `max`); otherwise not counted, and allowed
   * (charging `bytes`) while the link stays within its byte budget (with `fileSize`), or (without) within
   * REDIRECT_RESUME_WINDOW_SECONDS of its last counted download and REDIRECT_RESUMES_PER_DOWNLOAD
   * resumes per counted download; 'exhausted' otherwise. With `guard`, the share guard comes last (after
   * those checks, before anything is counted or charged), as for a consume.
   */
  resume(req: ConsumeRequest): Promise<ConsumeOutcome>;
  /** Gives back `bytes` charged by consume/resume that a broken transfer did not send. */
  refund(jti: string, bytes: number): Promise<void>;
  /** Revocation check without counting (HEAD requests, 304 and 416 answers). */
  isRevoked(jti: string, licenseId?: LicenseId): Promise<boolean>;
  /**
   * Share guard, `block`, for requests that never record (HEAD): whether a request from `network` would
   * pass the guard, i.e. the network is among the link's first `blockBeyond`, or the link has fewer.
   */
  networkAllowed(jti: string, network: string, blockBeyond: number): Promise<boolean>;
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
