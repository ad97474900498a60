import { z } from 'zod';
import { firstUnsafeCharacter } from '../text/unsafe-characters';

/**
 * The rule for the keys Signet writes (upload folders and file names), shared by the window, the IPC schemas and
 * the command line. Keys are Unicode NFC: macOS hands out decomposed (NFD) file names, and "café.zip" typed on
 * one computer and dropped from another must be the same key, or an upload slips past the existing-key check
 * and leaves two files that look alike. `.` and `..` parts, a leading `/` and `//` mean something to every tool
 * that maps keys to paths (a sync to disk, a CDN, a shop plugin), and never what the owner meant.
 */

/** The key Signet writes for a file `name` uploaded into `folder` ('' or ending with '/'). */
export function uploadKey(folder: string, name: string): string {
  return `${folder}${name}`.normalize('NFC');
}

/** Why `text` (a folder or a name, called `what`) cannot go into a key, as a clause, or null when it can. */
function keyPathProblem(text: string, what: string): string | null {
  const unsafe = firstUnsafeCharacter(text);
  if (unsafe !== null) return `${what} cannot contain control characters (it has ${unsafe})`;
  if (text.startsWith('/')) return `${what} cannot start with /`;
  if (text.includes('//')) return `${what} cannot have an empty part (//)`;
  if (text.split('/').some((part) => part === '.' || part === '..')) {
    return `${what} cannot have a . or .. part`;
  }
  return null;
}

/** Why an upload folder cannot be used ('' is the top; else parts ending with '/'), as a clause, or null. */
export function uploadFolderProblem(folder: string): string | null {
  if (folder === '') return null;
  if (!folder.endsWith('/')) return 'a folder ends with / (for example products/)';
  return keyPathProblem(folder, 'a folder');
}

/** Why a file's name cannot be the last part of a key, as a clause, or null. */
export function uploadNameProblem(name: string): string | null {
  if (name === '' || name.includes('/')) return 'a file name cannot be empty or contain /';
  const problem = keyPathProblem(name, 'a file name');
  return problem === null ? null : `${problem}: rename the file`;
}

/** An upload folder as the IPC schemas take it: NFC, and refused (naming why) when it breaks the rule. */
export const UploadFolderSchema = z
  .string()
  .max(1024)
  .transform((folder) => folder.normalize('NFC'))
  .superRefine((folder, ctx) => {
    const problem = uploadFolderProblem(folder);
    if (problem !== null) ctx.addIssue({ code: 'custom', message: sentence(problem) });
  });

/** A clause as a message on its own: "A folder cannot start with /." */
export function sentence(clause: string): string {
  return `${clause.charAt(0).toUpperCase()}${clause.slice(1)}.`;
}
