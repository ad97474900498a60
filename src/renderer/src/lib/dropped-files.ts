/**
 * Paths of files dropped on the window. The page only gets File objects; the desktop app's preload turns each
 * into its path on disk (which main needs to read it). Pure apart from the `pathFor` it is given.
 */
export type DropResult =
  | { kind: 'paths'; paths: string[] }
  /** Not in the desktop app (no preload to ask): dropping cannot work here. */
  | { kind: 'no-desktop' }
  /** Only things without a path on disk (text or an image dragged out of a web page). */
  | { kind: 'nothing' };

export function droppedPaths(
  files: ArrayLike<File>,
  pathFor: ((file: File) => string) | undefined,
): DropResult {
  if (!pathFor) return { kind: 'no-desktop' };
  const paths: string[] = [];
  for (let i = 0; i < files.length; i++) {
    const path = pathFor(files[i]!);
    // Electron answers '' for a File that is not on disk.
    if (path) paths.push(path);
  }
  return paths.length > 0 ? { kind: 'paths', paths } : { kind: 'nothing' };
}

/** Whether a drag carries files (not text or a link), so only those light up the drop zone. */
export const dragHasFiles = (types: readonly string[]) => types.includes('Files');
