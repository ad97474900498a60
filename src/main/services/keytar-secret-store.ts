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
 * What the system says on Linux when there is no Secret Service at all, rather than one that is locked or
 * refuses: no session bus (SSH, a server, a container), a bus with no keyring daemon on it, a keyring daemon
 * with no login keyring and no display to ask for one, or no libsecret to load keytar with.
 */
const NO_KEYCHAIN_LINUX: readonly RegExp[] = [
  /Cannot autolaunch D-Bus/i,
  /Could not connect:/i,
  /org\.freedesktop\.DBus\.Error\.(ServiceUnknown|NoServer)/,
  /was not provided by any \.service files/i,
  /Object does not exist at path \S*\/org\/freedesktop\/secrets\/collection\/login/,
  /keychain library could not be loaded/i,
];

/** How to give the command line a keychain where no desktop session runs (README: "No keychain is available"). */
const NO_KEYCHAIN_HINT =
  'Signet keeps secrets only there, never in plain files. Run Signet in a desktop session, where GNOME Keyring or ' +
  'KWallet runs and is unlocked at login; on a machine without one (SSH, a server), run the command line under ' +
  "a keyring daemon of its own: dbus-run-session -- sh -c 'gnome-keyring-daemon --unlock --components=secrets " +
  "< ~/.signet-keyring-password > /dev/null && signet …' (the README’s Troubleshooting has the details).";

/**
 * The message for a keychain that failed, from the platform and the system's own words: a missing keychain
 * (headless Linux) says so and how to get one; any other failure asks to unlock it. Only a write says that the
 * secret was not stored.
 */
export function keychainFailureMessage(platform: string, systemSaid: string, writing: boolean): string {
  const said = `(System said: ${systemSaid})`;
  if (platform === 'linux' && NO_KEYCHAIN_LINUX.some((re) => re.test(systemSaid))) {
    return (
      `Signet cannot reach your system keychain: no keychain is available ${said}` +
      `${writing ? ', so it did not store the secret' : ''}. ${NO_KEYCHAIN_HINT}`
    );
  }
  const hint = HINT[platform] ?? '';
  if (writing) {
    return (
      'Signet cannot reach your system keychain, so it did not store the secret (it never keeps secrets in ' +
      `plain files). ${`${hint} ${said}`.trim()}`
    );
  }
  return `Signet cannot reach your system keychain (it never keeps secrets in plain files). ${`${hint} ${said}`.trim()}`;
}

/** The system's words behind a KeychainUnavailableError this store raised (a write words it again). */
const SYSTEM_SAID = new WeakMap<Error, string>();

/**
 * Which entries exist, without decrypting a secret. keytar can only enumerate a service with findCredentials,
 * which decrypts and returns every value in it (and on macOS may ask the user about each). So every entry has
 * a marker of the same name in a second service, `<service>:names`, whose value is no secret: listing
 * enumerates the markers only, and a secret is read only when it is used.
 *
 * Why a marker per name and not one entry holding the list (as Signet did before): a list is a
 * read-modify-write, keytar has no compare-and-swap, and the app and the command line can write at the same
 * time, so one would drop the other's name and that secret would be hidden for good. Creating or removing
 * one marker is atomic in every keychain; there is nothing to merge.
 *
 * The order of the two writes makes a half-done change err on the safe side: set writes the marker before
 * the secret and delete removes the secret before the marker, so a failure leaves at worst a name listed
 * without a secret (reading it gives null; the caller's undo or the next delete removes it), never a secret
 * that nobody lists. A secret found without its marker when it is read (an overlapping set and delete of
 * the same name in two processes, an older Signet writing, a marker removed by hand) gets its marker back.
 */
export const NAMES_SUFFIX = ':names';
/** The markers' value: anything but empty (keytar refuses empty values, Windows skips them when listing). */
const MARK = '1';
/** A marker saying the markers are complete: written once the names of an older keychain were gathered. */
export const NAMES_COMPLETE = 'signet:names-complete';
/** Where an earlier Signet kept the names, as one list in the secrets' own service; removed when gathering. */
export const ENTRY_INDEX = 'signet:entry-names';
/**
 * A marker written before every enumeration on Linux, to learn whether the keyring is locked: there keytar's
 * findCredentials on a locked collection crashes the whole process (libsecret hands it a null secret that it
 * copies: atom/node-keytar#477, never fixed), and getPassword answers a silent null; only a write says "locked".
 */
export const UNLOCKED_PROBE = 'signet:unlocked-probe';

/** Where a failure that does not fail the call is reported: entry names and the keychain's message only. */
export type SecretStoreLog = (message: string) => void;

export class KeytarSecretStore implements SecretStore {
  readonly backend: string;
  private readonly namesService: string;
  /** Whether this process has seen (or written) NAMES_COMPLETE: then set() need not look again. */
  private complete = false;
  /** A gathering in progress, shared by calls that overlap (the window asks for accounts and status at once). */
  private gathering: Promise<string[]> | null = null;

  constructor(
    private readonly keytar: KeytarLike,
    /** One service name per app (and per test run), so entries never mix with other programs'. */
    private readonly service: string,
    private readonly platform: string = process.platform,
    private readonly log: SecretStoreLog = (message) => console.error(message),
  ) {
    this.namesService = `${service}${NAMES_SUFFIX}`;
    this.backend =
      platform === 'darwin'
        ? 'macOS Keychain'
        : platform === 'win32'
          ? 'Windows Credential Manager'
          : 'Secret Service';
  }

  /** Reads (decrypts) one secret: call it only when the secret is about to be used. */
  async get(account: string): Promise<string | null> {
    this.refuseReserved(account);
    const secret = await this.guard(() => this.keytar.getPassword(this.service, account));
    if (secret !== null) await this.repairMarker(account);
    return secret;
  }

  async set(account: string, secret: string): Promise<void> {
    this.refuseReserved(account);
    try {
      await this.ensureComplete();
      await this.mark(account);
      await this.guard(() => this.keytar.setPassword(this.service, account, secret));
    } catch (err) {
      const systemSaid = err instanceof Error ? SYSTEM_SAID.get(err) : undefined;
      if (systemSaid === undefined) throw err;
      throw this.failure(systemSaid, true);
    }
  }

  async delete(account: string): Promise<boolean> {
    this.refuseReserved(account);
    const removed = await this.guard(() => this.keytar.deletePassword(this.service, account));
    await this.guard(() => this.keytar.deletePassword(this.namesService, account));
    return removed;
  }

  /** Entry names from the markers: no secret is read (but once, to gather the names of an older keychain). */
  async list(): Promise<string[]> {
    await this.refuseLocked();
    const found = await this.guard(() => this.keytar.findCredentials(this.namesService));
    const names = new Set(found.map((e) => e.account));
    names.delete(UNLOCKED_PROBE);
    if (names.delete(NAMES_COMPLETE)) this.complete = true;
    else for (const name of await this.gather()) names.add(name);
    return [...names].sort();
  }

  async status(): Promise<{ available: true } | { available: false; message: string }> {
    try {
      await this.list();
      return { available: true };
    } catch (err) {
      return { available: false, message: (err as Error).message };
    }
  }

  /** On Linux, fails (as the keychain's own refusal) instead of enumerating a locked keyring; see UNLOCKED_PROBE. */
  private async refuseLocked(): Promise<void> {
    if (this.platform !== 'linux') return;
    try {
      await this.keytar.setPassword(this.namesService, UNLOCKED_PROBE, MARK);
    } catch (err) {
      const said = err instanceof Error ? err.message : String(err);
      // libsecret: "Cannot create an item in a locked collection". Any other refusal of this write says nothing
      // about reading: the enumeration goes ahead and fails (or not) on its own, with its own message.
      if (/\blocked\b/i.test(said)) throw this.failure(said, false);
    }
  }

  private refuseReserved(account: string): void {
    if (account === ENTRY_INDEX || account === NAMES_COMPLETE || account === UNLOCKED_PROBE)
      throw new Error(`${account} is reserved for the keychain's list of names, not a secret entry`);
  }

  private mark(account: string): Promise<void> {
    return this.guard(() => this.keytar.setPassword(this.namesService, account, MARK));
  }

  /** A secret that was just read has a marker: put a missing one back (one read of a non-secret). */
  private async repairMarker(account: string): Promise<void> {
    try {
      if ((await this.guard(() => this.keytar.getPassword(this.namesService, account))) === null)
        await this.mark(account);
    } catch (err) {
      // The secret was read, so the caller gets it; the name stays unlisted until the next read retries.
      this.log(`Signet could not add ${account} to the keychain's list of names (${(err as Error).message})`);
    }
  }

  /**
   * Before the first write of this process, a keychain without NAMES_COMPLETE has its names gathered, so that
   * happens while the service holds only what an older Signet wrote (nothing, on a new keychain).
   */
  private async ensureComplete(): Promise<void> {
    if (this.complete) return;
    if ((await this.guard(() => this.keytar.getPassword(this.namesService, NAMES_COMPLETE))) === null)
      await this.gather();
    this.complete = true;
  }

  /**
   * Once per keychain: a keychain written by Signet 0.1 (no names kept) or by the one-list version has its
   * entries enumerated with findCredentials (the only call that can, decrypting each once), a marker written
   * for each, the old list removed, and NAMES_COMPLETE written last, so an interrupted gathering is redone.
   * (On Windows the enumeration is by prefix and also returns the markers: the same names, so harmless.)
   */
  private gather(): Promise<string[]> {
    this.gathering ??= (async () => {
      await this.refuseLocked();
      const found = await this.guard(() => this.keytar.findCredentials(this.service));
      const names = [...new Set(found.map((e) => e.account))].filter(
        (a) => a !== ENTRY_INDEX && a !== NAMES_COMPLETE && a !== UNLOCKED_PROBE,
      );
      for (const name of names) await this.mark(name);
      await this.guard(() => this.keytar.deletePassword(this.service, ENTRY_INDEX));
      await this.mark(NAMES_COMPLETE);
      this.complete = true;
      return names;
    })().finally(() => {
      this.gathering = null;
    });
    return this.gathering;
  }

  /** keytar rejects with libsecret/dbus messages; turn every such failure into one plain, actionable error. */
  private async guard<T>(op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (err) {
      throw this.failure(err instanceof Error ? err.message : String(err), false);
    }
  }

  private failure(systemSaid: string, writing: boolean): KeychainUnavailableError {
    const error = new KeychainUnavailableError(
      `${HINT[this.platform] ?? ''} (System said: ${systemSaid})`.trim(),
      keychainFailureMessage(this.platform, systemSaid, writing),
    );
    SYSTEM_SAID.set(error, systemSaid);
    return error;
  }
}
