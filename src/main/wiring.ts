import type { EventName, EventPayload } from '@shared/ipc/contract';
import { openDatabase, type Db } from './db/database';
import { AccountRepository } from './repositories/account-repository';
import { ActivityRepository } from './repositories/activity-repository';
import { SettingsRepository } from './repositories/settings-repository';
import { AccountCredentialStore } from './services/accounts/account-credentials';
import { AccountService } from './services/accounts/account-service';
import { ConnectionTester } from './services/accounts/connection-tester';
import { SdkS3ClientFactory, type S3ClientFactory } from './services/storage/s3-client-factory';
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
import { WatchService } from './services/library/watch-service';
import { LeakWatchTimer } from './services/library/leak-watch-timer';
import { StorageGateways } from './services/storage/storage-gateways';
import { InProcessStorageSource, WorkerStorageSource } from './services/storage/worker-storage';
import { TaskRegistry } from './services/tasks';
import { LinkRepository } from './repositories/link-repository';
import { SigningKeyRepository } from './repositories/signing-key-repository';
import { LinkBatchService } from './services/links/link-batch';
import { LinkService } from './services/links/link-service';
import { SigningKeyService } from './services/links/signing-key-service';
import { VerifierAdminClient, VerifierAdminToken } from './services/links/verifier-admin';
import { VerifierConfigExporter } from './services/links/verifier-config';
import { JobRepository, type ItemRecord } from './repositories/job-repository';
import { JobService } from './services/jobs/job-service';
import { PathGrants } from './services/path-grants';
import { BackupRepository } from './repositories/backup-repository';
import { BackupService } from './services/backup/backup-service';
import type { Notifier } from './services/notifier';
import { ShareWatch } from './services/links/share-watch';

/**
 * Asks the user where to save a file (the app: Electron's save dialog); answers the chosen path, or null when
 * cancelled. Main then writes the file itself (e.g. the verifier config, with mode 0600).
 */
export type SaveFileDialog = (request: {
  title: string;
  defaultName: string;
  filters?: { name: string; extensions: string[] }[];
}) => Promise<string | null>;

/**
 * Asks the user for files to open (the app: Electron's open dialog); answers the chosen paths, none when cancelled.
 * Several files unless `multiple` is false (a backup to restore).
 */
export type OpenFilesDialog = (request: {
  title: string;
  multiple?: boolean;
  filters?: { name: string; extensions: string[] }[];
}) => Promise<string[]>;

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
  /**
   * The built storage worker (out/main/storage-worker.js): a job's object calls then run in a worker thread, so
   * the SDK's work for each of them stays off the main thread. Without it they run in the calling thread.
   */
  storageWorkerFile?: string;
  /** Jobs of this many items or more use the storage worker (default STORAGE_WORKER_FROM); tests lower it. */
  storageWorkerFrom?: number;
  /** Anonymous HTTP for "verify access" and the verifier's admin API; defaults to the global fetch. */
  fetch?: typeof fetch;
  /** Where to save an exported file (the verifier config). Without it, such exports answer an error. */
  saveFile?: SaveFileDialog;
  /** Files to upload (the native open dialog). Without it, choosing files answers an error. */
  openFiles?: OpenFilesDialog;
  /** Test hook for the jobs' crash test: called after each job item is carried out. */
  afterJobItem?: (item: ItemRecord) => void;
  /** Tells the owner outside the window (the app: desktop notifications). Without it, nobody is notified. */
  notifier?: Notifier;
}

export interface MainServices {
  db: Db;
  secrets: SecretStore;
  settings: SettingsService;
  activity: ActivityService;
  accounts: AccountService;
  gateways: StorageGateways;
  library: LibraryService;
  /** The leak watch: stranger's requests for linked (or all not-public) files. */
  watch: WatchService;
  tasks: TaskRegistry;
  keys: SigningKeyService;
  links: LinkService;
  linkBatch: LinkBatchService;
  verifierConfig: VerifierConfigExporter;
  /** The verifier admin token in the keychain: whether it is set, and setting it (window and command line). */
  adminToken: VerifierAdminToken;
  saveFile: SaveFileDialog | null;
  openFiles: OpenFilesDialog | null;
  /** Local paths the window may upload: those main handed out (Open dialog, drops resolved by the preload). */
  pathGrants: PathGrants;
  jobs: JobService;
  backup: BackupService;
  /** The app's background share check (started by the app only: src/main/index.ts). */
  shareWatch: ShareWatch;
  /** Runs the leak watch on its pace while the desktop app is open (started by the composition root). */
  leakWatch: LeakWatchTimer;
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
  const settingsRepo = new SettingsRepository(db);
  const settings = new SettingsService(settingsRepo, activity, deps.clock);
  const s3 = deps.s3 ?? new SdkS3ClientFactory();
  // One repository for the accounts: services read them through AccountService (records(), find()); only the
  // jobs still take the repository itself.
  const accountRepo = new AccountRepository(db);
  const accounts = new AccountService({
    repo: accountRepo,
    credentials: new AccountCredentialStore(deps.secrets),
    tester: new ConnectionTester(s3, deps.clock),
    activity,
    clock: deps.clock,
  });
  const gateways = new StorageGateways(accounts, s3, deps.clock, deps.fetch);
  const buckets = new BucketRepository(db);
  const catalog = new CatalogRepository(db);
  const verifier = new VerifyService({ buckets, catalog, gateways, activity, clock: deps.clock });
  const library = new LibraryService({
    accounts,
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
    verifier,
  });
  const tasks = new TaskRegistry((payload) => deps.emit('task:progress', payload));
  const keys = new SigningKeyService({
    repo: new SigningKeyRepository(db),
    secrets: deps.secrets,
    activity,
    clock: deps.clock,
  });
  const ledger = new LinkRepository(db);
  const watch = new WatchService({
    accounts,
    buckets,
    catalog,
    links: ledger,
    verifier,
    activity,
    clock: deps.clock,
  });
  const links = new LinkService({
    links: ledger,
    catalog,
    buckets,
    accounts,
    keys,
    gateways,
    settings,
    admin: new VerifierAdminClient({
      settings,
      secrets: deps.secrets,
      ...(deps.fetch ? { fetch: deps.fetch } : {}),
    }),
    activity,
    clock: deps.clock,
    notifier: deps.notifier ?? null,
    onShared: (jtis) => deps.emit('links:shared', { jtis }),
  });
  const leakWatch = new LeakWatchTimer({
    watch,
    settings,
    state: settingsRepo,
    tasks,
    notifier: deps.notifier ?? null,
    clock: deps.clock,
    onError: (err) => console.error('The leak watch failed', err),
  });
  const shareWatch = new ShareWatch({
    links,
    settings,
    secrets: deps.secrets,
    onError: (err) => console.warn('Share check:', err instanceof Error ? err.message : err),
  });
  const linkBatch = new LinkBatchService({
    links,
    ledger,
    catalog,
    buckets,
    accounts,
    settings,
    activity,
    clock: deps.clock,
  });
  const verifierConfig = new VerifierConfigExporter({
    keys,
    accounts,
    secrets: deps.secrets,
    activity,
    settings,
  });
  const jobs = new JobService({
    jobs: new JobRepository(db),
    buckets,
    catalog,
    links: ledger,
    accountRepo,
    accounts,
    gateways,
    storage: deps.storageWorkerFile
      ? new WorkerStorageSource(deps.storageWorkerFile, gateways, deps.storageWorkerFrom)
      : new InProcessStorageSource(gateways),
    activity,
    clock: deps.clock,
    tasks,
    emitJob: (payload) => deps.emit('job:progress', payload),
    ...(deps.afterJobItem ? { afterItem: deps.afterJobItem } : {}),
  });
  const backup = new BackupService({
    repo: new BackupRepository(db),
    secrets: deps.secrets,
    activity,
    clock: deps.clock,
    appVersion: deps.facts.version,
  });
  const sqlite = (db.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v;
  return {
    db,
    secrets: deps.secrets,
    settings,
    activity,
    accounts,
    gateways,
    library,
    watch,
    tasks,
    keys,
    links,
    linkBatch,
    verifierConfig,
    adminToken: new VerifierAdminToken({ secrets: deps.secrets, activity }),
    saveFile: deps.saveFile ?? null,
    openFiles: deps.openFiles ?? null,
    pathGrants: new PathGrants(),
    jobs,
    backup,
    shareWatch,
    leakWatch,
    facts: { ...deps.facts, versions: { ...deps.facts.versions, sqlite } },
    emit: deps.emit,
    close: () => {
      shareWatch.stop();
      leakWatch.stop();
      jobs.shutdown();
      tasks.cancelAll();
      gateways.close();
      // Lets SQLite refresh the statistics its query planner uses, as its documentation advises before closing.
      db.pragma('optimize');
      db.close();
    },
  };
}
