import { UserFacingError } from './errors';

/**
 * Where Signet keeps secrets (storage credentials, token signing keys): the OS keychain, one entry per
 * secret under one service name. There is deliberately no file-based implementation: when the keychain
 * cannot be reached, storing a secret fails with KeychainUnavailableError and the UI says so.
 */
export interface SecretStore {
  /** Human name of the backend, e.g. "Secret Service (GNOME Keyring)". */
  readonly backend: string;
  /** Reads one secret: only when it is about to be used. */
  get(account: string): Promise<string | null>;
  set(account: string, secret: string): Promise<void>;
  /** True when an entry was removed. */
  delete(account: string): Promise<boolean>;
  /**
   * Entry names only; reads and decrypts no secret (the keychain store keeps a non-secret marker per name,
   * see keytar-secret-store.ts).
   */
  list(): Promise<string[]>;
  /** Checks that the keychain answers; never throws. */
  status(): Promise<{ available: true } | { available: false; message: string }>;
}

export class KeychainUnavailableError extends UserFacingError {
  /**
   * `detail`: what to do and what the system said, after the default sentence. `message` replaces the whole
   * message (the keychain store words it by case: no keychain at all, or one that does not answer; a read or
   * a write).
   */
  constructor(detail: string, message?: string) {
    super(
      'keychain-unavailable',
      message ??
        'Signet cannot reach your system keychain, so it did not store the secret (it never keeps secrets in ' +
          `plain files). ${detail}`,
    );
    this.name = 'KeychainUnavailableError';
  }
}
