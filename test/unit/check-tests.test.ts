import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'signet-check-tests-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const script = join(__dirname, '..', '..', 'scripts', 'check-tests.mjs');
const check = (name: string, code: string) => {
  const file = join(dir, name);
  writeFileSync(file, code);
  return spawnSync(process.execPath, [script, file], { encoding: 'utf8' });
};

describe('scripts/check-tests.mjs (CI: npm run lint:tests)', () => {
  it('fails on .only and on tests that assert nothing, naming each', () => {
    const run = check(
      'bad.test.ts',
      [
        "import { describe, expect, it, test } from 'vitest';",
        "describe.only('suite', () => {",
        "  it('has only a comment', () => { const a = 1; void a; /* expect(a) */ });",
        "  it.only('asserts', () => { expect(1).toBe(1); });",
        "  test.each([1])('each %s', (n) => { void n; });",
        "  it.skip('skipped', () => undefined);",
        '});',
      ].join('\n'),
    );
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('bad.test.ts:2: describe.only');
    expect(run.stderr).toContain('bad.test.ts:3: "has only a comment" asserts nothing');
    expect(run.stderr).toContain('bad.test.ts:4: it.only');
    expect(run.stderr).toContain('bad.test.ts:5: "each %s" asserts nothing');
    expect(run.stderr).not.toContain('skipped');
  });

  it('does not count vi.waitFor as an assertion: it passes at once when its callback throws nothing', () => {
    const run = check(
      'waits.test.ts',
      [
        "import { expect, it, vi } from 'vitest';",
        "it('waits on nothing', async () => { await vi.waitFor(() => 1); });",
        "it('waits on an expect', async () => { await vi.waitFor(() => expect(1).toBe(1)); });",
        "it('waits on a locator', async () => { await page.getByRole('dialog').waitFor(); });",
      ].join('\n'),
    );
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('waits.test.ts:2: "waits on nothing" asserts nothing');
    expect(run.stderr).not.toContain('waits on an expect');
    expect(run.stderr).not.toContain('waits on a locator');
  });

  it('reads a body passed by name from the same file, and reports one it cannot read', () => {
    const run = check(
      'named.test.ts',
      [
        "import { expect, it } from 'vitest';",
        "import { importedCheck } from './elsewhere';",
        'function checks() { expect(1).toBe(1); }',
        'const quiet = async () => { await Promise.resolve(); };',
        'function silent() { return 1; }',
        "it('declared, asserts', checks);",
        "it('arrow, asserts nothing', quiet);",
        "it('declared, asserts nothing', { timeout: 5_000 }, silent);",
        "it('imported', importedCheck);",
        "it('built', makeTest('x'), 5_000);",
        "it('a todo without a body');",
      ].join('\n'),
    );
    expect(run.status).toBe(1);
    expect(run.stderr).not.toContain('declared, asserts"');
    expect(run.stderr).toContain('named.test.ts:7: "arrow, asserts nothing" asserts nothing');
    expect(run.stderr).toContain('named.test.ts:8: "declared, asserts nothing" asserts nothing');
    expect(run.stderr).toContain(
      'named.test.ts:9: "imported" has a body this check cannot read (importedCheck)',
    );
    expect(run.stderr).toContain(
      'named.test.ts:10: "built" has a body this check cannot read (makeTest(\'x\'))',
    );
    expect(run.stderr).not.toContain('a todo without a body');
    expect(run.stderr).toContain('4 problem(s)');
  });

  it('accepts expect, expect.poll, assert helpers and Playwright waitFor', () => {
    const run = check(
      'good.test.ts',
      [
        "import { expect, it } from 'vitest';",
        "it('a', () => { expect(1).toBe(1); });",
        "it('b', async () => { await expect.poll(() => 1).toBe(1); });",
        "it('c', () => { expectNoLeak(); });",
        "it('d', () => { fc.assert(fc.property(fc.nat(), () => true)); });",
        "it('e', async () => { await page.getByText('x').waitFor(); });",
        "it('f', async () => { await vi.waitFor(() => expect(1).toBe(1)); });",
        'function g() { expect(1).toBe(1); }',
        "it('g', g);",
        "it('h', { timeout: 5_000 }, async () => { await expect.poll(() => 1).toBe(1); });",
      ].join('\n'),
    );
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });
});
