/**
 * The check every browser-test screenshot gets (AppUnderTest.screenshot): the PNG is not blank, i.e. it shows a
 * drawn page and not an empty or one-colour one, and the page's text at that moment holds no error that no test
 * expects (the IPC router's internal-error answers, JavaScript values leaking into the page). Error states a test
 * means to show ("Could not load the files", a failed connection test) are not refused: they are the app's words.
 * The screenshots stay in test-results/ for CI to keep.
 */
import { readFileSync } from 'node:fs';
import { inflateSync } from 'node:zlib';
import { expect } from 'vitest';

export interface Pixels {
  width: number;
  height: number;
  /** Bytes per pixel: 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA. */
  channels: number;
  /** Rows of unfiltered pixels, `width * channels` bytes each. */
  data: Buffer;
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const CHANNELS: Record<number, number> = { 0: 1, 4: 2, 2: 3, 6: 4 };

/** Decodes an 8-bit, non-interlaced PNG without a palette (what Chromium's screenshots are). */
export function decodePng(png: Buffer): Pixels {
  if (!png.subarray(0, 8).equals(SIGNATURE)) throw new Error('not a PNG file');
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Buffer[] = [];
  for (let at = 8; at < png.length;) {
    const length = png.readUInt32BE(at);
    const type = png.toString('latin1', at + 4, at + 8);
    const body = png.subarray(at + 8, at + 8 + length);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      const [depth, colour, , , interlace] = [body[8], body[9], body[10], body[11], body[12]];
      channels = CHANNELS[colour!] ?? 0;
      if (depth !== 8 || channels === 0 || interlace !== 0) {
        throw new Error(
          `PNG kind not decoded here (depth ${depth}, colour type ${colour}, interlace ${interlace})`,
        );
      }
    } else if (type === 'IDAT') idat.push(body);
    else if (type === 'IEND') break;
    at += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const data = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const out = data.subarray(y * stride, (y + 1) * stride);
    const prev = y > 0 ? data.subarray((y - 1) * stride, y * stride) : null;
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? out[x - channels]! : 0;
      const b = prev ? prev[x]! : 0;
      const c = prev && x >= channels ? prev[x - channels]! : 0;
      let v = line[x]!;
      if (filter === 1) v += a;
      else if (filter === 2) v += b;
      else if (filter === 3) v += (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        v += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      } else if (filter !== 0) throw new Error(`PNG filter ${filter} on row ${y}`);
      out[x] = v & 0xff;
    }
  }
  return { width, height, channels, data };
}

/** How a screenshot's pixels are spread: distinct colours (counted up to a cap) and the commonest one's share. */
export function colourStats(p: Pixels): { distinct: number; dominantShare: number } {
  const counts = new Map<number, number>();
  const total = p.width * p.height;
  for (let i = 0; i < total; i++) {
    const o = i * p.channels;
    const key = p.channels >= 3 ? (p.data[o]! << 16) | (p.data[o + 1]! << 8) | p.data[o + 2]! : p.data[o]!;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  let dominant = 0;
  for (const n of counts.values()) dominant = Math.max(dominant, n);
  return { distinct: counts.size, dominantShare: total === 0 ? 1 : dominant / total };
}

/** Text that must never be on a page a test photographs: internal failures and JavaScript values. */
export const ERROR_TEXT: readonly RegExp[] = [
  /Signet hit an internal error/,
  /Signet does not know the request/,
  /did not come from the Signet window/,
  /\b(TypeError|ReferenceError|RangeError|SyntaxError)\b/,
  /Cannot read propert/,
  /\bundefined\b/,
  /\bNaN\b/,
  /\[object Object\]/,
  /Invalid Date/,
];

/**
 * Fails unless the PNG at `file` shows a drawn page (a few dozen colours at least, no colour over 98 % of it) and
 * `pageText` (the page's text when it was taken) holds none of ERROR_TEXT.
 */
export function expectScreenshotShowsPage(file: string, pageText: string): void {
  const pixels = decodePng(readFileSync(file));
  expect(pixels.width * pixels.height, `${file}: no pixels`).toBeGreaterThan(0);
  const { distinct, dominantShare } = colourStats(pixels);
  expect(distinct, `${file} looks blank: ${distinct} colours`).toBeGreaterThanOrEqual(32);
  expect(
    dominantShare,
    `${file} looks blank: one colour covers ${(dominantShare * 100).toFixed(1)} %`,
  ).toBeLessThan(0.98);
  expect(pageText.trim().length, `${file}: the page has no text`).toBeGreaterThan(0);
  for (const pattern of ERROR_TEXT) {
    const hit = pattern.exec(pageText);
    expect(
      hit?.[0] ?? null,
      `${file}: the page says “${hit?.input.slice(Math.max(0, hit.index - 60), hit.index + 80)}”`,
    ).toBeNull();
  }
}
