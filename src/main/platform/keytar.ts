import type { KeytarLike } from '../services/keytar-secret-store';

/**
 * keytar is a native module; loading it can fail on a machine without libsecret. Loading lazily lets Signet
 * start anyway and report "keychain unavailable" instead of crashing at launch.
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
      loadError = new Error(`the keychain library could not be loaded (${(err as Error).message})`);
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
