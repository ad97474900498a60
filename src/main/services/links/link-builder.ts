import { create as createDisposition } from 'content-disposition';
import {
  DIRECT_MAX_SECONDS,
  defaultFilename,
  expiryProblem,
  resolveExpiry,
  type ExpiryInput,
  type LinkCreate,
  type LinkKind,
} from '@shared/links/schemas';
import type { AccessType } from '@shared/library/schemas';
import { generateJti, issueToken, TokenPayloadError, type TokenPayload } from '@shared-node/token';
import type { LinkRecord } from '../../repositories/link-repository';
import type { AccountService } from '../accounts/account-service';
import { UserFacingError } from '../errors';
import type { SettingsService } from '../settings-service';
import type { StorageGateways } from '../storage/storage-gateways';
import type { SigningKey, SigningKeyService } from './signing-key-service';

/** The file a link is for. */
export interface LinkTarget {
  accountId: string;
  accountName: string;
  bucketId: number | null;
  bucket: string;
  key: string;
  /** From the catalog (null when the object is not in it). */
  access: AccessType | null;
}

/** The customer fields of a link (already validated by the contract's schema). */
export type LinkFields = Omit<LinkCreate, 'objectId'>;

/** What verifier links of one run share: the verifier address and the active key (looked up once). */
export interface VerifierIssuer {
  base: string;
  key: SigningKey;
}

const invalid = (message: string) => new UserFacingError('invalid-input', message);

/** `attachment; filename="…"; filename*=UTF-8''…` with a pure-ASCII plain name (safe in an S3 query parameter). */
export function attachmentHeader(filename: string): string {
  const fallback = filename
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[^\x20-\x7e]|[%"\\]/gu, '_');
  return createDisposition(filename, {
    type: 'attachment',
    fallback: fallback.trim() === '' ? 'download' : fallback,
  });
}

/**
 * Builds links without storing them: a verifier link's token (download-token-v1) and URL, or a direct pre-signed
 * storage URL, each with its ledger row. LinkService stores them and keeps the ledger; a batch builds 10,000 at a
 * time, so the verifier link is synchronous and remembers what it looked up.
 */
export class LinkBuilder {
  /**
   * Each account's verifier store, remembered per account id (a batch asks for the same one 10,000 times). An
   * account's store never changes (migration 008), so nothing here goes stale; ids are never reused.
   */
  private readonly stores = new Map<string, string>();

  constructor(
    private readonly deps: {
      settings: SettingsService;
      keys: SigningKeyService;
      accounts: AccountService;
      gateways: StorageGateways;
    },
  ) {}

  /** The verifier address and active key: needed before any verifier link. */
  async verifierIssuer(): Promise<VerifierIssuer> {
    const base = this.deps.settings.get().verifierBaseUrl.replace(/\/+$/, '');
    if (base === '') {
      throw new UserFacingError(
        'conflict',
        'Set your verifier’s address in Settings first (or make a direct storage link).',
      );
    }
    return { base, key: await this.deps.keys.activeKey() };
  }

  /** Builds (without storing) a verifier link: the token per download-token-v1 and its ledger row. Synchronous. */
  verifierLink(issuer: VerifierIssuer, target: LinkTarget, fields: LinkFields, now: Date): LinkRecord {
    const expiresAt = this.checkedExpiry('verifier', fields.expiry, now);
    const jti = generateJti();
    const filename = fields.filename || defaultFilename(target.key);
    const payload: TokenPayload = {
      product_slug: fields.productSlug,
      expires: Math.floor(expiresAt.getTime() / 1000),
      jti,
      src: {
        type: 's3',
        store: this.storeOf(target.accountId),
        bucket: target.bucket,
        key: target.key,
      },
      // undefined leaves the field out of the JSON (no spread of a temporary object per link)
      license_id: fields.orderId !== '' ? fields.orderId : undefined,
      max: fields.maxDownloads !== null ? fields.maxDownloads : undefined,
      filename,
      iat: Math.floor(now.getTime() / 1000),
    };
    let token: string;
    try {
      token = issueToken(payload, issuer.key.kid, issuer.key.secret);
    } catch (err) {
      if (err instanceof TokenPayloadError) {
        throw invalid(`This link cannot be made: ${err.field} ${err.message.replace(/^.*": /, '')}.`);
      }
      throw invalid(`This link cannot be made: ${(err as Error).message}.`);
    }
    const url = `${issuer.base}/downloads/${encodeURIComponent(fields.productSlug)}?token=${token}`;
    return this.record(target, fields, now, expiresAt, filename, jti, 'verifier', issuer.key.kid, url);
  }

  /** The account's fixed verifier store (not derived from its name: a rename must not break links). */
  private storeOf(accountId: string): string {
    let store = this.stores.get(accountId);
    if (store === undefined) {
      const found = this.deps.accounts.verifierStore(accountId);
      if (found === null)
        throw new UserFacingError('not-found', 'That storage account does not exist (any more).');
      store = found;
      if (this.stores.size > 1000) this.stores.clear();
      this.stores.set(accountId, store);
    }
    return store;
  }

  /** Builds (without storing) a direct link: a pre-signed storage URL that ends at its expiry, and its ledger row. */
  async directLink(target: LinkTarget, fields: LinkFields, now: Date): Promise<LinkRecord> {
    if (fields.maxDownloads !== null) {
      throw invalid('A direct storage link cannot limit downloads; use a verifier link or no limit.');
    }
    const expiresAt = this.checkedExpiry('direct', fields.expiry, now);
    const expiresIn = Math.floor(expiresAt.getTime() / 1000) - Math.floor(now.getTime() / 1000);
    const gateway = await this.deps.gateways.for(target.accountId);
    const credentials = gateway.account.credentials as typeof gateway.account.credentials & {
      expiration?: Date;
    };
    if (credentials.expiration instanceof Date && expiresAt > credentials.expiration) {
      throw invalid(
        `This account’s temporary credentials end at ${credentials.expiration.toISOString()}; a direct link cannot ` +
          'outlive them. Choose an earlier expiry or a verifier link.',
      );
    }
    if (credentials.sessionToken && !(credentials.expiration instanceof Date)) {
      throw invalid(
        'This account uses temporary credentials (a session token) and Signet does not know when they end, so a ' +
          'direct link could stop working before its expiry. Make a verifier link instead.',
      );
    }
    const filename = fields.filename || defaultFilename(target.key);
    const url = gateway.presign(target.bucket, target.key, {
      expiresIn: Math.min(expiresIn, DIRECT_MAX_SECONDS),
      query: { 'response-content-disposition': attachmentHeader(filename) },
    });
    return this.record(target, fields, now, expiresAt, filename, generateJti(), 'direct', null, url);
  }

  /** One literal per ledger row (a batch builds 10,000 of them). */
  private record(
    target: LinkTarget,
    fields: LinkFields,
    now: Date,
    expiresAt: Date,
    filename: string,
    jti: string,
    kind: LinkKind,
    kid: string | null,
    url: string,
  ): LinkRecord {
    return {
      jti,
      kind,
      kid,
      url,
      bucketId: target.bucketId,
      accountId: target.accountId,
      accountName: target.accountName,
      bucket: target.bucket,
      key: target.key,
      productSlug: fields.productSlug,
      orderId: fields.orderId,
      email: fields.email,
      note: fields.note,
      maxDownloads: fields.maxDownloads,
      filename,
      createdAt: now.toISOString(),
      expiresAt: expiresAt.toISOString(),
    };
  }

  /** The expiry a link of `kind` gets, or the plain reason it cannot have it. */
  checkedExpiry(kind: LinkKind, expiry: ExpiryInput, now: Date): Date {
    const expiresAt = resolveExpiry(expiry, now);
    const problem = expiryProblem(kind, expiresAt, now);
    if (problem) throw invalid(problem);
    return expiresAt;
  }
}
