import type { KeytarLike } from '../services/keytar-secret-store';

/**
 * keytar is a native module (libsecret on Linux); loading it can fail on a machine without it. Loading lazily lets
 * the app start, and commands that never touch the keychain run, anyway: the first keychain call then reports
 * "keychain unavailable" instead of a crash at launch. A failed load is remembered (and thrown again) rather than
 * retried on every call. Electron-free: the app (src/main/index.ts) and the command line (src/cli/services.ts)
 * both load keytar here.
 */
export function loadKeytar(): KeytarLike {
  let mod: KeytarLike | null = null;
  let loadError: Error | null = null;
  const get = (): KeytarLike => {
    if (mod) return mod;
    if (loadError) throw loadError;
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      mod = require('keytar') as KeytarLike;
      return mod;
    } catch (err) {
      loadError = new Error(`the keychain library could not be loaded (${(err as Error).message})`, {
        cause: err,
      });
      throw loadError;
    }
  };
  return {
    getPassword: (s, a) => get().getPassword(s, a),
    setPassword: (s, a, p) => get().setPassword(s, a, p),
    deletePassword: (s, a) => get().deletePassword(s, a),
    findCredentials: (s) => get().findCredentials(s),
  };
}
