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
      ].join('\n'),
    );
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });
});
