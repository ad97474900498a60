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

export class KeytarSecretStore implements SecretStore {
  readonly backend: string;

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

  get(account: string): Promise<string | null> {
    return this.guard(() => this.keytar.getPassword(this.service, account));
  }

  set(account: string, secret: string): Promise<void> {
    return this.guard(() => this.keytar.setPassword(this.service, account, secret));
  }

  delete(account: string): Promise<boolean> {
    return this.guard(() => this.keytar.deletePassword(this.service, account));
  }

  async list(): Promise<string[]> {
    const entries = await this.guard(() => this.keytar.findCredentials(this.service));
    return entries.map((e) => e.account).sort();
  }

  async status(): Promise<{ available: true } | { available: false; message: string }> {
    try {
      await this.list();
      return { available: true };
    } catch (err) {
      return { available: false, message: (err as Error).message };
    }
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
