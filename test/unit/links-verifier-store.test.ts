/**
 * A link names its account's verifier store, fixed when the account is made: a rename and a new export leave
 * links already sent working. And a link signed with a key no exported config holds says so. On the app's own
 * wiring (in-memory SQLite, an in-memory keychain); the exported file is read by the verifier's own config
 * loader and each token checked as the verifier's download route does (verifyToken, then the store lookup).
 * The real verifier and storage do the same in test/integration/links-ceph.test.ts.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AccountCreateSchema, AccountUpdateSchema } from '../../src/shared/accounts/schemas';
import { AccountRepository } from '../../src/main/repositories/account-repository';
import { KEY_NOT_EXPORTED_WARNING } from '../../src/main/services/links/link-service';
import type { MainServices } from '../../src/main/wiring';
import { verifyToken } from '../../src/shared-node/token';
import { loadConfigFile } from '../../src/verifier/config';
import { openTestServices } from '../support/test-services';

const NOW = new Date('2026-11-21T10:00:00.000Z');
const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((f) => f()));

function setup(): { s: MainServices; dir: string } {
  const t = openTestServices({ clock: { now: () => NOW }, prefix: 'store', inMemory: true });
  cleanups.push(() => t.close());
  const s = t.services;
  const dir = t.dir;
  s.settings.update({ verifierBaseUrl: 'https://dl.example.com' });
  return { s, dir };
}

const storeRepo = (s: MainServices) => new AccountRepository(s.db);

const settings = (name: string) => ({
  name,
  provider: 'custom' as const,
  endpoint: 'https://s3.example.com',
  region: 'us-east-1',
  forcePathStyle: true,
  buckets: ['shop'],
  privateBucket: null,
});

async function addAccount(s: MainServices, name: string): Promise<string> {
  const view = await s.accounts.add(
    AccountCreateSchema.parse({
      settings: settings(name),
      credentials: {
        accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
        secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      },
    }),
  );
  return view.id;
}

const link = (s: MainServices, accountId: string) =>
  s.links.createForKey({
    accountId,
    bucket: 'shop',
    key: 'products/plugin.zip',
    kind: 'verifier',
    productSlug: 'plugin',
    expiry: { type: 'preset', preset: '24h' },
  });

/** What the verifier's download route decides for a link URL under a config file. */
function verifierAnswer(file: string, url: string): string {
  const config = loadConfigFile(file, {});
  const token = new URL(url).searchParams.get('token')!;
  const verified = verifyToken(token, config.keys, { now: NOW.getTime() / 1000, productSlug: 'plugin' });
  if (!verified.ok) return verified.code;
  const src = verified.payload.src;
  if (src.type !== 's3') return `not an s3 source: ${src.type}`;
  return config.stores.has(src.store) ? `store ${src.store}` : 'unknown_store';
}

describe('verifier stores', () => {
  it('keeps the store through a rename: a link from before still verifies under a config exported after', async () => {
    const { s, dir } = setup();
    const id = await addAccount(s, 'Shop Main');
    expect(storeRepo(s).get(id)!.verifierStore).toBe('Shop-Main');
    const before = await link(s, id);

    await s.accounts.update(
      AccountUpdateSchema.parse({ id, settings: settings('Storefront EU'), credentials: {} }),
    );
    expect(storeRepo(s).get(id)).toMatchObject({ name: 'Storefront EU', verifierStore: 'Shop-Main' });
    const after = await link(s, id);

    const file = join(dir, 'verifier.json');
    const exported = await s.verifierConfig.write(file, { listen: '127.0.0.1:0' });
    expect(exported.stores).toEqual(['Shop-Main']);
    expect(verifierAnswer(file, before.url)).toBe('store Shop-Main');
    expect(verifierAnswer(file, after.url)).toBe('store Shop-Main');
    // The ledger keeps the name the account had when each link was made.
    expect([before.accountName, after.accountName]).toEqual(['Shop Main', 'Storefront EU']);
  });

  it('gives accounts whose names come out the same distinct stores, so links and exports never meet', async () => {
    const { s, dir } = setup();
    const first = await addAccount(s, 'Shop Main');
    // Same store name after derivation; "Shop_Main" would share SHOP_MAIN environment variables with it.
    const second = await addAccount(s, 'Shop/Main');
    const third = await addAccount(s, 'Shop_Main');
    // A new account may take a name an older one had: the store that name led to stays with the older one.
    await s.accounts.update(
      AccountUpdateSchema.parse({ id: first, settings: settings('Renamed'), credentials: {} }),
    );
    const fourth = await addAccount(s, 'Shop Main');
    const stores = [first, second, third, fourth].map((id) => storeRepo(s).get(id)!.verifierStore);
    expect(stores).toEqual(['Shop-Main', 'Shop-Main-2', 'Shop_Main-3', 'Shop-Main-4']);

    const links = await Promise.all([first, second, third, fourth].map((id) => link(s, id)));
    const file = join(dir, 'verifier.json');
    const exported = await s.verifierConfig.write(file, { listen: '127.0.0.1:0' });
    expect(exported.stores.sort()).toEqual([...stores].sort());
    expect(links.map((l) => verifierAnswer(file, l.url))).toEqual(stores.map((x) => `store ${x}`));
  });

  it('cuts a long store name to make room for its number', async () => {
    const { s } = setup();
    const long = 'x'.repeat(70);
    await addAccount(s, long);
    const second = await addAccount(s, `${long}!`);
    const store = storeRepo(s).get(second)!.verifierStore;
    expect(store).toBe(`${'x'.repeat(62)}-2`);
  });
});

describe('signing keys not yet exported', () => {
  it('warns on verifier links until the key is in a written config, and lists when it was', async () => {
    const { s, dir } = setup();
    const id = await addAccount(s, 'Shop');
    // The first verifier link makes the key: nothing exported holds it yet.
    const first = await link(s, id);
    expect(first.warnings).toEqual([KEY_NOT_EXPORTED_WARNING]);
    expect(s.keys.list()).toEqual([expect.objectContaining({ active: true, exportedAt: null })]);
    const direct = await s.links.createForKey({
      accountId: id,
      bucket: 'shop',
      key: 'products/plugin.zip',
      kind: 'direct',
      productSlug: 'plugin',
      expiry: { type: 'preset', preset: '24h' },
    });
    expect(direct.warnings).toEqual([]);

    const file = join(dir, 'verifier.json');
    await s.verifierConfig.write(file, { listen: '127.0.0.1:0' });
    expect(s.keys.list()).toEqual([expect.objectContaining({ exportedAt: NOW.toISOString() })]);
    expect((await link(s, id)).warnings).toEqual([]);
    expect(verifierAnswer(file, first.url)).toBe('store Shop');

    // Rotation: the new active key is in no written config until the next export.
    const fresh = await s.keys.create();
    expect(fresh.exportedAt).toBeNull();
    const unknown = await link(s, id);
    expect(unknown.warnings).toEqual([KEY_NOT_EXPORTED_WARNING]);
    expect(verifierAnswer(file, unknown.url)).toBe('unknown_kid');
    await s.verifierConfig.write(file, { listen: '127.0.0.1:0' });
    expect(s.keys.list().map((k) => k.exportedAt)).toEqual([NOW.toISOString(), NOW.toISOString()]);
    expect((await link(s, id)).warnings).toEqual([]);
    expect(verifierAnswer(file, unknown.url)).toBe('store Shop');
  });
});
