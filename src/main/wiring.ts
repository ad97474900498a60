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
}

export interface MainServices {
  db: Db;
  secrets: SecretStore;
  settings: SettingsService;
  activity: ActivityService;
  accounts: AccountService;
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
    factory: s3,
    activity,
    clock: deps.clock,
  });
  const sqlite = (db.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v;
  return {
    db,
    secrets: deps.secrets,
    settings,
    activity,
    accounts,
    facts: { ...deps.facts, versions: { ...deps.facts.versions, sqlite } },
    emit: deps.emit,
    close: () => db.close(),
  };
}
