/**
 * The import aliases of `src`, in one place for every build: electron-vite (main, preload, window), the CLI's and
 * the verifier's Vite builds, Vitest, and the benches' and tests' own Vite builds. tsconfig.base.json's `paths`
 * say the same for the type checker.
 *   @shared/…       src/shared: browser-safe code every part may import
 *   @shared-node/…  src/shared-node: code that needs Node (the token format, the SigV4 signer), never the window
 */
import { fileURLToPath } from 'node:url';

const at = (path) => fileURLToPath(new URL(path, import.meta.url));

export const pathAliases = {
  '@shared': at('./src/shared'),
  '@shared-node': at('./src/shared-node'),
};
