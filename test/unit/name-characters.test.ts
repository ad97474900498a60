/**
 * Link filenames (the name a customer's browser saves) refuse bidi controls (U+202A–U+202E, U+2066–U+2069) as
 * they refuse other control characters, with the one schema the window, IPC and `signet link --filename` use;
 * the verifier's Content-Disposition drops them from a token that carries them anyway (a shop plugin's).
 */
import { describe, expect, it } from 'vitest';
import { defaultFilename, FilenameSchema } from '../../src/shared/links/schemas';
import { attachmentDisposition, cleanFilename } from '../../src/verifier/http/content-disposition';

const BIDI = ['\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069'];

describe('link filenames', () => {
  it('refuse every bidi control and control character, with one plain message', () => {
    for (const c of [...BIDI, '\u0000', '\n', '\u007f', '\u0085']) {
      const parsed = FilenameSchema.safeParse(`invoice${c}fdp.exe`);
      expect([c, parsed.success]).toEqual([c, false]);
      expect(parsed.error?.issues[0]?.message).toBe(
        'No control characters (text-direction controls included), "/" or "\\"',
      );
    }
    // Right-to-left letters themselves are names like any other.
    expect(FilenameSchema.parse('كتاب.pdf')).toBe('كتاب.pdf');
  });

  it('default to the key’s last part without control or bidi characters', () => {
    expect(defaultFilename('products/invoice\u202efdp.exe')).toBe('invoicefdp.exe');
  });

  it('lose bidi controls in the verifier’s Content-Disposition', () => {
    expect(cleanFilename('invoice\u202efdp.exe')).toBe('invoicefdp.exe');
    expect(cleanFilename('\u2066\u2067\u2068\u2069')).toBe('download');
    const header = attachmentDisposition('Caf\u00e9\u202e.pdf');
    expect(header).toBe("attachment; filename=Cafe.pdf; filename*=UTF-8''Caf%C3%A9.pdf");
    expect(decodeURIComponent(header)).not.toMatch(/[\u202a-\u202e\u2066-\u2069]/);
  });
});
