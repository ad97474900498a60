import type { ActivityService } from '../activity-service';
import type { SettingsService } from '../settings-service';
import { UserFacingError } from '../errors';
import type { SecretStore } from '../secret-store';

/** The keychain entry of the verifier's admin token (shared with `signet settings set verifier-admin-token`). */
export const VERIFIER_ADMIN_TOKEN_ENTRY = 'verifier:admin-token';

const TIMEOUT_MS = 10_000;

export interface LinkStatusAnswer {
  downloads: number;
  revoked: boolean;
  revokedBy: 'jti' | 'license' | null;
  /** The share guard's networks and verdict (spec "Share guard"); null from a verifier that does not report them. */
  networks: number | null;
  shared: boolean | null;
}

/**
 * The verifier's admin API (src/verifier/admin.ts), with the admin token from the keychain. It answers at the
 * admin API address when one is set (a verifier with `adminListen` serves /admin/… only there, and 404 on its
 * public address), else at the verifier address. Every failure is a UserFacingError ('verifier-error') in plain
 * words that names the address tried: an unreachable verifier is never taken for a success.
 */
export class VerifierAdminClient {
  constructor(
    private readonly deps: { settings: SettingsService; secrets: SecretStore; fetch?: typeof fetch },
  ) {}

  async revoke(target: { jti: string } | { license_id: string | number }): Promise<void> {
    await this.request('POST', '/admin/revocations', target);
  }

  async linkStatus(jti: string): Promise<LinkStatusAnswer> {
    const body = (await this.request('GET', `/admin/links/${encodeURIComponent(jti)}`)) as {
      downloads?: unknown;
      revoked?: unknown;
      revoked_by?: unknown;
      networks?: unknown;
      shared?: unknown;
    };
    if (typeof body.downloads !== 'number' || typeof body.revoked !== 'boolean') {
      throw new UserFacingError(
        'verifier-error',
        'The verifier answered the usage question with something unexpected.',
      );
    }
    const by = body.revoked_by;
    return {
      downloads: body.downloads,
      revoked: body.revoked,
      revokedBy: by === 'jti' || by === 'license' ? by : null,
      networks:
        typeof body.networks === 'number' && Number.isSafeInteger(body.networks) && body.networks >= 0
          ? body.networks
          : null,
      shared: typeof body.shared === 'boolean' ? body.shared : null,
    };
  }

  /**
   * The address the admin API is called at, and whether it came from the admin API address setting. The token
   * goes only there: an admin address saved before today's rules (plain http:// to another computer) is not
   * swapped for the verifier address behind the owner's back, and redirects are never followed (request()).
   */
  private adminBase(): { base: string; separate: boolean } {
    if (this.deps.settings.refusedStored().includes('verifierAdminUrl')) {
      throw new UserFacingError(
        'verifier-error',
        'The admin API address saved in Settings is no longer accepted: Signet sends the admin token only to an ' +
          'https:// address, or http:// on this computer (localhost, 127.0.0.1 or ::1). Enter it again in ' +
          'Settings; nothing was changed.',
      );
    }
    const settings = this.deps.settings.get();
    const admin = settings.verifierAdminUrl.replace(/\/+$/, '');
    if (admin !== '') return { base: admin, separate: true };
    return { base: settings.verifierBaseUrl.replace(/\/+$/, ''), separate: false };
  }

  private async request(method: string, path: string, body?: unknown): Promise<unknown> {
    const { base, separate } = this.adminBase();
    if (base === '') {
      throw new UserFacingError(
        'verifier-error',
        'Set the verifier address in Settings first; nothing was changed.',
      );
    }
    // Which setting to check when the address is wrong: the one the address came from.
    const where = separate ? `The verifier's admin API at ${base}` : `The verifier at ${base}`;
    const checkSetting = separate
      ? 'Check that the verifier is running, that this computer can reach that address (for example through ' +
        'your SSH tunnel), and that "Admin API address" in Settings is right.'
      : 'Check that it is running and that the verifier address in Settings is right. If your verifier answers ' +
        'revocations on an address of its own, enter it as "Admin API address" in Settings.';
    const token = await this.deps.secrets.get(VERIFIER_ADMIN_TOKEN_ENTRY);
    if (!token) {
      throw new UserFacingError(
        'verifier-error',
        'The verifier admin token is not set: export the verifier config (it makes one) or set the token your ' +
          'verifier uses in Settings. Nothing was changed.',
      );
    }
    let res: Response;
    try {
      res = await (this.deps.fetch ?? fetch)(`${base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        redirect: 'manual',
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (err) {
      // A socket error has a code (ECONNREFUSED); fetch's own refusals only a message (Node 24: "bad port").
      const reason = (err as { cause?: { code?: string; message?: string } }).cause;
      const cause = reason?.code ?? reason?.message ?? (err as Error).name;
      throw new UserFacingError(
        'verifier-error',
        `${where} could not be reached (${cause}); nothing was changed. ${checkSetting}`,
      );
    }
    const text = await res.text().catch(() => '');
    if (res.status === 401) {
      throw new UserFacingError(
        'verifier-error',
        'The verifier refused the admin token; nothing was changed. Export the verifier config again (or set the ' +
          'token your verifier uses in Settings).',
      );
    }
    if (res.status === 404) {
      // The admin API answers every path Signet calls (an unknown link is 0 downloads, not 404), so a 404 means
      // this address does not serve it: typically a verifier with `adminListen`, called at its public address.
      throw new UserFacingError(
        'verifier-error',
        `${where} does not answer revocations and download counts (it said "not found"); nothing was changed. ` +
          (separate
            ? 'Check that "Admin API address" in Settings is the address of its admin API.'
            : 'If your verifier answers them on an address of its own, enter it as "Admin API address" in ' +
              'Settings.'),
      );
    }
    if (!res.ok) {
      throw new UserFacingError(
        'verifier-error',
        `${where} answered ${res.status}${text ? ` (${text.slice(0, 120)})` : ''}; nothing was changed.`,
      );
    }
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new UserFacingError('verifier-error', `${where} did not answer with JSON.`);
    }
  }
}

/**
 * The verifier admin token as the owner sets it: Settings in the window and `signet settings set
 * verifier-admin-token` both go through here, so the keychain entry and the activity log line are the same. Each
 * caller checks the token against the verifier's rule first (the IPC contract's schema, the CLI's usage check).
 * The verifier config export makes a token when none is set (verifier-config.ts).
 */
export class VerifierAdminToken {
  constructor(private readonly deps: { secrets: SecretStore; activity: ActivityService }) {}

  /** Whether a token is stored: the keychain's list of entry names says so without reading (decrypting) it. */
  async isSet(): Promise<boolean> {
    return (await this.deps.secrets.list()).includes(VERIFIER_ADMIN_TOKEN_ENTRY);
  }

  async set(token: string): Promise<void> {
    await this.deps.secrets.set(VERIFIER_ADMIN_TOKEN_ENTRY, token);
    this.deps.activity.record('settings', 'Changed the verifier admin token (kept in the system keychain).');
  }
}
