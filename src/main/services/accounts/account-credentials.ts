import type { SecretStore } from '../secret-store';
import type { S3Credentials } from '../storage/s3-client-factory';

/** The keychain entries of one account: one per secret, so each can be replaced or removed alone. */
export const CREDENTIAL_PARTS = ['access-key-id', 'secret-access-key', 'session-token'] as const;
export type CredentialPart = (typeof CREDENTIAL_PARTS)[number];

export function credentialEntry(accountId: string, part: CredentialPart): string {
  return `account:${accountId}:${part}`;
}

/**
 * The account's read-only verifier key, two entries beside its own key (`account:<id>:verifier-…`, so a backup
 * carries them and removing the account removes them).
 */
export const VERIFIER_KEY_PARTS = ['verifier-access-key-id', 'verifier-secret-access-key'] as const;

const ENTRY =
  /^account:([^:]+):(access-key-id|secret-access-key|session-token|verifier-access-key-id|verifier-secret-access-key)$/;

/** What to change: a value sets the part, null removes it, absent leaves it as stored. */
export type CredentialWrite = Partial<Record<CredentialPart, string | null>>;

export interface CredentialPresence {
  hasCredentials: boolean;
  temporary: boolean;
  verifierKey: boolean;
}

/** Where a failed undo is reported: entry names and the keychain's message only, never a secret. */
export type CredentialLog = (message: string) => void;

/**
 * Account credentials in the OS keychain, through the secret store. Writes are all-or-nothing: when the keychain
 * fails half-way, the entries already written are put back as they were, and the error (KeychainUnavailableError,
 * with plain advice) goes to the caller.
 */
export class AccountCredentialStore {
  constructor(
    private readonly secrets: SecretStore,
    private readonly log: CredentialLog = (message) => console.error(message),
  ) {}

  /** The stored credentials, or null when the access key or secret is missing. */
  async read(accountId: string): Promise<S3Credentials | null> {
    const [accessKeyId, secretAccessKey, sessionToken] = await Promise.all(
      CREDENTIAL_PARTS.map((part) => this.secrets.get(credentialEntry(accountId, part))),
    );
    if (!accessKeyId || !secretAccessKey) return null;
    return { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
  }

  /**
   * Applies the changes and returns a function that undoes them (for when the database write that follows
   * fails). On a keychain failure, undoes what it wrote and rethrows.
   */
  async write(accountId: string, change: CredentialWrite): Promise<() => Promise<void>> {
    /** What each touched entry held before; recorded before the call that changes it (see below). */
    const done: { entry: string; previous: string | null }[] = [];
    const undo = async () => {
      for (const { entry, previous } of [...done].reverse()) {
        // Keep going: the other entries can still be put back. What could not be is logged by name, so a
        // stale or missing key is explained when the next connection test fails.
        await (previous === null ? this.secrets.delete(entry) : this.secrets.set(entry, previous)).catch(
          (err: unknown) =>
            this.log(
              `Signet could not undo a half-done keychain change: ${entry} was not ${
                previous === null ? 'removed' : 'restored'
              } (${err instanceof Error ? err.message : String(err)})`,
            ),
        );
      }
    };
    try {
      for (const part of CREDENTIAL_PARTS) {
        const value = change[part];
        if (value === undefined) continue;
        const entry = credentialEntry(accountId, part);
        const previous = await this.secrets.get(entry);
        if (value === null && previous === null) continue;
        // Recorded before the call: a set or delete can fail half-way (the keychain store writes a name
        // marker and the secret), and what it did write must be put back too.
        done.push({ entry, previous });
        if (value === null) await this.secrets.delete(entry);
        else await this.secrets.set(entry, value);
      }
    } catch (err) {
      await undo();
      throw err;
    }
    return undo;
  }

  /** The account's read-only verifier key, or null when none is stored. */
  async readVerifierKey(accountId: string): Promise<S3Credentials | null> {
    const [accessKeyId, secretAccessKey] = await Promise.all(
      VERIFIER_KEY_PARTS.map((part) => this.secrets.get(`account:${accountId}:${part}`)),
    );
    return accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey } : null;
  }

  /**
   * Stores (or with null removes) the verifier key: both entries or neither; a keychain failure half-way puts back
   * what was there.
   */
  async writeVerifierKey(
    accountId: string,
    key: { accessKeyId: string; secretAccessKey: string } | null,
  ): Promise<void> {
    const values = key ? [key.accessKeyId, key.secretAccessKey] : [null, null];
    const done: { entry: string; previous: string | null }[] = [];
    try {
      for (const [i, part] of VERIFIER_KEY_PARTS.entries()) {
        const entry = `account:${accountId}:${part}`;
        const value = values[i] ?? null;
        const previous = await this.secrets.get(entry);
        if (value === null && previous === null) continue;
        done.push({ entry, previous });
        if (value === null) await this.secrets.delete(entry);
        else await this.secrets.set(entry, value);
      }
    } catch (err) {
      for (const { entry, previous } of done.reverse()) {
        await (previous === null ? this.secrets.delete(entry) : this.secrets.set(entry, previous)).catch(
          (undoErr: unknown) =>
            this.log(
              `Signet could not undo a half-done keychain change: ${entry} was not ${previous === null ? 'removed' : 'restored'} (${undoErr instanceof Error ? undoErr.message : String(undoErr)})`,
            ),
        );
      }
      throw err;
    }
  }

  /** Removes every entry of the account (its verifier key too); returns how many there were. */
  async remove(accountId: string): Promise<number> {
    let removed = 0;
    for (const part of CREDENTIAL_PARTS) {
      if (await this.secrets.delete(credentialEntry(accountId, part))) removed++;
    }
    for (const part of VERIFIER_KEY_PARTS) {
      if (await this.secrets.delete(`account:${accountId}:${part}`)) removed++;
    }
    return removed;
  }

  /** Which accounts have credentials, from entry names only (no secret is read); null when the keychain is unreachable. */
  async presence(): Promise<Map<string, CredentialPresence> | null> {
    let entries: string[];
    try {
      entries = await this.secrets.list();
    } catch {
      return null;
    }
    const parts = new Map<string, Set<string>>();
    for (const name of entries) {
      const m = ENTRY.exec(name);
      if (!m) continue;
      const set = parts.get(m[1]!) ?? new Set<string>();
      set.add(m[2]!);
      parts.set(m[1]!, set);
    }
    const out = new Map<string, CredentialPresence>();
    for (const [id, set] of parts) {
      out.set(id, {
        hasCredentials: set.has('access-key-id') && set.has('secret-access-key'),
        temporary: set.has('session-token'),
        verifierKey: set.has('verifier-access-key-id') && set.has('verifier-secret-access-key'),
      });
    }
    return out;
  }
}
