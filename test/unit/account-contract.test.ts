import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { contract, CHANNEL_NAMES } from '../../src/shared/ipc/contract';
import { createIpcRouter, type Handlers } from '../../src/main/ipc/router';

/** Property names that would carry a credential. */
const SECRET_FIELD = /secret|accesskey|sessiontoken|password|credential(?!s$)/i;

function propertyNames(schema: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(schema)) schema.forEach((s) => propertyNames(s, out));
  else if (schema && typeof schema === 'object') {
    for (const [key, value] of Object.entries(schema)) {
      if (key === 'properties' && value && typeof value === 'object')
        Object.keys(value).forEach((k) => out.add(k));
      propertyNames(value, out);
    }
  }
  return out;
}

describe('accounts in the IPC contract', () => {
  it('no channel can answer with a field that holds a credential', () => {
    for (const name of CHANNEL_NAMES) {
      const names = [
        ...propertyNames(z.toJSONSchema(contract[name].output, { io: 'output', unrepresentable: 'any' })),
      ];
      expect(
        names.filter((n) => SECRET_FIELD.test(n)),
        name,
      ).toEqual([]);
    }
    // What the renderer learns about credentials instead:
    const view = z.toJSONSchema(contract['accounts:list'].output, { io: 'output' });
    expect(JSON.stringify(view)).toContain('"hasCredentials"');
  });

  it('the router drops a secret a buggy handler might return, because outputs are parsed by the contract', async () => {
    const account = {
      id: '6f1d3c8e-9a4b-4c2d-8e7f-0a1b2c3d4e5f',
      name: 'Shop',
      provider: 'aws',
      endpoint: '',
      region: 'us-east-1',
      forcePathStyle: false,
      buckets: [],
      privateBucket: null,
      credentials: { hasCredentials: true, temporary: false, secretAccessKey: 'LEAKED-SECRET' },
      secretAccessKey: 'LEAKED-SECRET',
      clockOffsetMs: 0,
      createdAt: '2026-11-21T10:00:00.000Z',
      updatedAt: '2026-11-21T10:00:00.000Z',
      lastTest: null,
    };
    const router = createIpcRouter({
      handlers: { 'accounts:list': () => [account] } as unknown as Handlers,
      isTrustedSender: () => true,
      logger: { error: () => undefined },
    });
    const result = await router.dispatch('accounts:list', undefined, { url: 'app://x', isMainFrame: true });
    expect(result.ok).toBe(true);
    expect(JSON.stringify(result)).not.toContain('LEAKED-SECRET');
  });

  it('refuses malformed account input before any handler runs', async () => {
    let called = false;
    const router = createIpcRouter({
      handlers: { 'accounts:add': () => ((called = true), null) } as unknown as Handlers,
      isTrustedSender: () => true,
      logger: { error: () => undefined },
    });
    const result = await router.dispatch(
      'accounts:add',
      { settings: { name: '', provider: 'nope' }, credentials: {} },
      { url: 'app://x', isMainFrame: true },
    );
    expect(called).toBe(false);
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    if (!result.ok) {
      expect(result.error.issues?.map((i) => i.path)).toEqual(
        expect.arrayContaining(['settings.name', 'settings.provider', 'credentials.accessKeyId']),
      );
    }
  });
});
