/**
 * Paths of files dropped on the window. The page only gets File objects; the desktop app's preload turns them into
 * their paths on disk (which main needs to read them) and has main grant those for upload. Pure apart from the
 * `pathsFor` it is given.
 */
export type DropResult =
  | { kind: 'paths'; paths: string[] }
  /** Not in the desktop app (no preload to ask): dropping cannot work here. */
  | { kind: 'no-desktop' }
  /** Only things without a path on disk (text or an image dragged out of a web page). */
  | { kind: 'nothing' };

export async function droppedPaths(
  files: ArrayLike<File>,
  pathsFor: ((files: File[]) => Promise<string[]>) | undefined,
): Promise<DropResult> {
  if (!pathsFor) return { kind: 'no-desktop' };
  const list: File[] = [];
  for (let i = 0; i < files.length; i++) list.push(files[i]!);
  const paths = list.length > 0 ? await pathsFor(list) : [];
  return paths.length > 0 ? { kind: 'paths', paths } : { kind: 'nothing' };
}

/** Whether a drag carries files (not text or a link), so only those light up the drop zone. */
export const dragHasFiles = (types: readonly string[]) => types.includes('Files');
