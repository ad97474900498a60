import { describe, expect, it } from 'vitest';
import { parseListObjectsV2 } from '../../src/main/services/storage/list-objects-xml';

// Hand-written answers in the shape S3 and Ceph send (not recorded from a server); the Ceph tests read real ones.
const page = (contents: string, tail = '') =>
  '<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
  '<Name>shop</Name><Prefix></Prefix><KeyCount>2</KeyCount><MaxKeys>1000</MaxKeys>' +
  contents +
  tail +
  '</ListBucketResult>';

const entry = (key: string, more = '') =>
  `<Contents><Key>${key}</Key><LastModified>2026-11-30T10:00:00.000Z</LastModified>` +
  `<ETag>&quot;9dd4e461268c8034f5c8564e155c67a6&quot;</ETag><Size>1234</Size>` +
  `<Owner><ID>owner</ID><DisplayName>Shop &amp; Co</DisplayName></Owner>${more}<StorageClass>STANDARD</StorageClass></Contents>`;

describe('ListObjectsV2 answers', () => {
  it('reads each entry’s key, size, date, ETag and storage class, and the next page’s token', () => {
    const xml = page(
      entry('products/a.zip') + entry('products/b.zip'),
      '<IsTruncated>true</IsTruncated><NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>',
    );
    expect(parseListObjectsV2(xml)).toEqual({
      objects: [
        {
          key: 'products/a.zip',
          size: 1234,
          lastModified: '2026-11-30T10:00:00.000Z',
          etag: '9dd4e461268c8034f5c8564e155c67a6',
          storageClass: 'STANDARD',
        },
        {
          key: 'products/b.zip',
          size: 1234,
          lastModified: '2026-11-30T10:00:00.000Z',
          etag: '9dd4e461268c8034f5c8564e155c67a6',
          storageClass: 'STANDARD',
        },
      ],
      next: '1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=',
    });
  });

  it('decodes entities and character references in keys, and keeps a key’s own line breaks', () => {
    const xml = page(
      entry('a &amp; b/&lt;x&gt; &quot;q&quot; &apos;s&apos;.zip') +
        entry('caf&#233; &#x1F600;+%20 space.zip') +
        entry('line&#13;\r\nbreak.txt'),
      '<IsTruncated>false</IsTruncated>',
    );
    expect(parseListObjectsV2(xml).objects.map((o) => o.key)).toEqual([
      'a & b/<x> "q" \'s\'.zip',
      'café 😀+%20 space.zip',
      'line\r\nbreak.txt',
    ]);
  });

  it('reads the page fields wherever the provider puts them, and no token on the last page', () => {
    const first = page(
      '<IsTruncated>true</IsTruncated><NextContinuationToken>tok&amp;1</NextContinuationToken>' + entry('k'),
    );
    expect(parseListObjectsV2(first).next).toBe('tok&1');
    const last = page(
      entry('k'),
      '<IsTruncated>false</IsTruncated><NextContinuationToken>x</NextContinuationToken>',
    );
    expect(parseListObjectsV2(last).next).toBeNull();
  });

  it('reads an empty page, and entries missing optional fields', () => {
    expect(parseListObjectsV2(page('', '<IsTruncated>false</IsTruncated>'))).toEqual({
      objects: [],
      next: null,
    });
    const bare = page(
      '<Contents><Key>only-key</Key><StorageClass/></Contents>',
      '<IsTruncated>false</IsTruncated>',
    );
    expect(parseListObjectsV2(bare).objects).toEqual([
      { key: 'only-key', size: 0, lastModified: '1970-01-01T00:00:00.000Z', etag: '', storageClass: '' },
    ]);
  });

  it('writes dates the way the catalog stores them, whatever precision the provider sends', () => {
    const xml = page(
      '<Contents><Key>k</Key><LastModified>2026-11-30T10:00:00Z</LastModified><Size>5</Size></Contents>',
    );
    expect(parseListObjectsV2(xml).objects[0]?.lastModified).toBe('2026-11-30T10:00:00.000Z');
  });

  it('refuses a damaged page instead of listing part of it', () => {
    expect(() => parseListObjectsV2(page('<Contents><Key>a</Key>'))).toThrow(/damaged page/);
    expect(() => parseListObjectsV2(page('<Contents><Key>a</Contents>'))).toThrow(/damaged page/);
    expect(() => parseListObjectsV2(page(entry('a&nbsp;b')))).toThrow(/unknown XML entity/);
  });
});
