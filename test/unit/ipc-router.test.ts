import { describe, expect, it } from 'vitest';
import { SettingsSchema } from '../../src/shared/settings';
import { createIpcRouter, type Handlers, type SenderInfo } from '../../src/main/ipc/router';
import { makeTrustedSenderCheck } from '../../src/main/ipc/trusted-sender';
import { UserFacingError } from '../../src/main/services/errors';
import { contract } from '../../src/shared/ipc/contract';

const APP_URL = 'app://signet/index.html';
const appFrame: SenderInfo = { url: `${APP_URL}#/settings`, isMainFrame: true };

function routerWith(overrides: Partial<Handlers> = {}) {
  const logged: string[] = [];
  const defaults = SettingsSchema.parse({});
  // Channels a test does not exercise fail loudly instead of needing a made-up answer each.
  const unused = Object.fromEntries(
    Object.keys(contract).map((c) => [
      c,
      () => {
        throw new Error(`${c} is not used in this test`);
      },
    ]),
  ) as unknown as Handlers;
  const handlers: Handlers = {
    ...unused,
    'app:info': () => ({
      name: 'Signet',
      version: '0.1.0',
      versions: { electron: null, chrome: null, node: '20', sqlite: '3' },
      platform: 'linux',
      dataFolder: '/tmp',
    }),
    'settings:get': () => defaults,
    'settings:update': (patch) => ({ ...defaults, ...patch }),
    'keychain:status': () => ({ available: true, backend: 'test', message: null }),
    'activity:list': () => [],
    ...overrides,
  };
  const router = createIpcRouter({
    handlers,
    isTrustedSender: makeTrustedSenderCheck(APP_URL),
    logger: { error: (m) => logged.push(m) },
  });
  return { router, logged };
}

describe('IPC router', () => {
  it('answers a valid call with the parsed output', async () => {
    const { router } = routerWith();
    const result = await router.dispatch('settings:update', { theme: 'dark' }, appFrame);
    expect(result).toMatchObject({ ok: true, data: { theme: 'dark', defaultLinkExpiryHours: 72 } });
  });

  it('rejects a bad payload with a typed error naming the field, without calling the handler', async () => {
    let called = false;
    const { router } = routerWith({ 'settings:update': () => ((called = true), SettingsSchema.parse({})) });
    const result = await router.dispatch(
      'settings:update',
      { defaultLinkExpiryHours: -4, bogus: 1 },
      appFrame,
    );
    expect(called).toBe(false);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('invalid-input');
    expect(result.error.issues?.map((i) => i.path)).toContain('defaultLinkExpiryHours');
    expect(result.error.message).toMatch(/defaultLinkExpiryHours/);
  });

  it('answers garbage of any shape with an error, never a throw', async () => {
    const { router } = routerWith();
    // Each shape is refused as invalid input: none is a settings patch.
    const junks = [
      null,
      42,
      'x',
      [],
      { defaultMaxDownloads: '5' },
      JSON.parse('{"__proto__":{"theme":"dark"}}'),
    ];
    for (const junk of junks) {
      expect(await router.dispatch('settings:update', junk, appFrame)).toMatchObject({
        ok: false,
        error: { code: 'invalid-input' },
      });
    }
    // An inherited key cannot cross IPC: structured clone (what ipcRenderer.invoke uses) keeps own properties
    // only, so the router sees an empty patch, changes nothing, and no prototype is polluted.
    const viaIpc = structuredClone({ __proto__: { theme: 'dark' } }) as unknown;
    expect(viaIpc).toEqual({});
    expect(await router.dispatch('settings:update', viaIpc, appFrame)).toEqual({
      ok: true,
      data: SettingsSchema.parse({}),
    });
    expect(({} as Record<string, unknown>)['theme']).toBeUndefined();
    expect(await router.dispatch('settings:nope', {}, appFrame)).toMatchObject({
      ok: false,
      error: { code: 'unknown-channel' },
    });
    expect(await router.dispatch('__proto__', {}, appFrame)).toMatchObject({ ok: false });
  });

  it('refuses senders other than the app main frame', async () => {
    const { router, logged } = routerWith();
    const strangers: SenderInfo[] = [
      { url: 'https://evil.example/', isMainFrame: true },
      { url: 'file:///tmp/evil.html', isMainFrame: true },
      { url: 'app://evil/index.html', isMainFrame: true },
      { url: 'signet://signet/index.html', isMainFrame: true },
      { url: APP_URL, isMainFrame: false },
      { url: 'not a url', isMainFrame: true },
    ];
    for (const sender of strangers) {
      expect(await router.dispatch('settings:get', undefined, sender)).toMatchObject({
        ok: false,
        error: { code: 'forbidden-sender' },
      });
    }
    expect(logged).toHaveLength(strangers.length);
  });

  it('never trusts file:// as the app page, since every local file shares that origin', () => {
    const check = makeTrustedSenderCheck('file:///opt/Signet/out/renderer/index.html');
    expect(check({ url: 'file:///opt/Signet/out/renderer/index.html', isMainFrame: true })).toBe(false);
    expect(makeTrustedSenderCheck(APP_URL)({ url: 'app://signet/#/library', isMainFrame: true })).toBe(true);
  });

  it('trusts the dev server by origin', () => {
    const check = makeTrustedSenderCheck('http://localhost:5173/');
    expect(check({ url: 'http://localhost:5173/#/library', isMainFrame: true })).toBe(true);
    expect(check({ url: 'http://localhost:5174/', isMainFrame: true })).toBe(false);
  });

  it('passes user-facing errors through and hides internal ones', async () => {
    const { router, logged } = routerWith({
      'keychain:status': () => {
        throw new UserFacingError('keychain-unavailable', 'Unlock your keychain.');
      },
      'settings:get': () => {
        throw new Error('SQLITE_CORRUPT at /secret/path');
      },
    });
    expect(await router.dispatch('keychain:status', undefined, appFrame)).toEqual({
      ok: false,
      error: { code: 'keychain-unavailable', message: 'Unlock your keychain.' },
    });
    const internal = await router.dispatch('settings:get', undefined, appFrame);
    expect(internal).toMatchObject({ ok: false, error: { code: 'internal' } });
    expect(JSON.stringify(internal)).not.toContain('/secret/path');
    expect(logged.join()).toContain('settings:get');
  });

  it('refuses to send output that breaks the contract', async () => {
    const { router } = routerWith({ 'activity:list': () => [{ id: 'x' }] as never });
    expect(await router.dispatch('activity:list', {}, appFrame)).toMatchObject({
      ok: false,
      error: { code: 'internal' },
    });
  });
});
