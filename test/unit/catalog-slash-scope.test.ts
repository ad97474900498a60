import { describe, expect, it } from 'vitest';
import { SLASH_SCOPE_FOLDERS, slashScope } from '../../src/main/repositories/catalog-slash-scope';
import { ObjectQuerySchema } from '../../src/shared/library/schemas';

const FOLDERS = ['products/', 'products/7/', 'products/70/', 'ebooks/', 'ΟΔΟΣ/', 'İ/', 'a/b/', 'x/'];

/** The query's folder after narrowing, and how many folders it read. */
function scope(search: string, folders: string[] = FOLDERS, folder = '') {
  let read = 0;
  const query = ObjectQuerySchema.parse({ bucketId: 1, folder, search });
  const out = slashScope(query, (bucketId, limit) => {
    expect(bucketId).toBe(1);
    const paths = folders.slice(0, limit);
    read += paths.length;
    return paths;
  });
  expect({ ...out, folder: query.folder }).toEqual(query);
  return { folder: out.folder, read };
}

describe('a search with a slash, read where its hits can lie', () => {
  it('narrows to the one folder the text up to its last slash ends, and the rest up to its first letter', () => {
    expect(scope('ducts/7').folder).toBe('products/7');
    expect(scope('DUCTS/7').folder).toBe('products/7');
    expect(scope('ducts/70/1-').folder).toBe('products/70/1-');
    expect(scope('ducts/7a-1').folder).toBe('products/7');
    expect(scope('ducts/Guide').folder).toBe('products/');
    expect(scope('books/').folder).toBe('ebooks/');
    expect(scope('a/b/c').folder).toBe('a/b/');
    // Folded as contains_folded folds: Σ before a slash ends its word (ς), İ folds to two characters.
    expect(scope('ΟΔΟΣ/1').folder).toBe('ΟΔΟΣ/1');
    expect(scope('οδος/').folder).toBe('ΟΔΟΣ/');
    expect(scope('οδοσ/').folder).toBe('');
    expect(scope('i̇/').folder).toBe('İ/');
  });

  it('leaves the query as it was where the text ends two folders, none, or lies outside its folder', () => {
    expect(scope('s/').folder).toBe('');
    expect(scope('ducts/7', [...FOLDERS, 'old/Products/']).folder).toBe('');
    expect(scope('nothing/here').folder).toBe('');
    expect(scope('no slash at all')).toEqual({ folder: '', read: 0 });
    expect(scope('ducts/7', FOLDERS, 'products/').folder).toBe('products/7');
    expect(scope('ducts/7', FOLDERS, 'products/7').folder).toBe('products/7');
    expect(scope('ducts/7', FOLDERS, 'products/70/').folder).toBe('products/70/');
    expect(scope('ducts/7', FOLDERS, 'ebooks/').folder).toBe('ebooks/');
  });

  it('gives up on a bucket of more folders than it reads', () => {
    const many = [...FOLDERS, ...Array.from({ length: SLASH_SCOPE_FOLDERS }, (_, i) => `f${i}/`)];
    expect(scope('ducts/7', many)).toEqual({ folder: '', read: SLASH_SCOPE_FOLDERS + 1 });
    expect(scope('ducts/7', many.slice(0, SLASH_SCOPE_FOLDERS)).folder).toBe('products/7');
  });
});
