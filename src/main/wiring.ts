import type { EventName, EventPayload } from '../shared/ipc/contract';
import { openDatabase, type Db } from './db/database';
import { ActivityRepository } from './repositories/activity-repository';
import { SettingsRepository } from './repositories/settings-repository';
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
}

export interface MainServices {
  db: Db;
  secrets: SecretStore;
  settings: SettingsService;
  activity: ActivityService;
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
  const sqlite = (db.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v;
  return {
    db,
    secrets: deps.secrets,
    settings,
    activity,
    facts: { ...deps.facts, versions: { ...deps.facts.versions, sqlite } },
    emit: deps.emit,
    close: () => db.close(),
  };
}
