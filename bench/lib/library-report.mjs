/**
 * Small helpers of the library bench: a seeded random source (the same synthetic catalog every run), timings
 * and percentiles, and the tables it prints (each row with its anchor, then one "target met / not met" line per
 * row that has a target).
 */

/** mulberry32: a tiny seeded PRNG, so the synthetic keys and the samples are the same from run to run. */
export function seeded(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n) => Math.floor(next() * n), pick: (list) => list[Math.floor(next() * list.length)] };
}

/** Milliseconds since `start` (a process.hrtime.bigint() reading). */
export const msSince = (start) => Number(process.hrtime.bigint() - start) / 1e6;

/** Times `fn` once; answers [result, ms]. */
export function timed(fn) {
  const start = process.hrtime.bigint();
  const out = fn();
  return [out, msSince(start)];
}

export async function timedAsync(fn) {
  const start = process.hrtime.bigint();
  const out = await fn();
  return [out, msSince(start)];
}

/** Nearest-rank percentile of a list of numbers (p in 0..100). */
export function percentile(values, p) {
  if (!values.length) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1];
}

export const median = (values) => percentile(values, 50);

export function latencyStats(ms) {
  return { n: ms.length, p50: percentile(ms, 50), p99: percentile(ms, 99), max: Math.max(...ms) };
}

export const fmt = (n, digits = 0) =>
  n === undefined || n === null || Number.isNaN(n)
    ? '-'
    : n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** Milliseconds with two decimals below 10 ms, one below 1000, none above. */
export const fmtMs = (ms) => (ms === undefined ? '-' : fmt(ms, ms < 10 ? 2 : ms < 1000 ? 1 : 0));

export function fmtBytes(bytes) {
  const mib = bytes / (1024 * 1024);
  return mib >= 1024 ? `${fmt(mib / 1024, 2)} GiB` : `${fmt(mib, 1)} MiB`;
}

/** Columns in `left` (by index; default the first two and the last: names and notes) are left-aligned. */
export function printTable(title, head, rows, { notes = [], targets = [], left } = {}) {
  const leftCols = new Set(left ?? [0, 1, head.length - 1]);
  console.log(`\n${title}`);
  const cells = rows.map((r) => r.map((c) => String(c ?? '')));
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (r) =>
    r
      .map((c, i) => (leftCols.has(i) ? c.padEnd(widths[i]) : c.padStart(widths[i])))
      .join('  ')
      .trimEnd();
  console.log(`${line(head)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  for (const r of cells) console.log(line(r));
  for (const n of notes) console.log(`  ${n}`);
  for (const t of targets) {
    const verdict = t.met ? 'target met    ' : 'target NOT met';
    console.log(`  ${verdict}  ${t.what}: ${t.show} (target ${t.text})${t.met ? '' : ` — ${t.by}`}`);
  }
}
