import {
  DIRECT_MAX_SECONDS,
  LinkCreateForKeySchema,
  LinkCreateSchema,
  LinkReissueSchema,
  LinksPageInputSchema,
  type LinkCreated,
  type LinkCreateForKeyInput,
  type LinkCreateInput,
  type LinkReissueInput,
  type LinksPage,
  type LinksPageInput,
  type LinkUsage,
  type LinkView,
} from '@shared/links/schemas';
import { PUBLIC_ACCESS } from '@shared/library/schemas';
import type { BucketRepository } from '../../repositories/bucket-repository';
import type { CatalogRepository } from '../../repositories/catalog-repository';
import type { LinkRecord, LinkRepository, StoredLink } from '../../repositories/link-repository';
import type { AccountService } from '../accounts/account-service';
import type { ActivityService } from '../activity-service';
import type { Clock } from '../clock';
import { UserFacingError } from '../errors';
import type { Notice, Notifier } from '../notifier';
import type { SettingsService } from '../settings-service';
import type { StorageGateways } from '../storage/storage-gateways';
import { LinkBuilder, type LinkFields, type LinkTarget, type VerifierIssuer } from './link-builder';
import type { SigningKeyService } from './signing-key-service';
import type { VerifierAdminClient } from './verifier-admin';

// Where the link batch, the tests and the bench have always found them.
export { attachmentHeader, type LinkFields, type LinkTarget, type VerifierIssuer } from './link-builder';

export interface LinkServiceDeps {
  links: LinkRepository;
  catalog: CatalogRepository;
  buckets: BucketRepository;
  accounts: AccountService;
  keys: SigningKeyService;
  gateways: StorageGateways;
  settings: SettingsService;
  admin: VerifierAdminClient;
  activity: ActivityService;
  clock: Clock;
  /**
   * Tells the owner when a link turns shared (the desktop app; the command line has none and prints instead).
   * Each link is announced once, by the first process with a notifier that sees it shared.
   */
  notifier?: Notifier | null;
  /** Called with the links just announced as shared (the app refreshes the window's ledger). */
  onShared?: (jtis: string[]) => void;
}

const invalid = (message: string) => new UserFacingError('invalid-input', message);

/** LinkCreated.warnings when the active key is in no exported verifier config yet. */
export const KEY_NOT_EXPORTED_WARNING =
  'Your verifier does not know the current signing key yet: export the verifier config (Settings → Links) and ' +
  'install it, or this link will be refused.';

/**
 * Download links: verifier links (a token per download-token-v1, checked by the shop's verifier) and direct
 * pre-signed storage URLs; the ledger; revocation and usage through the verifier's admin API.
 */
export class LinkService {
  /** Builds the links (tokens, pre-signed URLs, ledger rows); this class stores them and keeps the ledger. */
  private readonly build: LinkBuilder;

  constructor(private readonly deps: LinkServiceDeps) {
    this.build = new LinkBuilder(deps);
  }

  /** A link for a catalog object (the library table's row). */
  async create(input: LinkCreateInput): Promise<LinkCreated> {
    const { objectId, ...fields } = LinkCreateSchema.parse(input);
    const object = this.deps.catalog.get(objectId);
    if (!object)
      throw new UserFacingError('not-found', 'That file is no longer in the library; sync the bucket.');
    const bucket = this.deps.buckets.get(object.bucketId);
    if (!bucket) throw new UserFacingError('not-found', 'That file’s bucket is no longer in the library.');
    return this.issue(
      {
        accountId: bucket.accountId,
        accountName: bucket.accountName,
        bucketId: bucket.id,
        bucket: bucket.name,
        key: object.key,
        access: object.access,
      },
      fields,
    );
  }

  /** A link for an object named by account, bucket and key (it need not be in the catalog). */
  async createForKey(input: LinkCreateForKeyInput): Promise<LinkCreated> {
    const { accountId, bucket, key, ...fields } = LinkCreateForKeySchema.parse(input);
    return this.issue(this.target(accountId, bucket, key), fields);
  }

  /** Resolves account, bucket row and catalog access of a key. */
  target(accountId: string, bucket: string, key: string): LinkTarget {
    const account = this.deps.accounts.find(accountId);
    if (!account) throw new UserFacingError('not-found', 'That storage account does not exist (any more).');
    const row = this.deps.buckets.byName(accountId, bucket);
    const object = row ? this.deps.catalog.getByKey(row.id, key) : null;
    return {
      accountId,
      accountName: account.name,
      bucketId: row?.id ?? null,
      bucket,
      key,
      access: object?.access ?? null,
    };
  }

  async issue(target: LinkTarget, fields: LinkFields): Promise<LinkCreated> {
    const now = this.deps.clock.now();
    const issuer = fields.kind === 'verifier' ? await this.verifierIssuer() : null;
    const record = issuer
      ? this.build.verifierLink(issuer, target, fields, now)
      : await this.build.directLink(target, fields, now);
    this.deps.links.insert(record);
    this.deps.activity.record(
      'links',
      `Made a ${fields.kind} link for ${target.key}${fields.orderId ? ` (order ${fields.orderId})` : ''}, ` +
        `valid until ${record.expiresAt}.`,
    );
    return { ...this.view(record.jti), warnings: this.warningsFor(issuer, target) };
  }

  /** What the owner should know about a new link: a key the verifier does not know yet, a public file. */
  private warningsFor(issuer: VerifierIssuer | null, target: LinkTarget): string[] {
    const warnings: string[] = [];
    if (issuer && issuer.key.exportedAt === null) warnings.push(KEY_NOT_EXPORTED_WARNING);
    if (target.access && PUBLIC_ACCESS.has(target.access)) {
      warnings.push(
        `This file is ${target.access === 'public' ? 'public' : 'public through its bucket'}: anyone can download ` +
          'it without a link. Make it private so that only your links work.',
      );
    }
    return warnings;
  }

  /**
   * A new link for the same file, order, customer, note and download name, in place of `jti` (the customer's
   * "my link stopped working", or a link seen shared). Everything that can fail locally (the account, the
   * expiry, the signing key) is checked and the new link built first; then the old verifier link is revoked at
   * the verifier; only then is anything written. When the verifier cannot be reached or refuses, nothing is
   * written: the old link keeps working, no new link exists, and the error says so. A direct link cannot be
   * revoked: it is marked replaced and works until it expires (a warning says until when).
   */
  async reissue(input: LinkReissueInput): Promise<LinkCreated> {
    const { jti, expiry, maxDownloads } = LinkReissueSchema.parse(input);
    const old = this.stored(jti);
    if (old.replacedBy !== null) {
      throw new UserFacingError(
        'conflict',
        `This link was already reissued: the link ${old.replacedBy} replaced it. Reissue that one instead.`,
      );
    }
    if (old.kind === 'direct' && maxDownloads !== undefined && maxDownloads !== null) {
      throw invalid('A direct storage link cannot limit downloads; use a verifier link or no limit.');
    }
    const target = this.target(old.accountId, old.bucket, old.key);
    const defaultSeconds = this.deps.settings.get().defaultLinkExpiryHours * 3600;
    const fields: LinkFields = {
      kind: old.kind,
      productSlug: old.productSlug,
      orderId: old.orderId,
      email: old.email,
      note: old.note,
      maxDownloads:
        old.kind === 'direct' ? null : maxDownloads !== undefined ? maxDownloads : old.maxDownloads,
      filename: old.filename,
      expiry: expiry ?? {
        type: 'seconds',
        seconds: old.kind === 'direct' ? Math.min(defaultSeconds, DIRECT_MAX_SECONDS) : defaultSeconds,
      },
    };
    const now = this.deps.clock.now();
    const issuer = fields.kind === 'verifier' ? await this.verifierIssuer() : null;
    const record = issuer
      ? this.build.verifierLink(issuer, target, fields, now)
      : await this.build.directLink(target, fields, now);
    let revokedAt: string | null = null;
    if (old.kind === 'verifier' && old.revokedAt === null) {
      try {
        await this.deps.admin.revoke({ jti: old.jti });
      } catch (err) {
        if (!(err instanceof UserFacingError)) throw err;
        throw new UserFacingError(
          err.code,
          `${err.message} The old link still works and no new link was made: reissue it again once the ` +
            'verifier answers.',
        );
      }
      revokedAt = this.nowIso();
    }
    if (!this.deps.links.insertReplacement(record, old.jti, revokedAt)) {
      if (revokedAt !== null) this.deps.links.markRevoked(old.jti, revokedAt);
      throw new UserFacingError(
        'conflict',
        'This link was reissued meanwhile (in another window or by the command line): its new link is in the ' +
          'ledger.',
      );
    }
    const order = old.orderId ? ` (order ${old.orderId})` : '';
    this.deps.activity.record(
      'links',
      `Reissued the link ${old.jti} for ${old.key}${order} as ${record.jti}, valid until ${record.expiresAt}; ` +
        (old.kind === 'direct'
          ? `the old direct link is marked replaced and works until ${old.expiresAt}.`
          : old.revokedAt === null
            ? 'the old link was revoked.'
            : 'the old link was already revoked.'),
    );
    const warnings = this.warningsFor(issuer, target);
    if (old.kind === 'direct' && old.expiresAt > now.toISOString()) {
      warnings.push(
        `The old link is a direct storage link: it cannot be revoked and keeps working until ${old.expiresAt}. ` +
          'To stop it sooner, make the file private or rename it.',
      );
    }
    return { ...this.view(record.jti), warnings };
  }

  /** The verifier address and active key: needed before any verifier link (LinkBuilder.verifierIssuer). */
  verifierIssuer(): Promise<VerifierIssuer> {
    return this.build.verifierIssuer();
  }

  /** Builds (without storing) a verifier link and its ledger row; the batch stores 10,000 in one transaction. */
  verifierLink(issuer: VerifierIssuer, target: LinkTarget, fields: LinkFields, now: Date): LinkRecord {
    return this.build.verifierLink(issuer, target, fields, now);
  }

  list(input: LinksPageInput = {}): LinksPage {
    const page = this.deps.links.page(LinksPageInputSchema.parse(input), this.nowIso());
    return { rows: page.rows.map(toView), next: page.next };
  }

  get(jti: string): LinkView {
    return this.view(jti);
  }

  /**
   * Revokes a verifier link: first at the verifier (its admin API), then in the ledger. When the verifier
   * cannot be reached or refuses, nothing is marked and the error says so.
   */
  async revoke(jti: string): Promise<LinkView> {
    const link = this.stored(jti);
    if (link.kind === 'direct') {
      throw new UserFacingError(
        'conflict',
        'A direct storage link cannot be revoked: it works until it expires. (Make the file private or rename it to ' +
          'stop it sooner.)',
      );
    }
    if (link.revokedAt !== null) return toView(link);
    await this.deps.admin.revoke({ jti });
    this.deps.links.markRevoked(jti, this.nowIso());
    this.deps.activity.record(
      'links',
      `Revoked the link ${jti} for ${link.key}${link.orderId ? ` (order ${link.orderId})` : ''}.`,
    );
    return this.view(jti);
  }

  /**
   * Asks the verifier how often each verifier link was downloaded, from how many networks, and whether it is
   * shared; stores and answers the result. A link seen shared for the first time goes into the activity log, and
   * (where there is a notifier) the owner is told once.
   */
  async usage(jtis: readonly string[]): Promise<LinkUsage> {
    const links = jtis.map((jti) => this.stored(jti));
    const verifierLinks = links.filter((l) => l.kind === 'verifier');
    const turnedShared: { link: StoredLink; networks: number | null }[] = [];
    let next = 0;
    const worker = async () => {
      while (next < verifierLinks.length) {
        const link = verifierLinks[next++]!;
        const status = await this.deps.admin.linkStatus(link.jti);
        const at = this.nowIso();
        if (this.deps.links.recordUsage(link.jti, status, at)) {
          this.deps.activity.record(
            'links',
            `The link ${link.jti} for ${link.key}${link.orderId ? ` (order ${link.orderId})` : ''} was used from ` +
              `${status.networks ?? 'too many'} places: it is shared.`,
          );
        }
        if (status.revoked) this.deps.links.markRevoked(link.jti, at);
        // Claimed even for a link no longer in use (revoked, replaced), so it is never announced later.
        const claimed =
          status.shared === true && this.deps.notifier && this.deps.links.claimSharedNotice(link.jti, at);
        if (claimed && !status.revoked && link.revokedAt === null && link.replacedBy === null) {
          turnedShared.push({ link, networks: status.networks });
        }
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.min(8, verifierLinks.length) }, worker));
    } finally {
      // Also when the verifier failed half-way: the links claimed so far are announced, not lost.
      if (turnedShared.length > 0) this.announceShared(turnedShared);
    }
    return { rows: links.map((l) => this.view(l.jti)) };
  }

  /**
   * One pass of the app's background share check: up to `limit` active verifier links not yet seen shared, the
   * longest unchecked first, asked about in batches. Answers how many were asked about.
   */
  async checkDueForSharing(limit: number): Promise<number> {
    const jtis = this.deps.links.dueForShareCheck(this.nowIso(), limit);
    for (let i = 0; i < jtis.length; i += 500) await this.usage(jtis.slice(i, i + 500));
    return jtis.length;
  }

  private announceShared(turned: { link: StoredLink; networks: number | null }[]): void {
    const block = this.deps.settings.get().shareAction === 'block';
    try {
      this.deps.notifier?.notify(sharedNotice(turned, block));
    } catch {
      // A notification that cannot be shown loses nothing: the ledger marks the links Shared.
    }
    this.deps.onShared?.(turned.map((t) => t.link.jti));
  }

  private stored(jti: string): StoredLink {
    const link = this.deps.links.get(jti, this.nowIso());
    if (!link) throw new UserFacingError('not-found', `There is no link ${jti} in the ledger.`);
    return link;
  }

  private view(jti: string): LinkView {
    return toView(this.stored(jti));
  }

  private nowIso(): string {
    return this.deps.clock.now().toISOString();
  }
}

/** "guide.pdf (order 1042)": how a notice names a link. */
function linkName(link: StoredLink): string {
  const name = link.key.split('/').filter(Boolean).pop() ?? link.key;
  return link.orderId ? `${name} (order ${link.orderId})` : link.email ? `${name} (${link.email})` : name;
}

/** The desktop notice for links just seen shared, in plain words: what happened and what to do. */
export function sharedNotice(
  turned: { link: StoredLink; networks: number | null }[],
  block: boolean,
): Notice {
  const after = block
    ? 'Your verifier now refuses it in new places. '
    : 'It still works everywhere (the share guard only flags it). ';
  if (turned.length === 1) {
    const { link, networks } = turned[0]!;
    return {
      title: 'A download link is being shared',
      body:
        `The link for ${linkName(link)} was used from ${networks ?? 'too many'} different places. ${after}` +
        'Open Links in Signet to revoke it or reissue a new one for the customer.',
    };
  }
  const names = turned.slice(0, 3).map((t) => linkName(t.link));
  const more = turned.length > 3 ? ` and ${turned.length - 3} more` : '';
  return {
    title: `${turned.length} download links are being shared`,
    body:
      `Used from more places than your share guard allows: ${names.join(', ')}${more}. ` +
      `${block ? 'Your verifier now refuses them in new places. ' : ''}Open Links in Signet to revoke or reissue them.`,
  };
}

function toView(link: StoredLink): LinkView {
  const { kid: _kid, ...view } = link;
  return view;
}
