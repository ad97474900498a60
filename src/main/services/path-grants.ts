import { resolve } from 'node:path';
import { UserFacingError } from './errors';

/** Paths remembered at most; the oldest go first (a session that chose this many files can choose them again). */
const MAX_GRANTS = 100_000;

/**
 * The local files the window may name for an upload: only paths main itself handed out, from its Open dialog or
 * a drop resolved by the preload (Electron's webUtils, for File objects the owner dropped). A page that was made to
 * run someone else's script can call the upload channels, but cannot make main read `~/.ssh/id_rsa` by naming it.
 * The command line takes paths from its own arguments and does not go through this.
 */
export class PathGrants {
  private readonly granted = new Set<string>();

  /** Remembers paths handed out to the window; answers them as given. */
  grant(paths: readonly string[]): string[] {
    for (const path of paths) {
      const key = resolve(path);
      this.granted.delete(key);
      this.granted.add(key);
    }
    while (this.granted.size > MAX_GRANTS) {
      const oldest = this.granted.values().next().value as string;
      this.granted.delete(oldest);
    }
    return [...paths];
  }

  has(path: string): boolean {
    return this.granted.has(resolve(path));
  }

  /** Throws a plain refusal naming the first path the window was not given. */
  check(paths: readonly string[]): void {
    const refused = paths.filter((p) => !this.has(p));
    if (refused.length === 0) return;
    const more = refused.length > 1 ? ` (and ${refused.length - 1} more)` : '';
    throw new UserFacingError(
      'invalid-input',
      `Signet uploads only files you chose with “Upload files” or dropped on its window, and “${refused[0]}”${more} was not one of them, so nothing was uploaded. Choose the files again.`,
    );
  }
}
