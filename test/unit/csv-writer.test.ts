/**
 * The one CSV writer (src/shared/csv/write-csv.ts): a cell a spreadsheet would run as a formula (`=`, `+`, `-`,
 * `@`, tab or CR first: OWASP's list) is written with a leading `'`, and the file still reads back, cell for
 * cell, through csv-parse. The batch of links through the service and the command line is in
 * test/integration/links-batch-limits.test.ts and test/integration/cli-audit-edges.test.ts.
 */
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { safeCsvCell, toCsv } from '../../src/shared/csv/write-csv';
import { generateJti } from '../../src/shared-node/token';

describe('CSV cells', () => {
  it('prefixes a cell starting with = + - @ tab or CR with a quote, and nothing else', () => {
    const risky = ['=1+1', '+33 1 23', '-2', '@SUM(A1)', '\tx', '\rx', '=HYPERLINK("http://evil","Click")'];
    for (const cell of risky) expect(safeCsvCell(cell)).toBe(`'${cell}`);
    for (const cell of ['', 'order 1', ' =1', 'a=b', "'=1", '7d', 'x\n=1'])
      expect(safeCsvCell(cell)).toBe(cell);
  });

  it('writes every cell through the guard, quoted where CSV needs it, and reads back', () => {
    const rows = [
      ['order', 'email'],
      ["=cmd|' /C calc'!A0", '@evil'],
      ['-1,5', '\r\n+x'],
      ['plain', 'a "quoted" word'],
    ];
    const text = toCsv(rows);
    expect(text.split('\n')[1]).toBe("'=cmd|' /C calc'!A0,'@evil");
    expect(parse(text)).toEqual([
      ['order', 'email'],
      ["'=cmd|' /C calc'!A0", "'@evil"],
      ["'-1,5", "'\r\n+x"],
      ['plain', 'a "quoted" word'],
    ]);
  });
});

describe('Signet’s own cells', () => {
  it('never need the guard: a jti never starts with "-" (one in 64 random ids would)', () => {
    const jtis = Array.from({ length: 20_000 }, () => generateJti());
    expect(jtis.filter((j) => safeCsvCell(j) !== j)).toEqual([]);
    expect(new Set(jtis).size).toBe(20_000);
    expect(jtis.every((j) => /^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/.test(j))).toBe(true);
  });
});
