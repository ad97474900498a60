import { randomBytes } from 'node:crypto';
import type { SigningKeyView } from '@shared/links/schemas';
import { b64uEncode, parseSecret } from '@shared-node/token';
import type { SigningKeyRepository } from '../../repositories/signing-key-repository';
import type { ActivityService } from '../activity-service';
import type { Clock } from '../clock';
import { UserFacingError } from '../errors';
import type { SecretStore } from '../secret-store';

/** The keychain entry of a signing key's secret (43 base64url characters). */
export function signingKeyEntry(kid: string): string {
  return `signing-key:${kid}`;
}

export interface SigningKey {
  kid: string;
  secret: Uint8Array;
  /**
   * When a verifier config holding the key was last written; null when never (a link signed with it is refused
   * until the owner exports and installs the config).
   */
  exportedAt: string | null;
}

/**
 * Token signing keys: 32 random bytes each, kept in the OS keychain only; SQLite holds the kid, dates and
 * which key is active. Rotation = a new active key; older keys keep verifying (they stay in verifier configs)
 * until retired. Secrets are cached in memory after the first keychain read (issuing thousands of links must
 * not ask the keychain each time).
 */
export class SigningKeyService {
  private readonly cache = new Map<string, Uint8Array>();

  constructor(
    private readonly deps: {
      repo: SigningKeyRepository;
      secrets: SecretStore;
      activity: ActivityService;
      clock: Clock;
      /** Where a failed keychain clean-up is reported: the entry's name and the keychain's message, never a secret. */
      log?: (message: string) => void;
    },
  ) {}

  private logKeychain(what: string, err: unknown): void {
    (this.deps.log ?? ((m: string) => console.error(m)))(
      `Signet could not ${what} (${err instanceof Error ? err.message : String(err)})`,
    );
  }

  list(): SigningKeyView[] {
    return this.deps.repo.list();
  }

  /** A new key, now the active one. The secret goes to the keychain first: no row without its secret. */
  async create(): Promise<SigningKeyView> {
    const now = this.deps.clock.now();
    const kid = `k${now.toISOString().slice(0, 10).replace(/-/g, '')}-${randomBytes(6).toString('base64url')}`;
    const secret = randomBytes(32);
    await this.deps.secrets.set(signingKeyEntry(kid), b64uEncode(secret));
    try {
      this.deps.repo.insertActive(kid, now.toISOString());
    } catch (err) {
      await this.deps.secrets
        .delete(signingKeyEntry(kid))
        .catch((e: unknown) =>
          this.logKeychain(`undo a half-done key creation: ${signingKeyEntry(kid)} was not removed`, e),
        );
      throw err;
    }
    this.cache.set(kid, secret);
    this.deps.activity.record('links', `Made signing key ${kid}; new links are signed with it.`);
    return this.deps.repo.get(kid)!;
  }

  /**
   * Retires a key: it leaves verifier configs (links signed with it stop working once the verifier runs the
   * new config) and its secret is deleted from the keychain. Retiring the active key leaves none active.
   */
  async retire(kid: string): Promise<SigningKeyView> {
    const key = this.deps.repo.get(kid);
    if (!key) throw new UserFacingError('not-found', `There is no signing key “${kid}”.`);
    if (key.retiredAt !== null) return key;
    this.deps.repo.retire(kid, this.deps.clock.now().toISOString());
    this.cache.delete(kid);
    // The key is retired either way (the row says so and configs leave it out); a secret left behind is logged.
    await this.deps.secrets
      .delete(signingKeyEntry(kid))
      .catch((e: unknown) =>
        this.logKeychain(
          `delete a retired key's secret: ${signingKeyEntry(kid)} is still in the keychain`,
          e,
        ),
      );
    this.deps.activity.record(
      'links',
      `Retired signing key ${kid}. Export the verifier config again: links signed with it then stop working.`,
    );
    return this.deps.repo.get(kid)!;
  }

  /**
   * The key new links are signed with. The very first link (no key at all yet) makes one; once keys exist
   * but none is active (the active one was retired), the owner must make one on purpose.
   */
  async activeKey(): Promise<SigningKey> {
    let key = this.deps.repo.active();
    if (!key) {
      if (this.deps.repo.list().length > 0) {
        throw new UserFacingError(
          'conflict',
          'There is no active signing key (the last one was retired). Make a new key in Settings, export the ' +
            'verifier config again, then make the link.',
        );
      }
      key = await this.create();
    }
    return { kid: key.kid, secret: await this.secretOf(key.kid), exportedAt: key.exportedAt };
  }

  /** Every key that still verifies (not retired), with its secret: what goes into a verifier config. */
  async verifyingKeys(): Promise<SigningKey[]> {
    if (this.deps.repo.list().length === 0) await this.create();
    const keys = this.deps.repo.list().filter((k) => k.retiredAt === null);
    return Promise.all(
      keys.map(async (k) => ({ kid: k.kid, secret: await this.secretOf(k.kid), exportedAt: k.exportedAt })),
    );
  }

  /** Notes that a verifier config holding these keys was just written (VerifierConfigExporter.write). */
  markExported(kids: readonly string[]): void {
    this.deps.repo.markExported(kids, this.deps.clock.now().toISOString());
  }

  private async secretOf(kid: string): Promise<Uint8Array> {
    const cached = this.cache.get(kid);
    if (cached) return cached;
    const stored = await this.deps.secrets.get(signingKeyEntry(kid));
    if (!stored) {
      throw new UserFacingError(
        'not-found',
        `The secret of signing key ${kid} is missing from the system keychain. Make a new key (and retire this one).`,
      );
    }
    const secret = parseSecret(stored);
    this.cache.set(kid, secret);
    return secret;
  }
}
