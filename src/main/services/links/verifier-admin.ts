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
}

/**
 * The verifier's admin API (src/verifier/admin.ts) at the configured verifier address, with the admin token
 * from the keychain. Every failure is a UserFacingError ('verifier-error') in plain words: an unreachable
 * verifier is never taken for a success.
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
    };
  }

  private async request(method: string, path: string, body?: unknown): Promise<unknown> {
    const base = this.deps.settings.get().verifierBaseUrl.replace(/\/+$/, '');
    if (base === '') {
      throw new UserFacingError(
        'verifier-error',
        'Set the verifier address in Settings first; nothing was changed.',
      );
    }
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
      const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
      throw new UserFacingError(
        'verifier-error',
        `The verifier at ${base} could not be reached (${cause}); nothing was changed. Check that it is running ` +
          'and that the verifier address in Settings is right.',
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
    if (!res.ok) {
      throw new UserFacingError(
        'verifier-error',
        `The verifier at ${base} answered ${res.status}${text ? ` (${text.slice(0, 120)})` : ''}; nothing was changed.`,
      );
    }
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new UserFacingError('verifier-error', `The verifier at ${base} did not answer with JSON.`);
    }
  }
}
