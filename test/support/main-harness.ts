/**
 * The main process as the window drives it, on real parts: services from the app's wiring on a temp SQLite
 * file and a private keychain service name in the test keyring (scripts/with-test-keyring.sh), called through
 * the IPC router with the app's own frame. Used by integration tests against the Ceph rig.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AccountCreateInput } from '../../src/shared/accounts/schemas';
import type {
  ChannelInput,
  ChannelName,
  ChannelOutput,
  EventName,
  EventPayload,
} from '../../src/shared/ipc/contract';
import type { IpcResult } from '../../src/shared/ipc/define';
import { createHandlers } from '../../src/main/ipc/handlers';
import { createIpcRouter, type SenderInfo } from '../../src/main/ipc/router';
import { makeTrustedSenderCheck } from '../../src/main/ipc/trusted-sender';
import type { S3ClientFactory } from '../../src/main/services/storage/s3-client-factory';
import type { Notifier } from '../../src/main/services/notifier';
import { systemClock, type Clock } from '../../src/main/services/clock';
import { KeytarSecretStore, type KeytarLike } from '../../src/main/services/keytar-secret-store';
import { createMainServices, type MainServices, type SaveFileDialog } from '../../src/main/wiring';
import type { CephEnv } from './ceph';
import { requirePrivateTestKeyring } from './test-keyring';
import { testFacts } from './test-services';

const APP_URL = 'app://signet/index.html';
const appFrame: SenderInfo = { url: APP_URL, isMainFrame: true };
const keytar = createRequire(__filename)('keytar') as KeytarLike;

export interface Harness {
  services: MainServices;
  dir: string;
  service: string;
  /** Every answer the router gave, to search for secrets at the end. */
  responses: unknown[];
  /** Every event main sent, in order. */
  events: { event: EventName; payload: unknown }[];
  call<C extends ChannelName>(channel: C, input: ChannelInput<C>): Promise<IpcResult<ChannelOutput<C>>>;
  ok<C extends ChannelName>(channel: C, input: ChannelInput<C>): Promise<ChannelOutput<C>>;
  /**
   * Chooses files as the owner does in the Open dialog (files:choose answers these paths): main then accepts them
   * for upload, and no others (it grants only paths it handed out).
   */
  choose(paths: string[]): Promise<string[]>;
  /** Files dropped on the window, as the preload hands their paths to main (files:dropped, not on window.api). */
  drop(paths: string[]): Promise<IpcResult<{ paths: string[] }>>;
  /** Removes the keychain entries, closes the database and deletes the temp folder. */
  close(): Promise<void>;
}

export function startHarness(
  opts: {
    clock?: Clock;
    s3?: S3ClientFactory;
    prefix?: string;
    syncWorkerFile?: string;
    /** The built storage worker: a job's object calls then run in a worker thread, as in the app. */
    storageWorkerFile?: string;
    /** Jobs of this many items or more use it (the app: 2,000). */
    storageWorkerFrom?: number;
    saveFile?: SaveFileDialog;
    /** The desktop notifications the app would show (a test records them). */
    notifier?: Notifier;
  } = {},
): Harness {
  // Also refused by the integration setup file; here too, since this opens the real keychain for any caller.
  requirePrivateTestKeyring();
  const dir = mkdtempSync(join(tmpdir(), `signet-${opts.prefix ?? 'main'}-`));
  const service = `signet-${opts.prefix ?? 'main'}-test-${randomUUID()}`;
  const events: Harness['events'] = [];
  let chosen: string[] = [];
  const services = createMainServices({
    databaseFile: join(dir, 'signet.db'),
    secrets: new KeytarSecretStore(keytar, service),
    clock: opts.clock ?? systemClock,
    facts: testFacts(dir),
    emit: <E extends EventName>(event: E, payload: EventPayload<E>) => events.push({ event, payload }),
    ...(opts.s3 ? { s3: opts.s3 } : {}),
    ...(opts.syncWorkerFile ? { syncWorkerFile: opts.syncWorkerFile } : {}),
    ...(opts.storageWorkerFile ? { storageWorkerFile: opts.storageWorkerFile } : {}),
    ...(opts.storageWorkerFrom !== undefined ? { storageWorkerFrom: opts.storageWorkerFrom } : {}),
    ...(opts.saveFile ? { saveFile: opts.saveFile } : {}),
    ...(opts.notifier ? { notifier: opts.notifier } : {}),
    openFiles: () => Promise.resolve(chosen),
  });
  const router = createIpcRouter({
    handlers: createHandlers(services),
    isTrustedSender: makeTrustedSenderCheck(APP_URL),
    logger: { error: (message, details) => console.error(message, details) },
  });
  const responses: unknown[] = [];
  const h: Harness = {
    services,
    dir,
    service,
    responses,
    events,
    async call(channel, input) {
      const result = (await router.dispatch(channel, input, appFrame)) as IpcResult<
        ChannelOutput<typeof channel>
      >;
      responses.push(result);
      return result;
    },
    async ok(channel, input) {
      const result = await h.call(channel, input);
      if (!result.ok) throw new Error(`${channel} failed: ${result.error.code}: ${result.error.message}`);
      return result.data;
    },
    async choose(paths) {
      chosen = paths;
      return (await h.ok('files:choose', undefined)).paths;
    },
    async drop(paths) {
      const result = (await router.dispatch('files:dropped', { paths }, appFrame)) as IpcResult<{
        paths: string[];
      }>;
      responses.push(result);
      return result;
    },
    async close() {
      // A keychain that fails here fails the test's afterAll (not hidden); the database and folder go anyway.
      try {
        for (const account of await services.secrets.list()) await services.secrets.delete(account);
      } finally {
        services.close();
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
  return h;
}

/** An account on the Ceph rig as the test user. */
export function cephAccount(
  env: CephEnv,
  name: string,
  over: Partial<AccountCreateInput['settings']> = {},
): AccountCreateInput {
  return {
    settings: {
      name,
      provider: 'custom',
      endpoint: env.endpoint,
      region: env.region,
      forcePathStyle: true,
      buckets: [],
      privateBucket: null,
      ...over,
    },
    credentials: { accessKeyId: env.accessKeyId, secretAccessKey: env.secretAccessKey },
  };
}
