/**
 * The app's client of the verifier's admin API: it calls the admin API address when one is set (a verifier with
 * `adminListen` serves /admin/… only there), else the verifier address, and says in plain words which address
 * failed and which setting to check. Real settings on a SQLite file; HTTP is a recording double. The real
 * verifier on two addresses runs in test/integration/cli-links.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createHandlers } from '../../src/main/ipc/handlers';
import { KeytarSecretStore, type KeytarLike } from '../../src/main/services/keytar-secret-store';
import { UserFacingError } from '../../src/main/services/errors';
import {
  VERIFIER_ADMIN_TOKEN_ENTRY,
  VerifierAdminClient,
} from '../../src/main/services/links/verifier-admin';
import type { SecretStore } from '../../src/main/services/secret-store';
import type { MainServices } from '../../src/main/wiring';
import { SettingsPatchSchema, SettingsSchema } from '../../src/shared/settings';
import { openTestServices, type TestServices } from '../support/test-services';

const TOKEN = 't'.repeat(43);
const JTI = 'AAAAAAAAAAAAAAAAAAAAAA';

const open: TestServices[] = [];
afterEach(() => open.splice(0).forEach((t) => t.close()));

function services(secrets?: SecretStore): MainServices {
  const t = openTestServices({
    clock: { now: () => new Date('2026-01-01T00:00:00Z') },
    prefix: 'verifier-admin',
    ...(secrets ? { secrets } : {}),
  });
  open.push(t);
  return t.services;
}

/** A fetch double that records each URL and answers from `answer` (or fails like an unreachable host). */
function recordingFetch(answer: (url: string) => Response | 'refused') {
  const calls: { url: string; method: string; authorization: string | null }[] = [];
  const fn = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = String(input);
    calls.push({
      url,
      method: init?.method ?? 'GET',
      authorization: new Headers(init?.headers).get('authorization'),
    });
    const out = answer(url);
    if (out === 'refused') {
      throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    }
    return out;
  }) as typeof fetch;
  return { fn, calls };
}

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

async function client(
  settings: { verifierBaseUrl: string; verifierAdminUrl?: string },
  answer: (url: string) => Response | 'refused',
) {
  const s = services();
  s.settings.update(settings);
  await s.secrets.set(VERIFIER_ADMIN_TOKEN_ENTRY, TOKEN);
  const http = recordingFetch(answer);
  return {
    admin: new VerifierAdminClient({ settings: s.settings, secrets: s.secrets, fetch: http.fn }),
    http,
  };
}

async function failure(p: Promise<unknown>): Promise<UserFacingError> {
  const err = await p.then(
    () => new Error('expected a failure'),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UserFacingError);
  expect((err as UserFacingError).code).toBe('verifier-error');
  return err as UserFacingError;
}

describe('verifierAdminUrl setting', () => {
  it('defaults to empty (the verifier address) and takes only a full https:// (or loopback http://) address', () => {
    expect(SettingsSchema.parse({}).verifierAdminUrl).toBe('');
    expect(SettingsPatchSchema.parse({ verifierAdminUrl: ' http://127.0.0.1:8788 ' })).toEqual({
      verifierAdminUrl: 'http://127.0.0.1:8788',
    });
    expect(SettingsPatchSchema.parse({ verifierAdminUrl: '' })).toEqual({ verifierAdminUrl: '' });
    for (const bad of ['127.0.0.1:8788', 'ftp://example.com', 'admin']) {
      const parsed = SettingsPatchSchema.safeParse({ verifierAdminUrl: bad });
      expect(parsed.success).toBe(false);
      expect(parsed.error?.issues[0]?.message).toBe('Enter a full address starting with https://');
    }
  });

  it('is saved like the other settings and named in the activity log', () => {
    const s = services();
    s.settings.update({ verifierAdminUrl: 'http://127.0.0.1:8788' });
    expect(s.settings.get().verifierAdminUrl).toBe('http://127.0.0.1:8788');
    expect(s.activity.recent(1).map((e) => e.message)).toEqual(['Changed Verifier admin API address.']);
  });
});

describe('VerifierAdminClient: which address it calls', () => {
  it('calls the verifier address when no admin API address is set', async () => {
    const { admin, http } = await client({ verifierBaseUrl: 'https://shop.example.com/' }, () =>
      json({ revoked: true }),
    );
    await admin.revoke({ jti: JTI });
    expect(http.calls).toEqual([
      { url: 'https://shop.example.com/admin/revocations', method: 'POST', authorization: `Bearer ${TOKEN}` },
    ]);
  });

  it('calls the admin API address when it is set, for revocations and download counts', async () => {
    const { admin, http } = await client(
      { verifierBaseUrl: 'https://shop.example.com', verifierAdminUrl: 'http://127.0.0.1:8788/' },
      (url) =>
        url.endsWith('/revocations')
          ? json({ revoked: true })
          : json({ downloads: 3, revoked: false, revoked_by: null }),
    );
    await admin.revoke({ license_id: '9001' });
    // A verifier from before the share guard: networks and shared unknown (null), not made up.
    expect(await admin.linkStatus(JTI)).toEqual({
      downloads: 3,
      revoked: false,
      revokedBy: null,
      networks: null,
      shared: null,
    });
    expect(http.calls.map((c) => `${c.method} ${c.url}`)).toEqual([
      'POST http://127.0.0.1:8788/admin/revocations',
      `GET http://127.0.0.1:8788/admin/links/${JTI}`,
    ]);
  });

  it('needs only the admin API address to revoke (the verifier address matters for new links)', async () => {
    const { admin, http } = await client(
      { verifierBaseUrl: '', verifierAdminUrl: 'http://127.0.0.1:8788' },
      () => json({ revoked: true }),
    );
    await admin.revoke({ jti: JTI });
    expect(http.calls.map((c) => c.url)).toEqual(['http://127.0.0.1:8788/admin/revocations']);
  });
});

describe('VerifierAdminClient: failures name the address and the setting to check', () => {
  it('an unreachable admin API address is named, with its setting', async () => {
    const { admin } = await client(
      { verifierBaseUrl: 'https://shop.example.com', verifierAdminUrl: 'http://127.0.0.1:8788' },
      () => 'refused',
    );
    const err = await failure(admin.revoke({ jti: JTI }));
    expect(err.message).toMatch(
      /^The verifier's admin API at http:\/\/127\.0\.0\.1:8788 could not be reached/,
    );
    expect(err.message).toContain('(ECONNREFUSED); nothing was changed.');
    expect(err.message).toContain('"Admin API address" in Settings is right');
    expect(err.message).not.toContain('shop.example.com');
  });

  it('an unreachable verifier address is named, and the admin API address is suggested', async () => {
    const { admin } = await client({ verifierBaseUrl: 'https://shop.example.com' }, () => 'refused');
    const err = await failure(admin.linkStatus(JTI));
    expect(err.message).toMatch(/^The verifier at https:\/\/shop\.example\.com could not be reached/);
    expect(err.message).toContain('the verifier address in Settings is right');
    expect(err.message).toContain('enter it as "Admin API address" in Settings');
  });

  it('a 404 at the verifier address (admin API on its own address) says so in plain words', async () => {
    const { admin } = await client({ verifierBaseUrl: 'https://shop.example.com' }, () =>
      json({ error: 'not_found' }, 404),
    );
    const err = await failure(admin.revoke({ jti: JTI }));
    expect(err.message).toBe(
      'The verifier at https://shop.example.com does not answer revocations and download counts (it said "not ' +
        'found"); nothing was changed. If your verifier answers them on an address of its own, enter it as ' +
        '"Admin API address" in Settings.',
    );
  });

  it('a 404 at the admin API address points at that setting', async () => {
    const { admin } = await client(
      { verifierBaseUrl: 'https://shop.example.com', verifierAdminUrl: 'https://shop.example.com' },
      () => new Response('<html>Not Found</html>', { status: 404 }),
    );
    const err = await failure(admin.revoke({ jti: JTI }));
    expect(err.message).toMatch(/^The verifier's admin API at https:\/\/shop\.example\.com does not answer/);
    expect(err.message).toContain(
      'Check that "Admin API address" in Settings is the address of its admin API.',
    );
  });
});

/**
 * A keytar double per service that records every read: which entries' values were read, and which services
 * were enumerated (findCredentials returns every value of a service, so enumerating the secrets' own service
 * would read the token as well).
 */
class RecordingKeytar implements KeytarLike {
  readonly services = new Map<string, Map<string, string>>();
  readonly reads: string[] = [];
  readonly enumerated: string[] = [];
  private entries(service: string): Map<string, string> {
    if (!this.services.has(service)) this.services.set(service, new Map());
    return this.services.get(service)!;
  }
  async getPassword(service: string, account: string) {
    this.reads.push(`${service} ${account}`);
    return this.entries(service).get(account) ?? null;
  }
  async setPassword(service: string, account: string, password: string) {
    this.entries(service).set(account, password);
  }
  async deletePassword(service: string, account: string) {
    return this.entries(service).delete(account);
  }
  async findCredentials(service: string) {
    this.enumerated.push(service);
    return [...this.entries(service)].map(([account, password]) => ({ account, password }));
  }
}

describe('admin token status', () => {
  it('comes from the keychain list of names: the token itself is not read', async () => {
    const keytar = new RecordingKeytar();
    const s = services(new KeytarSecretStore(keytar, 'svc', 'linux'));
    const handlers = createHandlers(s);
    expect(await handlers['verifier:admin-token-status'](undefined as never)).toEqual({ set: false });
    await handlers['verifier:admin-token-set']({ token: TOKEN });
    expect(keytar.services.get('svc')?.get(VERIFIER_ADMIN_TOKEN_ENTRY)).toBe(TOKEN);
    keytar.reads.length = 0;
    keytar.enumerated.length = 0;

    expect(await handlers['verifier:admin-token-status'](undefined as never)).toEqual({ set: true });
    expect(keytar.reads).not.toContain(`svc ${VERIFIER_ADMIN_TOKEN_ENTRY}`);
    expect(keytar.enumerated).not.toContain('svc');
  });
});
