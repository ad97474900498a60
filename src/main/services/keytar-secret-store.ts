import { KeychainUnavailableError, type SecretStore } from './secret-store';

/** The part of the keytar module Signet uses; injected so the store can be built without loading it. */
export interface KeytarLike {
  getPassword(service: string, account: string): Promise<string | null>;
  setPassword(service: string, account: string, password: string): Promise<void>;
  deletePassword(service: string, account: string): Promise<boolean>;
  findCredentials(service: string): Promise<{ account: string; password: string }[]>;
}

/** What to tell the user per platform when the keychain does not answer. */
const HINT: Record<string, string> = {
  linux:
    'On Linux Signet uses the Secret Service: make sure GNOME Keyring or KWallet is installed, running and ' +
    'unlocked (logging in to a desktop session normally does this), then try again.',
  darwin: 'Unlock the macOS Keychain (Keychain Access) and try again.',
  win32: 'Windows Credential Manager did not answer; sign in to Windows again and retry.',
};

/**
 * The keychain entry holding the names of Signet's other entries (a JSON array; names only, no secret). keytar
 * can only enumerate a service with findCredentials, which decrypts and returns every password (and on macOS
 * may ask the user about each): with this index, knowing which entries exist reads one non-secret entry.
 */
export const ENTRY_INDEX = 'signet:entry-names';

export class KeytarSecretStore implements SecretStore {
  readonly backend: string;
  /** Index updates of this process, one after the other (a read-modify-write each). */
  private indexQueue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly keytar: KeytarLike,
    /** One service name per app (and per test run), so entries never mix with other programs'. */
    private readonly service: string,
    private readonly platform: string = process.platform,
  ) {
    this.backend =
      platform === 'darwin'
        ? 'macOS Keychain'
        : platform === 'win32'
          ? 'Windows Credential Manager'
          : 'Secret Service';
  }

  /** Reads (decrypts) one secret: call it only when the secret is about to be used. */
  async get(account: string): Promise<string | null> {
    this.refuseIndexName(account);
    return this.guard(() => this.keytar.getPassword(this.service, account));
  }

  async set(account: string, secret: string): Promise<void> {
    this.refuseIndexName(account);
    await this.guard(() => this.keytar.setPassword(this.service, account, secret));
    await this.updateIndex((names) => names.add(account));
  }

  async delete(account: string): Promise<boolean> {
    this.refuseIndexName(account);
    const removed = await this.guard(() => this.keytar.deletePassword(this.service, account));
    await this.updateIndex((names) => names.delete(account));
    return removed;
  }

  /** Entry names from the index: no secret is read. */
  async list(): Promise<string[]> {
    return [...(await this.readIndex())].sort();
  }

  async status(): Promise<{ available: true } | { available: false; message: string }> {
    try {
      await this.readIndex();
      return { available: true };
    } catch (err) {
      return { available: false, message: (err as Error).message };
    }
  }

  private refuseIndexName(account: string): void {
    if (account === ENTRY_INDEX) throw new Error(`${ENTRY_INDEX} is the keychain index, not a secret entry`);
  }

  /**
   * The names in the index. When there is none yet (a keychain written by Signet 0.1, or the index was
   * removed by hand), it is built once from findCredentials, the only call that enumerates entries, and saved.
   */
  private async readIndex(): Promise<Set<string>> {
    const raw = await this.guard(() => this.keytar.getPassword(this.service, ENTRY_INDEX));
    const parsed = raw === null ? null : parseIndex(raw);
    if (parsed) return parsed;
    const found = await this.guard(() => this.keytar.findCredentials(this.service));
    const names = new Set(found.map((e) => e.account).filter((a) => a !== ENTRY_INDEX));
    await this.writeIndex(names);
    return names;
  }

  private writeIndex(names: Set<string>): Promise<void> {
    return this.guard(() =>
      this.keytar.setPassword(this.service, ENTRY_INDEX, JSON.stringify([...names].sort())),
    );
  }

  private updateIndex(change: (names: Set<string>) => unknown): Promise<void> {
    const run = this.indexQueue.then(async () => {
      const names = await this.readIndex();
      const before = names.size;
      const had = [...names].join('\n');
      change(names);
      if (names.size !== before || [...names].join('\n') !== had) await this.writeIndex(names);
    });
    this.indexQueue = run.catch(() => undefined);
    return run;
  }

  /** keytar rejects with libsecret/dbus messages; turn every such failure into one plain, actionable error. */
  private async guard<T>(op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (err) {
      const detail = err instanceof Error ? err.message : String(err);
      throw new KeychainUnavailableError(`${HINT[this.platform] ?? ''} (System said: ${detail})`.trim());
    }
  }
}

function parseIndex(raw: string): Set<string> | null {
  try {
    const value: unknown = JSON.parse(raw);
    return Array.isArray(value) && value.every((v) => typeof v === 'string') ? new Set(value) : null;
  } catch {
    return null;
  }
}
