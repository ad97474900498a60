/**
 * Characters a name must not carry, one rule for the window, the IPC schemas, the command line and the verifier.
 * Control characters break headers, logs and terminals; bidi controls reorder how a name is shown, so that
 * `invoice<U+202E>fdp.exe` reads as `invoiceexe.pdf` in a browser's download bar.
 */

/* eslint-disable no-control-regex -- matching control characters is the point of this file */
/** C0 controls (tab, CR, LF…), DEL and C1 controls. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
/** Embeddings and overrides U+202A–U+202E, isolates U+2066–U+2069. */
const BIDI = /[\u202a-\u202e\u2066-\u2069]/;
const EITHER = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
/* eslint-enable no-control-regex */

export function hasControlCharacter(text: string): boolean {
  return CONTROL.test(text);
}

export function hasBidiControl(text: string): boolean {
  return BIDI.test(text);
}

/** The text without control and bidi characters (a name a browser saves). */
export function withoutControlCharacters(text: string): string {
  return text.replace(EITHER, '');
}

/** The text as a message may quote it: control and bidi characters spelled `U+202E`, so one line stays one line. */
export function showable(text: string): string {
  return text.replace(EITHER, codePoint);
}

/** The first control or bidi character of the text as `U+000A`, or null when it has none. */
export function firstUnsafeCharacter(text: string): string | null {
  const m = text.match(EITHER);
  return m ? codePoint(m[0]) : null;
}

function codePoint(c: string): string {
  return `U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
}
