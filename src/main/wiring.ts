import type { EventName, EventPayload } from '../shared/ipc/contract';
import { openDatabase, type Db } from './db/database';
import { AccountRepository } from './repositories/account-repository';
import { ActivityRepository } from './repositories/activity-repository';
import { SettingsRepository } from './repositories/settings-repository';
import { AccountCredentialStore } from './services/accounts/account-credentials';
import { AccountService } from './services/accounts/account-service';
import { ConnectionTester } from './services/accounts/connection-tester';
import { SdkS3ClientFactory, type S3ClientFactory } from './services/accounts/s3-client-factory';
import { ActivityService } from './services/activity-service';
import type { Clock } from './services/clock';
import type { SecretStore } from './services/secret-store';
import { SettingsService } from './services/settings-service';
import { BucketRepository } from './repositories/bucket-repository';
import { CatalogRepository } from './repositories/catalog-repository';
import { LibraryService } from './services/library/library-service';
import { InProcessSyncEngine, SyncService } from './services/library/sync-service';
import { WorkerSyncEngine } from './services/library/worker-sync-engine';
import { VerifyService } from './services/library/verify-service';
import { StorageGateways } from './services/storage/storage-gateways';
import { TaskRegistry } from './services/tasks';

export interface AppFacts {
  name: string;
  version: string;
  versions: { electron: string | null; chrome: string | null; node: string; sqlite: string };
  platform: string;
  dataFolder: string;
}

export interface MainDeps {
  databaseFile: string;
  secrets: SecretStore;
  clock: Clock;
  facts: Omit<AppFacts, 'versions'> & { versions: Omit<AppFacts['versions'], 'sqlite'> };
  /** Sends a typed event to the renderer (the window in the app, the page in browser tests). */
  emit: <E extends EventName>(event: E, payload: EventPayload<E>) => void;
  /** Builds S3 clients for storage accounts; defaults to the AWS SDK over the network. */
  s3?: S3ClientFactory;
  /**
   * The built sync worker (out/main/sync-worker.js): syncs then run in a worker thread, so the app's main thread
   * stays free for the window. Without it (command line, tests) they run in the calling thread.
   */
  syncWorkerFile?: string;
  /** Anonymous HTTP for "verify access"; defaults to the global fetch. */
  fetch?: typeof fetch;
}

export interface MainServices {
  db: Db;
  secrets: SecretStore;
  settings: SettingsService;
  activity: ActivityService;
  accounts: AccountService;
  gateways: StorageGateways;
  library: LibraryService;
  tasks: TaskRegistry;
  facts: AppFacts;
  emit: MainDeps['emit'];
  close(): void;
}

/**
 * Builds every main-process service from its collaborators. Electron-free, so the app's composition root
 * (src/main/index.ts) and the browser tests run exactly the same wiring.
 */
export function createMainServices(deps: MainDeps): MainServices {
  const db = openDatabase(deps.databaseFile);
  const activity = new ActivityService(new ActivityRepository(db), deps.clock);
  const settings = new SettingsService(new SettingsRepository(db), activity, deps.clock);
  const s3 = deps.s3 ?? new SdkS3ClientFactory();
  const accounts = new AccountService({
    repo: new AccountRepository(db),
    credentials: new AccountCredentialStore(deps.secrets),
    tester: new ConnectionTester(s3, deps.clock),
    activity,
    clock: deps.clock,
  });
  const gateways = new StorageGateways(accounts, s3, deps.clock, deps.fetch);
  const buckets = new BucketRepository(db);
  const catalog = new CatalogRepository(db);
  const accountRepo = new AccountRepository(db);
  const library = new LibraryService({
    accounts: accountRepo,
    buckets,
    catalog,
    syncer: new SyncService({
      accounts,
      buckets,
      catalog,
      activity,
      clock: deps.clock,
      engine: deps.syncWorkerFile
        ? new WorkerSyncEngine(deps.syncWorkerFile, deps.databaseFile, accounts)
        : new InProcessSyncEngine({ catalog, gateways, clock: deps.clock }),
    }),
    verifier: new VerifyService({ buckets, catalog, gateways, activity, clock: deps.clock }),
  });
  const tasks = new TaskRegistry((payload) => deps.emit('task:progress', payload));
  const sqlite = (db.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v;
  return {
    db,
    secrets: deps.secrets,
    settings,
    activity,
    accounts,
    gateways,
    library,
    tasks,
    facts: { ...deps.facts, versions: { ...deps.facts.versions, sqlite } },
    emit: deps.emit,
    close: () => {
      tasks.cancelAll();
      gateways.close();
      // Lets SQLite refresh the statistics its query planner uses, as its documentation advises before closing.
      db.pragma('optimize');
      db.close();
    },
  };
}
