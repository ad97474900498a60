/**
 * The verifier addresses (where links point and where the admin token goes): https://, or http:// only to this
 * computer. One zod rule in src/shared/settings.ts, refused through the IPC router as a form error naming the
 * field (the command line's exit 2 is in test/integration/cli-audit-edges.test.ts). The admin client sends the
 * token only to the configured admin address: never to the verifier address instead of an admin address that
 * today's rule refuses, never along a redirect (two real HTTP servers on loopback).
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createHandlers } from '../../src/main/ipc/handlers';
import { createIpcRouter, type SenderInfo } from '../../src/main/ipc/router';
import { makeTrustedSenderCheck } from '../../src/main/ipc/trusted-sender';
import { SettingsRepository } from '../../src/main/repositories/settings-repository';
import { UserFacingError } from '../../src/main/services/errors';
import {
  VERIFIER_ADMIN_TOKEN_ENTRY,
  VerifierAdminClient,
} from '../../src/main/services/links/verifier-admin';
import type { MainServices } from '../../src/main/wiring';
import { SettingsPatchSchema, verifierAddressProblem } from '../../src/shared/settings';
import { openTestServices, type TestServices } from '../support/test-services';

const APP_URL = 'app://signet/index.html';
const appFrame: SenderInfo = { url: APP_URL, isMainFrame: true };
const TOKEN = 'a'.repeat(43);
const JTI = 'AAAAAAAAAAAAAAAAAAAAAA';

const open: TestServices[] = [];
const servers: Server[] = [];
afterEach(async () => {
  open.splice(0).forEach((t) => t.close());
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

function services(): MainServices {
  const t = openTestServices({ clock: { now: () => new Date('2026-12-01T00:00:00Z') }, prefix: 'address' });
  open.push(t);
  return t.services;
}

/** A loopback HTTP server that records each request's path and headers and answers with `answer`. */
async function recordingServer(
  answer: (res: import('node:http').ServerResponse) => void,
): Promise<{ url: string; seen: { path: string; headers: IncomingHttpHeaders }[] }> {
  const seen: { path: string; headers: IncomingHttpHeaders }[] = [];
  const server = createServer((req, res) => {
    seen.push({ path: req.url ?? '', headers: req.headers });
    req.resume();
    answer(res);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

describe('the verifier address rule', () => {
  it('takes https:// anywhere and http:// only to a loopback host', () => {
    for (const good of [
      'https://shop.example.com',
      'https://203.0.113.7:8443/verify',
      'http://127.0.0.1:8788',
      'http://127.4.5.6',
      'http://[::1]:8788',
      'http://localhost:8788/',
      'http://LOCALHOST',
    ]) {
      expect([good, verifierAddressProblem(good)]).toEqual([good, null]);
    }
    const httpRefused = 'Use https:// (http:// only for this computer: localhost, 127.0.0.1 or ::1)';
    for (const bad of [
      'http://shop.example.com',
      'http://10.0.0.5:8788',
      'http://128.0.0.1',
      'http://localhost.example.com',
      'http://[::2]:8788',
      'http://[::ffff:10.0.0.5]/',
    ]) {
      expect([bad, verifierAddressProblem(bad)]).toEqual([bad, httpRefused]);
    }
    for (const bad of [
      'ftp://shop.example.com',
      'shop.example.com',
      '127.0.0.1:8788',
      'file:///etc/passwd',
    ]) {
      expect([bad, verifierAddressProblem(bad)]).toEqual([
        bad,
        'Enter a full address starting with https://',
      ]);
    }
    // Both settings share it, through the patch schema the IPC contract and the command line use.
    expect(SettingsPatchSchema.safeParse({ verifierBaseUrl: 'http://shop.example.com' }).success).toBe(false);
    expect(SettingsPatchSchema.safeParse({ verifierAdminUrl: 'http://10.0.0.5:8788' }).success).toBe(false);
  });

  it('is a form error through the IPC router, naming the field; nothing is saved', async () => {
    const s = services();
    const router = createIpcRouter({
      handlers: createHandlers(s),
      isTrustedSender: makeTrustedSenderCheck(APP_URL),
      logger: { error: () => undefined },
    });
    const answer = await router.dispatch(
      'settings:update',
      { verifierBaseUrl: 'https://shop.example.com', verifierAdminUrl: 'http://10.0.0.5:8788' },
      appFrame,
    );
    expect(answer).toEqual({
      ok: false,
      error: expect.objectContaining({
        code: 'invalid-input',
        issues: [
          {
            path: 'verifierAdminUrl',
            message: 'Use https:// (http:// only for this computer: localhost, 127.0.0.1 or ::1)',
          },
        ],
      }),
    });
    expect(s.settings.get()).toMatchObject({ verifierBaseUrl: '', verifierAdminUrl: '' });
    expect(
      await router.dispatch('settings:update', { verifierAdminUrl: 'http://127.0.0.1:8788' }, appFrame),
    ).toMatchObject({ ok: true, data: { verifierAdminUrl: 'http://127.0.0.1:8788' } });
  });
});

describe('the admin token goes only to the configured admin address', () => {
  it('refuses to call anything when the saved admin address is one today’s rule refuses', async () => {
    const verifier = await recordingServer((res) => res.end('{"revoked":true}'));
    const s = services();
    s.settings.update({ verifierBaseUrl: verifier.url });
    // Saved by an older Signet, which took plain http:// to any host.
    new SettingsRepository(s.db).saveMany([['verifierAdminUrl', 'http://10.0.0.5:8788']], 'earlier');
    await s.secrets.set(VERIFIER_ADMIN_TOKEN_ENTRY, TOKEN);
    const admin = new VerifierAdminClient({ settings: s.settings, secrets: s.secrets });

    const err = await admin.revoke({ jti: JTI }).then(
      () => new Error('expected a refusal'),
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UserFacingError);
    expect((err as Error).message).toBe(
      'The admin API address saved in Settings is no longer accepted: Signet sends the admin token only to an ' +
        'https:// address, or http:// on this computer (localhost, 127.0.0.1 or ::1). Enter it again in ' +
        'Settings; nothing was changed.',
    );
    // Not sent to the verifier address in its place.
    expect(verifier.seen).toEqual([]);
  });

  it('does not follow a redirect from the admin address: the token never reaches the other host', async () => {
    const elsewhere = await recordingServer((res) => res.end('{"revoked":true}'));
    const adminApi = await recordingServer((res) => {
      res.writeHead(307, { location: `${elsewhere.url}/admin/revocations` });
      res.end();
    });
    const s = services();
    s.settings.update({ verifierBaseUrl: 'https://shop.example.com', verifierAdminUrl: adminApi.url });
    await s.secrets.set(VERIFIER_ADMIN_TOKEN_ENTRY, TOKEN);
    const admin = new VerifierAdminClient({ settings: s.settings, secrets: s.secrets });

    const err = await admin.revoke({ jti: JTI }).then(
      () => new Error('expected a failure'),
      (e: unknown) => e,
    );
    expect((err as Error).message).toMatch(/answered 307; nothing was changed\.$/);
    expect(adminApi.seen.map((r) => [r.path, r.headers.authorization])).toEqual([
      ['/admin/revocations', `Bearer ${TOKEN}`],
    ]);
    expect(elsewhere.seen).toEqual([]);
  });
});
