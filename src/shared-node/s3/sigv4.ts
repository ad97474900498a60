/**
 * AWS Signature Version 4 query signing ("pre-signed URLs") for S3, synchronous and allocation-light.
 *
 * Why not the SDK's presigner on the hot path: `getSignedUrl` costs about 1 ms per URL (middleware stack,
 * endpoint resolution), and even a prepared `S3RequestPresigner.presign()` costs about 100 µs here (a
 * chain of promises, request cloning, generic header handling), which alone would cap the verifier's 302
 * path far below nginx. The algorithm itself is two SHA-256 passes over a few hundred bytes. This module
 * does only that, with the signing key (and its HMAC key blocks, the scope and the credential) cached per
 * day, and each signature made of one-shot SHA-256 calls (crypto.hash) rather than Hash/Hmac objects.
 * The app and the verifier both sign with it (the host and path come from location.ts).
 * test/unit/sigv4-signer.test.ts and s3-location.test.ts check that its URLs are byte-identical to
 * getSignedUrl's, and test/integration/verifier-s3.test.ts that Ceph accepts them (and refuses them once
 * expired).
 *
 * Reference: https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html
 */
import { createHmac, hash } from 'node:crypto';

import { encodeRfc3986 } from './encode';

export { encodeRfc3986 } from './encode';

/** S3 refuses pre-signed URLs valid for longer than seven days. */
export const SIGV4_MAX_EXPIRES_SECONDS = 7 * 24 * 3600;

export interface SigV4Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface SigV4Request {
  method: 'GET' | 'HEAD';
  /** The Host header as sent: host name, plus `:port` when not the scheme's default. */
  host: string;
  /** The request path exactly as it goes on the wire (already percent-encoded; S3 signs it as is). */
  path: string;
  /** Query parameters besides the X-Amz-* ones this signer adds (raw, unencoded). */
  query: Readonly<Record<string, string>>;
  expiresIn: number;
  signingDate: Date;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';
const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
/** The last of the X-Amz-* parameters in canonical order (the signature itself goes after all). */
const LAST_FIXED_PARAM = 'X-Amz-SignedHeaders';

const byNameThenValue = (a: [string, string], b: [string, string]): number =>
  a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;

export class SigV4QuerySigner {
  private readonly encodedAccessKeyId: string;
  private readonly encodedSessionToken: string | undefined;
  private readonly secretKey: Buffer;
  /** The derived signing key of the last day used (it only depends on the date, region and service). */
  private keyDate = '';
  private signingKey: Buffer = Buffer.alloc(0);
  /** HMAC key blocks of signingKey (RFC 2104), so each signature is two one-shot SHA-256 calls. */
  private innerPad = Buffer.alloc(0);
  private outerPad = Buffer.alloc(0);
  /** `X-Amz-Credential` value and the credential scope of keyDate. */
  private credential = '';
  private scope = '';
  /** `YYYYMMDDTHHMMSSZ` of the last second used: consecutive requests share it. */
  private lastSecond = -1;
  private lastAmzDate = '';

  constructor(
    credentials: SigV4Credentials,
    private readonly region: string,
    private readonly service = 's3',
  ) {
    this.encodedAccessKeyId = encodeRfc3986(credentials.accessKeyId);
    this.encodedSessionToken =
      credentials.sessionToken === undefined ? undefined : encodeRfc3986(credentials.sessionToken);
    this.secretKey = Buffer.from(`AWS4${credentials.secretAccessKey}`, 'utf8');
  }

  /** The query string of the signed URL (canonical order, `X-Amz-Signature` last), without the `?`. */
  sign(req: SigV4Request): string {
    if (!Number.isInteger(req.expiresIn) || req.expiresIn < 1 || req.expiresIn > SIGV4_MAX_EXPIRES_SECONDS) {
      throw new RangeError(`expiresIn must be an integer from 1 to ${SIGV4_MAX_EXPIRES_SECONDS} seconds`);
    }
    const amzDate = this.amzDate(req.signingDate);
    this.prepareDay(amzDate.slice(0, 8));

    // The X-Amz-* parameters are already in canonical order; extra parameters that all sort after them
    // (lower-case names such as response-content-disposition, the usual case) are sorted among
    // themselves and appended. Anything else takes the general path: everything sorted together.
    let query =
      `X-Amz-Algorithm=${ALGORITHM}&X-Amz-Content-Sha256=${UNSIGNED_PAYLOAD}` +
      `&X-Amz-Credential=${this.credential}&X-Amz-Date=${amzDate}&X-Amz-Expires=${req.expiresIn}`;
    if (this.encodedSessionToken !== undefined) query += `&X-Amz-Security-Token=${this.encodedSessionToken}`;
    query += '&X-Amz-SignedHeaders=host';
    let extra: [string, string][] | undefined;
    let simple = true;
    for (const k in req.query) {
      const name = encodeRfc3986(k);
      if (name <= LAST_FIXED_PARAM) simple = false;
      (extra ??= []).push([name, encodeRfc3986(req.query[k] as string)]);
    }
    if (extra !== undefined) {
      if (simple) {
        if (extra.length > 1) extra.sort(byNameThenValue);
        for (const [k, v] of extra) query += `&${k}=${v}`;
      } else {
        query = this.generalQuery(amzDate, req.expiresIn, extra);
      }
    }

    const canonicalRequest = `${req.method}\n${req.path}\n${query}\nhost:${req.host}\n\nhost\n${UNSIGNED_PAYLOAD}`;
    const stringToSign = `${ALGORITHM}\n${amzDate}\n${this.scope}\n${hash('sha256', canonicalRequest)}`;
    return `${query}&X-Amz-Signature=${this.hmacHex(stringToSign)}`;
  }

  /** Every parameter sorted together by encoded name, then value (code unit order). */
  private generalQuery(amzDate: string, expiresIn: number, extra: [string, string][]): string {
    const params: [string, string][] = [
      ['X-Amz-Algorithm', ALGORITHM],
      ['X-Amz-Content-Sha256', UNSIGNED_PAYLOAD],
      ['X-Amz-Credential', this.credential],
      ['X-Amz-Date', amzDate],
      ['X-Amz-Expires', String(expiresIn)],
      ['X-Amz-SignedHeaders', 'host'],
    ];
    if (this.encodedSessionToken !== undefined)
      params.push(['X-Amz-Security-Token', this.encodedSessionToken]);
    params.push(...extra);
    params.sort(byNameThenValue);
    let query = '';
    for (const [k, v] of params) query += query === '' ? `${k}=${v}` : `&${k}=${v}`;
    return query;
  }

  /** HMAC-SHA256(signingKey, text) in hex: SHA-256 over the prepared key blocks (RFC 2104). */
  private hmacHex(text: string): string {
    const n = Buffer.byteLength(text);
    if (this.innerPad.length < 64 + n) {
      const grown = Buffer.alloc(64 + Math.max(n, 512));
      this.innerPad.copy(grown, 0, 0, 64);
      this.innerPad = grown;
    }
    this.innerPad.write(text, 64);
    hash('sha256', this.innerPad.subarray(0, 64 + n), 'buffer').copy(this.outerPad, 64);
    return hash('sha256', this.outerPad);
  }

  /** Signing key, key blocks, scope and credential for `day` (recomputed once a day). */
  private prepareDay(day: string): void {
    if (day === this.keyDate && this.innerPad.length > 0) return;
    const key = this.keyFor(day);
    const inner = Buffer.alloc(64 + 512);
    const outer = Buffer.alloc(64 + 32);
    for (let i = 0; i < 64; i++) {
      const k = i < key.length ? (key[i] as number) : 0;
      inner[i] = k ^ 0x36;
      outer[i] = k ^ 0x5c;
    }
    this.innerPad = inner;
    this.outerPad = outer;
    this.scope = `${day}/${this.region}/${this.service}/aws4_request`;
    this.credential = `${this.encodedAccessKeyId}%2F${encodeRfc3986(this.scope)}`;
  }

  private keyFor(day: string): Buffer {
    if (day !== this.keyDate) {
      const kDate = createHmac('sha256', this.secretKey).update(day).digest();
      const kRegion = createHmac('sha256', kDate).update(this.region).digest();
      const kService = createHmac('sha256', kRegion).update(this.service).digest();
      this.signingKey = createHmac('sha256', kService).update('aws4_request').digest();
      this.keyDate = day;
    }
    return this.signingKey;
  }

  private amzDate(date: Date): string {
    const second = Math.floor(date.getTime() / 1000);
    if (second !== this.lastSecond) {
      // 2024-02-02T12:00:00.000Z -> 20240202T120000Z
      const iso = new Date(second * 1000).toISOString();
      this.lastAmzDate = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
      this.lastSecond = second;
    }
    return this.lastAmzDate;
  }
}
