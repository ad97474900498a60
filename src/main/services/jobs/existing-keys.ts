/** Which keys of an upload already exist in the storage (the upload plan's collisions). */
import { forEachConcurrent } from '../../lib/async-queue';
import type { StorageGateway } from '../storage/storage-gateway';

/** Listing pages read to find existing keys before falling back to one HEAD per file. */
const COLLISION_LIST_PAGES = 5;

/**
 * Which of the files' keys already exist. A few files: one HEAD each. Many files: the folder's listing (1,000
 * keys per request) when it is small enough to read in a few pages, else one HEAD each.
 */
export async function existingKeys(
  gateway: StorageGateway,
  bucket: string,
  folder: string,
  files: readonly { key: string }[],
): Promise<string[]> {
  // The files' keys are NFC; a key written decomposed (NFD, by another tool or an older Signet) looks the same
  // to the owner, so it counts as existing too: it is compared in NFC, and asked for in both forms.
  const wanted = new Set(files.map((f) => f.key));
  if (files.length > 20) {
    const found = new Set<string>();
    let cursor: string | null = null;
    for (let page = 0; page < COLLISION_LIST_PAGES; page++) {
      const listed = await gateway.list(bucket, folder, cursor);
      for (const o of listed.objects) {
        const key = o.key.normalize('NFC');
        if (wanted.has(key)) found.add(key);
      }
      cursor = listed.next;
      if (cursor === null) {
        // A folder whose name changes under NFD may hold decomposed keys this listing did not see: ask per file.
        if (folder.normalize('NFD') === folder) return [...found];
        break;
      }
    }
  }
  const found: string[] = [];
  await forEachConcurrent(files, 16, async (f) => {
    const decomposed = f.key.normalize('NFD');
    if (
      (await gateway.head(bucket, f.key)) ||
      (decomposed !== f.key && (await gateway.head(bucket, decomposed)))
    ) {
      found.push(f.key);
    }
  });
  return found;
}
