#!/usr/bin/env node
/**
 * Draws resources/icon.png (1024×1024), the app icon electron-builder turns into .icns and .ico: a wax-seal
 * ring with a keyhole on a rounded square. Drawn in code so it can be regenerated without an image editor:
 *   node scripts/make-icon.mjs
 */
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const N = 1024;
const px = Buffer.alloc(N * N * 4);

/** Coverage of a pixel by a shape, 4×4 supersampled, so edges are smooth. */
function cover(inside, x, y) {
  let hits = 0;
  for (let i = 0; i < 4; i++)
    for (let j = 0; j < 4; j++) if (inside(x + (i + 0.5) / 4, y + (j + 0.5) / 4)) hits++;
  return hits / 16;
}
function paint(inside, [r, g, b]) {
  for (let y = 0; y < N; y++)
    for (let x = 0; x < N; x++) {
      const a = cover(inside, x, y);
      if (a === 0) continue;
      const o = (y * N + x) * 4;
      const dst = px[o + 3] / 255;
      const out = a + dst * (1 - a);
      px[o] = Math.round((r * a + px[o] * dst * (1 - a)) / out);
      px[o + 1] = Math.round((g * a + px[o + 1] * dst * (1 - a)) / out);
      px[o + 2] = Math.round((b * a + px[o + 2] * dst * (1 - a)) / out);
      px[o + 3] = Math.round(out * 255);
    }
}

const c = N / 2;
const roundedSquare = (x, y) => {
  const m = 64,
    r = 200;
  const dx = Math.max(m + r - x, 0, x - (N - m - r));
  const dy = Math.max(m + r - y, 0, y - (N - m - r));
  return x >= m && x <= N - m && y >= m && y <= N - m && dx * dx + dy * dy <= r * r;
};
const dist = (x, y) => Math.hypot(x - c, y - c);
const ring = (x, y) => dist(x, y) <= 330 && dist(x, y) >= 270;
const disc = (x, y) => dist(x, y) <= 230;
const keyhole = (x, y) =>
  Math.hypot(x - c, y - (c - 50)) <= 70 ||
  (Math.abs(x - c) <= 38 + (y - c + 50) * 0.12 && y >= c - 50 && y <= c + 130);

paint(roundedSquare, [24, 54, 84]);
paint(ring, [232, 186, 92]);
paint(disc, [232, 186, 92]);
paint(keyhole, [24, 54, 84]);

function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body) >>> 0);
  return Buffer.concat([len, body, crc]);
}
function crc32(buf) {
  let crc = 0xffffffff;
  for (const byte of buf) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return ~crc;
}
const raw = Buffer.alloc(N * (N * 4 + 1));
for (let y = 0; y < N; y++) px.copy(raw, y * (N * 4 + 1) + 1, y * N * 4, (y + 1) * N * 4);
const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(N, 0);
ihdr.writeUInt32BE(N, 4);
ihdr.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA
const png = Buffer.concat([
  Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
  chunk('IHDR', ihdr),
  chunk('IDAT', deflateSync(raw, { level: 9 })),
  chunk('IEND', Buffer.alloc(0)),
]);
writeFileSync(new URL('../resources/icon.png', import.meta.url), png);
console.log(`resources/icon.png: ${N}×${N}, ${png.length} bytes`);
