import { randomUUID } from 'node:crypto';
import { PROVIDERS } from '@shared/accounts/providers';
import type {
  BucketReport,
  AccountCreate,
  AccountSettings,
  AccountUpdate,
  AccountView,
} from '@shared/accounts/schemas';
import type {
  AccountRecord,
  AccountRepository,
  AccountSettingsRecord,
  BucketPrivacyRecord,
} from '../../repositories/account-repository';
import type { ActivityService } from '../activity-service';
import type { Clock } from '../clock';
import { UserFacingError } from '../errors';
import { AccountCredentialStore, type CredentialPresence, type CredentialWrite } from './account-credentials';
import type { ConnectionTester } from './connection-tester';
import type { S3Credentials } from '../storage/s3-client-factory';

export interface AccountServiceDeps {
  repo: AccountRepository;
  credentials: AccountCredentialStore;
  tester: ConnectionTester;
  activity: ActivityService;
  clock: Clock;
  newId?: () => string;
}

/**
 * Storage accounts: settings in SQLite, credentials in the OS keychain, and the connection test. A plain class
 * (no Electron, no window), so the app, a command line or the verifier can share it. Nothing it returns to
 * callers outside main holds a secret: views say only whether credentials are stored.
 */
export class AccountService {
  private readonly newId: () => string;

  constructor(private readonly deps: AccountServiceDeps) {
    this.newId = deps.newId ?? randomUUID;
  }

  async list(): Promise<AccountView[]> {
    const presence = await this.deps.credentials.presence();
    return this.deps.repo.list().map((r) => toView(r, presence));
  }

  async get(id: string): Promise<AccountView> {
    return toView(this.record(id), await this.deps.credentials.presence());
  }

  /**
   * Keychain first, then the database: if the keychain refuses, nothing was saved; if the database refuses
   * (e.g. the name is taken), the keychain entries just written are removed again.
   */
  async add(input: AccountCreate): Promise<AccountView> {
    const id = this.newId();
    const at = this.deps.clock.now().toISOString();
    const undo = await this.deps.credentials.write(id, {
      'access-key-id': input.credentials.accessKeyId,
      'secret-access-key': input.credentials.secretAccessKey,
      ...(input.credentials.sessionToken ? { 'session-token': input.credentials.sessionToken } : {}),
    });
    try {
      this.deps.repo.insert(id, toRecord(input.settings), at);
    } catch (err) {
      await undo();
      throw nameTaken(err, input.settings.name) ?? err;
    }
    this.deps.activity.record(
      'accounts',
      `Added storage account “${input.settings.name}” (${PROVIDERS[input.settings.provider].label}); its keys are in the system keychain.`,
    );
    return this.get(id);
  }

  /**
   * Credentials left out of the change stay as stored, except a session token: it belongs to one key pair, so a
   * new access key or secret without a token of its own removes the stored one. The last test (and the bucket
   * privacy it found) is kept only when just the name changed. A rename leaves the account's verifier store as
   * it is (AccountRepository.insert chose it): links already sent name that store.
   */
  async update(input: AccountUpdate): Promise<AccountView> {
    const current = this.record(input.id);
    const at = this.deps.clock.now().toISOString();
    const { accessKeyId, secretAccessKey, sessionToken } = input.credentials;
    const change: CredentialWrite = {};
    if (accessKeyId !== undefined) change['access-key-id'] = accessKeyId;
    if (secretAccessKey !== undefined) change['secret-access-key'] = secretAccessKey;
    if (sessionToken !== undefined) change['session-token'] = sessionToken;
    else if (accessKeyId !== undefined || secretAccessKey !== undefined) change['session-token'] = null;
    const credentialsChanged = Object.keys(change).length > 0;

    const next = toRecord(input.settings);
    // Stored keys belong to the place they were made for: they are not sent to a new host or provider.
    const movedTo =
      current.endpoint !== next.endpoint
        ? `the endpoint (${next.endpoint || 'Amazon S3'})`
        : current.provider !== next.provider
          ? 'the provider'
          : null;
    if (movedTo && (accessKeyId === undefined || secretAccessKey === undefined)) {
      throw new UserFacingError(
        'invalid-input',
        `You changed ${movedTo}. Enter the access key ID and the secret access key again for it: Signet does ` +
          'not send the stored keys of this account to a different storage service.',
      );
    }
    const onlyName =
      !credentialsChanged &&
      JSON.stringify({ ...toRecord(current), name: '' }) === JSON.stringify({ ...next, name: '' });

    const undo = await this.deps.credentials.write(input.id, change);
    try {
      if (!this.deps.repo.update(input.id, next, at, onlyName)) throw notFound();
    } catch (err) {
      await undo();
      throw nameTaken(err, input.settings.name) ?? err;
    }
    const what = [
      JSON.stringify(toRecord(current)) !== JSON.stringify(next) ? 'settings' : '',
      credentialsChanged ? 'keys' : '',
    ].filter(Boolean);
    if (what.length)
      this.deps.activity.record(
        'accounts',
        `Changed the ${what.join(' and ')} of storage account “${next.name}”.`,
      );
    return this.get(input.id);
  }

  /**
   * Keychain entries first: if the keychain cannot be reached the account stays (and says so), rather than
   * leaving secrets behind that no account points to any more.
   */
  async remove(id: string): Promise<{ id: string; keychainEntriesRemoved: number }> {
    const current = this.record(id);
    const removed = await this.deps.credentials.remove(id);
    this.deps.repo.delete(id);
    this.deps.activity.record(
      'accounts',
      `Removed storage account “${current.name}” and deleted its keys from the system keychain.`,
    );
    return { id, keychainEntriesRemoved: removed };
  }

  /**
   * Stores the account's read-only verifier key in the keychain (null removes it): verifier configs then carry it
   * instead of the account's own key, which can write and delete.
   */
  async setVerifierKey(
    id: string,
    key: { accessKeyId: string; secretAccessKey: string } | null,
  ): Promise<AccountView> {
    const record = this.record(id);
    await this.deps.credentials.writeVerifierKey(id, key);
    this.deps.activity.record(
      'accounts',
      key
        ? `Stored a read-only verifier key for “${record.name}” (in the system keychain); verifier configs carry it instead of the account’s own key.`
        : `Removed the verifier key of “${record.name}”; verifier configs carry the account’s own key again.`,
    );
    return this.get(id);
  }

  /** The account's read-only verifier key, or null (main only; never over IPC). */
  verifierKey(id: string): Promise<S3Credentials | null> {
    this.record(id);
    return this.deps.credentials.readVerifierKey(id);
  }

  /** Tests the connection, stores the result and the measured clock offset, and answers the updated account. */
  async test(id: string): Promise<AccountView> {
    const record = this.record(id);
    const credentials = await this.credentialsOf(record);
    const result = await this.deps.tester.test({
      settings: record,
      credentials,
      buckets: record.buckets,
      privateBucket: record.privateBucket,
      clockOffsetMs: record.clockOffsetMs,
    });
    const offset = result.clock ? result.clock.appliedOffsetMs : record.clockOffsetMs;
    this.deps.repo.saveTest(id, result, offset);
    this.deps.activity.record('accounts', `Tested storage account “${record.name}”: ${result.headline}`);
    return this.get(id);
  }

  // ---- For main-process features (the storage gateway, syncs); never exposed over IPC. ----

  /**
   * Examines one bucket again (privacy model, exposure, and the clock), as a sync does before it resolves access
   * types, so bucket-wide rules are as fresh as the listing. Only this bucket's row changes. Answers the report,
   * or throws the connection's problem in plain words.
   */
  async checkBucket(id: string, bucket: string): Promise<BucketReport> {
    const record = this.record(id);
    const credentials = await this.credentialsOf(record);
    const result = await this.deps.tester.test({
      settings: record,
      credentials,
      buckets: [bucket],
      privateBucket: record.privateBucket === bucket ? bucket : null,
      clockOffsetMs: record.clockOffsetMs,
    });
    const report = result.buckets.find((b) => b.name === bucket);
    const problem = result.problem ?? report?.problem ?? null;
    if (problem || !report) {
      throw new UserFacingError(
        'not-found',
        problem ? `${problem.title} ${problem.advice}` : `Signet could not reach the bucket “${bucket}”.`,
      );
    }
    this.deps.repo.saveBucketCheck(
      id,
      report,
      result.testedAt,
      result.clock?.appliedOffsetMs ?? record.clockOffsetMs,
    );
    return report;
  }

  /** The account's settings, keys and clock offset, for the storage gateway (main only; never over IPC). */
  async connection(id: string): Promise<{ record: AccountRecord; credentials: S3Credentials }> {
    const record = this.record(id);
    return { record, credentials: await this.credentialsOf(record) };
  }

  /**
   * The accounts as stored, without asking the keychain (list() does, for the window's "keys stored" marks):
   * for main's services that need an account's settings or name, many times per run.
   */
  records(): AccountRecord[] {
    return this.deps.repo.list();
  }

  /** One account as stored (see records()), or null for no such account. */
  find(id: string): AccountRecord | null {
    return this.deps.repo.get(id);
  }

  /** The account's fixed verifier store name (what its links carry as src.store), or null for no such account. */
  verifierStore(id: string): string | null {
    return this.deps.repo.verifierStore(id);
  }

  /** How each bucket keeps files private, as last detected. */
  bucketPrivacy(id: string): BucketPrivacyRecord[] {
    this.record(id);
    return this.deps.repo.bucketPrivacy(id);
  }

  private record(id: string): AccountRecord {
    const record = this.deps.repo.get(id);
    if (!record) throw notFound();
    return record;
  }

  private async credentialsOf(record: AccountRecord): Promise<S3Credentials> {
    const credentials = await this.deps.credentials.read(record.id);
    if (!credentials) {
      throw new UserFacingError(
        'not-found',
        `The keys of “${record.name}” are missing from the system keychain. Edit the account and enter the access key ID and secret again.`,
      );
    }
    return credentials;
  }
}

function toRecord(s: AccountSettings): AccountSettingsRecord {
  return {
    name: s.name,
    provider: s.provider,
    endpoint: s.endpoint,
    region: s.region,
    forcePathStyle: s.forcePathStyle,
    buckets: s.buckets,
    privateBucket: s.privateBucket,
  };
}

function toView(r: AccountRecord, presence: Map<string, CredentialPresence> | null): AccountView {
  const p = presence?.get(r.id);
  return {
    id: r.id,
    name: r.name,
    provider: r.provider,
    endpoint: r.endpoint,
    region: r.region,
    forcePathStyle: r.forcePathStyle,
    buckets: r.buckets,
    privateBucket: r.privateBucket,
    credentials: presence
      ? { hasCredentials: p?.hasCredentials ?? false, temporary: p?.temporary ?? false }
      : { hasCredentials: null, temporary: null },
    clockOffsetMs: r.clockOffsetMs,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    lastTest: r.lastTest,
    verifierKey: presence ? (p?.verifierKey ?? false) : null,
  };
}

function notFound(): UserFacingError {
  return new UserFacingError(
    'not-found',
    'This storage account no longer exists. It may have been removed in the meantime.',
  );
}

function nameTaken(err: unknown, name: string): UserFacingError | null {
  const code = (err as { code?: string }).code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE'
    ? new UserFacingError('conflict', `There is already an account named “${name}”. Choose another name.`)
    : null;
}
