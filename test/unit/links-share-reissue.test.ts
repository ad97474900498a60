/**
 * The share guard and reissue in the main process, on the app's own wiring (SQLite on a temp file, a memory
 * keychain): the verifier's admin API is a recording HTTP double, the Notifier port a recording one. What the
 * ledger stores (networks, shared, sharedAt, replaces / replacedBy, status `replaced`, the Shared filter), when the
 * owner is told (once per link, only with a notifier, never for a link no longer in use), reissue's order of work
 * (the old link revoked at the verifier before anything is written; nothing written when it cannot be), the
 * verifier config's `shareGuard`, and the command line's share settings. The real verifier answers in
 * test/integration/cli-share-reissue.test.ts and links-share-ipc.test.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/args';
import { settingsPatchFor } from '../../src/cli/commands/settings';
import { MemorySecretStore } from '../../src/main/services/memory-secret-store';
import type { Notice } from '../../src/main/services/notifier';
import { VERIFIER_ADMIN_TOKEN_ENTRY } from '../../src/main/services/links/verifier-admin';
import { ShareWatch } from '../../src/main/services/links/share-watch';
import { createMainServices, type MainServices } from '../../src/main/wiring';
import type { EventName } from '../../src/shared/ipc/contract';
import { SettingsSchema, SHARE_NETWORKS_MAX } from '../../src/shared/settings';
import { SHARE_GUARD_MAX_NETWORKS } from '../../src/verifier/config';
import { testFacts } from '../support/test-services';

const NOW = new Date('2026-12-01T12:00:00Z');
const VERIFIER = 'https://downloads.example.com';

interface AdminAnswer {
  downloads: number;
  revoked: boolean;
  networks?: number;
  shared?: boolean;
}

/** The verifier's admin API as a double: per-jti answers, revocations recorded, or down ('refused'). */
function fakeVerifier() {
  const answers = new Map<string, AdminAnswer>();
  const calls: string[] = [];
  const state = { down: false };
  const fetch = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(String(input));
    calls.push(`${init?.method ?? 'GET'} ${url.pathname}`);
    if (state.down) throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    if (url.pathname === '/admin/revocations') {
      const { jti } = JSON.parse(String(init?.body)) as { jti: string };
      answers.set(jti, { ...(answers.get(jti) ?? { downloads: 0 }), revoked: true });
      return Response.json({ ok: true, revoked: { jti } });
    }
    const jti = url.pathname.slice('/admin/links/'.length);
    const a = answers.get(jti) ?? { downloads: 0, revoked: false, networks: 0, shared: false };
    return Response.json({ ...a, revoked_by: a.revoked ? 'jti' : null });
  }) as typeof globalThis.fetch;
  return { fetch, answers, calls, state };
}

const opened: { close(): void }[] = [];
afterEach(() => opened.splice(0).forEach((o) => o.close()));

async function setup(opts: { notifier?: boolean } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'signet-share-reissue-'));
  const verifier = fakeVerifier();
  const notices: Notice[] = [];
  const events: { event: EventName; payload: unknown }[] = [];
  const clock = { now: () => NOW };
  const services: MainServices = createMainServices({
    databaseFile: join(dir, 'signet.db'),
    secrets: new MemorySecretStore(),
    clock,
    facts: testFacts(dir),
    emit: (event, payload) => events.push({ event, payload }),
    fetch: verifier.fetch,
    ...(opts.notifier === false ? {} : { notifier: { notify: (n: Notice) => notices.push(n) } }),
  });
  opened.push({
    close: () => {
      services.close();
      rmSync(dir, { recursive: true, force: true });
    },
  });
  services.settings.update({ verifierBaseUrl: VERIFIER });
  await services.secrets.set(VERIFIER_ADMIN_TOKEN_ENTRY, 't'.repeat(43));
  await services.keys.create();
  const account = await services.accounts.add({
    settings: {
      name: 'Shop',
      provider: 'custom',
      endpoint: 'http://127.0.0.1:9',
      region: 'us-east-1',
      forcePathStyle: true,
      buckets: ['media'],
      privateBucket: null,
    },
    credentials: { accessKeyId: 'AKIATEST', secretAccessKey: 'secret-test-key' },
  });
  const link = (
    over: { kind?: 'verifier' | 'direct'; orderId?: string; maxDownloads?: number | null } = {},
  ) =>
    services.links.createForKey({
      accountId: account.id,
      bucket: 'media',
      key: 'ebooks/guide.pdf',
      kind: over.kind ?? 'verifier',
      productSlug: 'guide',
      orderId: over.orderId ?? '1042',
      email: 'ada@example.com',
      note: 'VIP',
      maxDownloads: over.kind === 'direct' ? null : (over.maxDownloads ?? 3),
      filename: 'Guide.pdf',
      expiry: { type: 'seconds', seconds: 3600 },
    });
  return { services, verifier, notices, events, link, dir };
}

describe('share guard in the ledger', () => {
  it('stores networks and shared, marks the link Shared once, and tells the owner once', async () => {
    const { services, verifier, notices, events, link } = await setup();
    const a = await link({ orderId: '1042' });
    const b = await link({ orderId: '1043' });
    expect(a).toMatchObject({ networks: null, shared: null, sharedAt: null });

    verifier.answers.set(a.jti, { downloads: 1, revoked: false, networks: 2, shared: false });
    const first = await services.links.usage([a.jti, b.jti]);
    expect(first.rows.find((r) => r.jti === a.jti)).toMatchObject({
      downloads: 1,
      networks: 2,
      shared: false,
      sharedAt: null,
    });
    expect(notices).toEqual([]);

    verifier.answers.set(a.jti, { downloads: 2, revoked: false, networks: 5, shared: true });
    const second = await services.links.usage([a.jti, b.jti]);
    expect(second.rows.find((r) => r.jti === a.jti)).toMatchObject({
      networks: 5,
      shared: true,
      sharedAt: NOW.toISOString(),
      status: 'active',
    });
    expect(notices).toEqual([
      {
        title: 'A download link is being shared',
        body:
          'The link for guide.pdf (order 1042) was used from 5 different places. It still works everywhere ' +
          '(the share guard only flags it). Open Links in Signet to revoke it or reissue a new one for the customer.',
      },
    ]);
    expect(events).toContainEqual({ event: 'links:shared', payload: { jtis: [a.jti] } });
    expect(services.activity.recent(5).map((e) => e.message)).toContain(
      `The link ${a.jti} for ebooks/guide.pdf (order 1042) was used from 5 places: it is shared.`,
    );

    // Asked again: still shared, not told again.
    await services.links.usage([a.jti]);
    expect(notices).toHaveLength(1);

    // The Shared filter lists it (and only it).
    expect(services.links.list({ shared: true }).rows.map((r) => r.jti)).toEqual([a.jti]);
    expect(
      services.links
        .list({ shared: false })
        .rows.map((r) => r.jti)
        .sort(),
    ).toEqual([a.jti, b.jti].sort());
  });

  it('block mode says the verifier refuses new places; several links make one notice', async () => {
    const { services, verifier, notices, link } = await setup();
    services.settings.update({ shareAction: 'block' });
    const links = [await link({ orderId: '1' }), await link({ orderId: '2' })];
    for (const l of links)
      verifier.answers.set(l.jti, { downloads: 1, revoked: false, networks: 4, shared: true });
    await services.links.usage(links.map((l) => l.jti));
    expect(notices).toHaveLength(1);
    expect(notices[0]!.title).toBe('2 download links are being shared');
    expect(notices[0]!.body).toMatch(
      /guide\.pdf \(order \d\), guide\.pdf \(order \d\)\. Your verifier now refuses/,
    );
  });

  it('without a notifier (the command line) marks the link shared but claims no notice: the app still tells', async () => {
    const { services, verifier, link, dir } = await setup({ notifier: false });
    const a = await link();
    verifier.answers.set(a.jti, { downloads: 1, revoked: false, networks: 4, shared: true });
    const [row] = (await services.links.usage([a.jti])).rows;
    expect(row).toMatchObject({ shared: true, sharedAt: NOW.toISOString() });

    // The app opens the same data folder later, with a notifier: it tells the owner, once.
    const notices: Notice[] = [];
    const app = createMainServices({
      databaseFile: join(dir, 'signet.db'),
      secrets: services.secrets,
      clock: { now: () => NOW },
      facts: testFacts(dir),
      emit: () => undefined,
      fetch: verifier.fetch,
      notifier: { notify: (n) => notices.push(n) },
    });
    try {
      await app.links.usage([a.jti]);
      await app.links.usage([a.jti]);
      expect(notices.map((n) => n.title)).toEqual(['A download link is being shared']);
    } finally {
      app.close();
    }
  });

  it('does not tell about a link already revoked, and never later either', async () => {
    const { services, verifier, notices, link } = await setup();
    const a = await link();
    await services.links.revoke(a.jti);
    verifier.answers.set(a.jti, { downloads: 1, revoked: true, networks: 9, shared: true });
    const [row] = (await services.links.usage([a.jti])).rows;
    expect(row).toMatchObject({ status: 'revoked', shared: true, networks: 9 });
    expect(notices).toEqual([]);
  });

  it('a verifier from before the share guard: networks and shared stay unknown', async () => {
    const { services, verifier, link } = await setup();
    const a = await link();
    verifier.answers.set(a.jti, { downloads: 2, revoked: false });
    const [row] = (await services.links.usage([a.jti])).rows;
    expect(row).toMatchObject({ downloads: 2, networks: null, shared: null, sharedAt: null });
  });

  it('the background check asks only about active verifier links not yet seen shared, and only when the guard is on', async () => {
    const { services, verifier, notices, link } = await setup();
    const due = await link({ orderId: 'due' });
    const revoked = await link({ orderId: 'revoked' });
    await services.links.revoke(revoked.jti);
    await link({ kind: 'direct', orderId: 'direct' });
    const watch = new ShareWatch({
      links: services.links,
      settings: services.settings,
      secrets: services.secrets,
    });
    verifier.answers.set(due.jti, { downloads: 1, revoked: false, networks: 7, shared: true });

    services.settings.update({ shareNetworks: 0 });
    verifier.calls.length = 0;
    expect(await watch.runOnce()).toBe(0);
    expect(verifier.calls).toEqual([]);

    services.settings.update({ shareNetworks: 3 });
    expect(await watch.runOnce()).toBe(1);
    expect(verifier.calls).toEqual([`GET /admin/links/${due.jti}`]);
    expect(notices).toHaveLength(1);
    // Seen shared: not asked about again.
    expect(await watch.runOnce()).toBe(0);
  });
});

describe('reissue', () => {
  it('revokes the old verifier link at the verifier first, then records which link replaced which', async () => {
    const { services, verifier, link } = await setup();
    const old = await link({ maxDownloads: 2 });
    verifier.calls.length = 0;
    const fresh = await services.links.reissue({ jti: old.jti });
    expect(verifier.calls).toEqual([`POST /admin/revocations`]);
    expect(fresh).toMatchObject({
      kind: 'verifier',
      replaces: old.jti,
      replacedBy: null,
      status: 'active',
      key: 'ebooks/guide.pdf',
      productSlug: 'guide',
      orderId: '1042',
      email: 'ada@example.com',
      note: 'VIP',
      filename: 'Guide.pdf',
      maxDownloads: 2,
      // The settings' default lifetime (72 hours).
      expiresAt: new Date(NOW.getTime() + 72 * 3600_000).toISOString(),
    });
    expect(fresh.jti).not.toBe(old.jti);
    expect(fresh.url).not.toBe(old.url);
    expect(services.links.get(old.jti)).toMatchObject({
      status: 'revoked',
      revokedAt: NOW.toISOString(),
      replacedBy: fresh.jti,
    });
    expect(services.activity.recent(1)[0]!.message).toBe(
      `Reissued the link ${old.jti} for ebooks/guide.pdf (order 1042) as ${fresh.jti}, valid until ` +
        `${fresh.expiresAt}; the old link was revoked.`,
    );
    // Reissued once: the next reissue goes through the new link.
    await expect(services.links.reissue({ jti: old.jti })).rejects.toMatchObject({
      code: 'conflict',
      message: `This link was already reissued: the link ${fresh.jti} replaced it. Reissue that one instead.`,
    });
  });

  it('takes a new expiry and limit', async () => {
    const { services, link } = await setup();
    const old = await link({ maxDownloads: 2 });
    const fresh = await services.links.reissue({
      jti: old.jti,
      expiry: { type: 'preset', preset: '7d' },
      maxDownloads: null,
    });
    expect(fresh).toMatchObject({
      maxDownloads: null,
      expiresAt: new Date(NOW.getTime() + 7 * 86_400_000).toISOString(),
    });
  });

  it('changes nothing when the verifier cannot be reached: the old link stays active, no new link', async () => {
    const { services, verifier, link } = await setup();
    const old = await link();
    const before = services.links.list({}).rows;
    verifier.state.down = true;
    await expect(services.links.reissue({ jti: old.jti })).rejects.toMatchObject({
      code: 'verifier-error',
      message: expect.stringMatching(
        /could not be reached \(ECONNREFUSED\); nothing was changed\..* The old link still works and no new link was made/,
      ),
    });
    expect(services.links.list({}).rows).toEqual(before);
    expect(services.links.get(old.jti)).toMatchObject({ status: 'active', replacedBy: null });
  });

  it('marks a direct link replaced (it cannot be revoked) and says until when it works', async () => {
    const { services, verifier, link } = await setup();
    const old = await link({ kind: 'direct' });
    verifier.calls.length = 0;
    const fresh = await services.links.reissue({ jti: old.jti });
    expect(verifier.calls).toEqual([]);
    expect(fresh).toMatchObject({ kind: 'direct', replaces: old.jti, maxDownloads: null });
    expect(fresh.warnings).toContain(
      `The old link is a direct storage link: it cannot be revoked and keeps working until ${old.expiresAt}. ` +
        'To stop it sooner, make the file private or rename it.',
    );
    expect(services.links.get(old.jti)).toMatchObject({
      status: 'replaced',
      revokedAt: null,
      replacedBy: fresh.jti,
    });
    expect(services.links.list({ status: 'replaced' }).rows.map((r) => r.jti)).toEqual([old.jti]);
    expect(services.links.list({ status: 'active' }).rows.map((r) => r.jti)).toEqual([fresh.jti]);
    await expect(services.links.reissue({ jti: fresh.jti, maxDownloads: 3 })).rejects.toMatchObject({
      code: 'invalid-input',
    });
  });
});

describe('share guard settings and the verifier config', () => {
  it('defaults to 3 places and flag; the limit is the verifier’s own', () => {
    expect(SettingsSchema.parse({})).toMatchObject({ shareNetworks: 3, shareAction: 'flag' });
    expect(SHARE_NETWORKS_MAX).toBe(SHARE_GUARD_MAX_NETWORKS);
  });

  it('goes into the exported verifier config when on, and not at all when off', async () => {
    const { services } = await setup();
    expect((await services.verifierConfig.build()).config.shareGuard).toEqual({
      networks: 3,
      action: 'flag',
    });
    services.settings.update({ shareNetworks: 7, shareAction: 'block' });
    expect((await services.verifierConfig.build()).config.shareGuard).toEqual({
      networks: 7,
      action: 'block',
    });
    services.settings.update({ shareNetworks: 0 });
    expect('shareGuard' in (await services.verifierConfig.build()).config).toBe(false);
  });

  it('signet settings set share-networks / share-action: the values the contract names, else a usage error', () => {
    expect(settingsPatchFor('share-networks', '5')).toEqual({ shareNetworks: 5 });
    expect(settingsPatchFor('share-networks', '0')).toEqual({ shareNetworks: 0 });
    expect(settingsPatchFor('share-networks', 'off')).toEqual({ shareNetworks: 0 });
    expect(settingsPatchFor('share-networks', String(SHARE_NETWORKS_MAX))).toEqual({
      shareNetworks: SHARE_NETWORKS_MAX,
    });
    expect(settingsPatchFor('share-action', 'block')).toEqual({ shareAction: 'block' });
    expect(settingsPatchFor('share-action', 'FLAG')).toEqual({ shareAction: 'flag' });
    for (const bad of ['-1', '256', '2.5', 'three', '']) {
      expect(() => settingsPatchFor('share-networks', bad)).toThrow(UsageError);
    }
    expect(() => settingsPatchFor('share-action', 'warn')).toThrow(
      /^share-action is flag or block \(got “warn”\)$/,
    );
  });
});
