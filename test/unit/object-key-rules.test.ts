/**
 * The one rule for the keys Signet writes (src/shared/library/object-key.ts): NFC, and no `.`/`..` parts, leading
 * `/`, `//` or control characters in an upload folder or a file's name. The IPC schema of uploads takes it, so
 * the window gets a form error naming the folder; the command line's exit 2 and the look-alike existing key on
 * Ceph are in test/integration/cli-audit-edges.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { createHandlers } from '../../src/main/ipc/handlers';
import { createIpcRouter, type SenderInfo } from '../../src/main/ipc/router';
import { makeTrustedSenderCheck } from '../../src/main/ipc/trusted-sender';
import { UploadPlanInputSchema } from '../../src/shared/jobs/schemas';
import { uploadFolderProblem, uploadKey, uploadNameProblem } from '../../src/shared/library/object-key';
import { openTestServices } from '../support/test-services';

const NFC = 'caf\u00e9.zip';
const NFD = 'cafe\u0301.zip';

describe('upload keys', () => {
  it('are NFC whatever form the folder and the name came in', () => {
    expect(NFC).not.toBe(NFD);
    expect(uploadKey('', NFD)).toBe(NFC);
    expect(uploadKey('Cafe\u0301s/', NFD)).toBe(`Caf\u00e9s/${NFC}`);
    expect(UploadPlanInputSchema.parse({ bucketId: 1, folder: 'Cafe\u0301s/', paths: ['/x'] }).folder).toBe(
      'Caf\u00e9s/',
    );
  });

  it('refuse folders with . or .. parts, a leading /, // or control characters, naming why', () => {
    for (const good of ['', 'products/', 'a/b.c/', '.well/', 'v1..2/', 'Caf\u00e9/']) {
      expect([good, uploadFolderProblem(good)]).toEqual([good, null]);
    }
    const cases: [string, string][] = [
      ['products', 'a folder ends with / (for example products/)'],
      ['../', 'a folder cannot have a . or .. part'],
      ['a/../b/', 'a folder cannot have a . or .. part'],
      ['./a/', 'a folder cannot have a . or .. part'],
      ['a/./', 'a folder cannot have a . or .. part'],
      ['/abs/', 'a folder cannot start with /'],
      ['a//b/', 'a folder cannot have an empty part (//)'],
      ['a\nb/', 'a folder cannot contain control characters (it has U+000A)'],
      ['a\u0000/', 'a folder cannot contain control characters (it has U+0000)'],
      ['a\u202e/', 'a folder cannot contain control characters (it has U+202E)'],
    ];
    for (const [folder, why] of cases) expect([folder, uploadFolderProblem(folder)]).toEqual([folder, why]);
  });

  it('refuse file names that are . or .. or carry control characters', () => {
    expect(uploadNameProblem(NFD)).toBeNull();
    expect(uploadNameProblem('..')).toBe('a file name cannot have a . or .. part: rename the file');
    expect(uploadNameProblem('r\u00e9sum\u00e9\r.pdf')).toBe(
      'a file name cannot contain control characters (it has U+000D): rename the file',
    );
  });

  it('a bad folder is a form error through the IPC router, before any file is looked at', async () => {
    const t = openTestServices({ clock: { now: () => new Date() }, prefix: 'object-key', inMemory: true });
    try {
      const router = createIpcRouter({
        handlers: createHandlers(t.services),
        isTrustedSender: makeTrustedSenderCheck('app://signet/index.html'),
        logger: { error: () => undefined },
      });
      const frame: SenderInfo = { url: 'app://signet/index.html', isMainFrame: true };
      const answer = await router.dispatch(
        'jobs:upload-plan',
        { bucketId: 1, folder: 'products/../../', paths: ['/etc/hostname'] },
        frame,
      );
      expect(answer).toEqual({
        ok: false,
        error: expect.objectContaining({
          code: 'invalid-input',
          issues: [{ path: 'folder', message: 'A folder cannot have a . or .. part.' }],
        }),
      });
    } finally {
      t.close();
    }
  });
});
