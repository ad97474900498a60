/**
 * The app's services wired for a test without IPC or Electron (createMainServices with test facts), and the
 * account most catalog tests start from. Tests that drive the IPC router use main-harness.ts instead.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Db } from '../../src/main/db/database';
import { AccountRepository } from '../../src/main/repositories/account-repository';
import { BucketRepository } from '../../src/main/repositories/bucket-repository';
import type { NewItem } from '../../src/main/repositories/job-repository';
import type { Clock } from '../../src/main/services/clock';
import { MemorySecretStore } from '../../src/main/services/memory-secret-store';
import type { SecretStore } from '../../src/main/services/secret-store';
import { createMainServices, type MainServices } from '../../src/main/wiring';

/** What the About page would show, for a test: no Electron, the given data folder. */
export function testFacts(dataFolder: string) {
  return {
    name: 'Signet',
    version: '0.0.0',
    versions: { electron: null, chrome: null, node: '20' },
    platform: 'test',
    dataFolder,
  };
}

export interface TestServices {
  services: MainServices;
  dir: string;
  /** Closes the database and removes the data folder. */
  close(): void;
}

/** Services on a temp data folder (or an in-memory database), a memory keychain unless given one. */
export function openTestServices(opts: {
  clock: Clock;
  secrets?: SecretStore;
  prefix?: string;
  inMemory?: boolean;
  dir?: string;
}): TestServices {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), `signet-${opts.prefix ?? 'services'}-`));
  const services = createMainServices({
    databaseFile: opts.inMemory ? ':memory:' : join(dir, 'signet.db'),
    secrets: opts.secrets ?? new MemorySecretStore(),
    clock: opts.clock,
    facts: testFacts(dir),
    emit: () => undefined,
  });
  return {
    services,
    dir,
    close() {
      services.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Account 'a1' ("Shop", a custom endpoint) with one configured bucket; answers the bucket's id. */
export function seedShopAccount(db: Db, at: string, bucket = 'media'): number {
  new AccountRepository(db).insert(
    'a1',
    {
      name: 'Shop',
      provider: 'custom',
      endpoint: 'http://127.0.0.1:7480',
      region: 'us-east-1',
      forcePathStyle: true,
      buckets: [bucket],
      privateBucket: null,
    },
    at,
  );
  return new BucketRepository(db).byName('a1', bucket)!.id;
}

/**
 * One SQLite file in a fresh folder, opened twice: two Signet processes (the app and the command line) on one
 * data folder. The first connection has the shop account of seedShopAccount; `close` closes both and removes
 * the folder.
 */
export function twoProcessesDb(
  prefix: string,
  at: string,
): { app: Db; cli: Db; bucketId: number; close(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const file = join(dir, 'signet.db');
  const app = openDatabase(file);
  const bucketId = seedShopAccount(app, at);
  const cli = openDatabase(file);
  return {
    app,
    cli,
    bucketId,
    close: () => {
      app.close();
      cli.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** `n` items of a make-private job in the bucket, keys k0, k1, …, 10 bytes each. */
export function aclItems(n: number, bucketId: number): NewItem[] {
  return Array.from({ length: n }, (_, i) => ({
    source: `k${i}`,
    key: `k${i}`,
    size: 10,
    method: 'acl' as const,
    targetBucketId: bucketId,
    acl: 'private' as const,
  }));
}
