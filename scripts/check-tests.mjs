#!/usr/bin/env node
/**
 * CI check on the test files themselves (npm run lint:tests, run by .ci/run):
 *  - no `.only` (it.only, test.only, describe.only…): it would silently skip every other test;
 *  - every `it`/`test` block asserts something: it calls `expect…`/`assert…` (a helper named so counts, as
 *    does `fc.assert`), Playwright's `locator.waitFor()` (it throws when the state is not reached), or passes
 *    `expect` on. A block that asserts nothing cannot fail.
 * `it.todo` and `it.skip` are left alone (they run nothing). Reads the code with TypeScript's parser, so
 * comments and strings do not count.
 *   node scripts/check-tests.mjs [files or folders…]   (default: test/)
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

const roots = process.argv.slice(2).length ? process.argv.slice(2) : ['test'];
const files = [];
const walk = (path) => {
  if (statSync(path).isDirectory()) {
    for (const name of readdirSync(path)) if (name !== 'node_modules') walk(join(path, name));
  } else if (/\.test\.(c|m)?[jt]sx?$/.test(path)) files.push(path);
};
roots.forEach(walk);

const TEST_FNS = new Set(['it', 'test']);
const SUITE_FNS = new Set(['describe', 'suite', ...TEST_FNS]);
const problems = [];

/** The base name and modifiers of a call's callee: `it.each([...])` → ['it', 'each']. */
function calleeChain(expr) {
  const chain = [];
  let e = expr;
  for (;;) {
    if (ts.isCallExpression(e)) e = e.expression;
    else if (ts.isPropertyAccessExpression(e)) {
      chain.unshift(e.name.text);
      e = e.expression;
    } else if (ts.isIdentifier(e)) {
      chain.unshift(e.text);
      return chain;
    } else return null;
  }
}

function asserts(node) {
  let found = false;
  const visit = (n) => {
    if (found) return;
    if (ts.isCallExpression(n)) {
      const chain = calleeChain(n.expression) ?? [];
      // expect(…), expect.poll(…), expectNoLeak(…), assert.equal(…), fc.assert(…); and Playwright's
      // locator.waitFor(), which throws when the element does not reach the state in time.
      if (chain.some((name, i) => /^(expect|assert)/i.test(name) || (i > 0 && name === 'waitFor')))
        found = true;
      // Passing `expect` to a helper (`check(expect)`) counts too.
      if (n.arguments.some((a) => ts.isIdentifier(a) && /^(expect|assert)$/.test(a.text))) found = true;
    }
    ts.forEachChild(n, visit);
  };
  visit(node);
  return found;
}

for (const file of files) {
  const text = readFileSync(file, 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
  const where = (node) => {
    const { line } = source.getLineAndCharacterOfPosition(node.getStart());
    return `${relative(process.cwd(), file)}:${line + 1}`;
  };
  const visit = (node) => {
    if (ts.isCallExpression(node)) {
      const chain = calleeChain(node.expression);
      if (chain && SUITE_FNS.has(chain[0])) {
        if (chain.includes('only')) problems.push(`${where(node)}: ${chain.join('.')} (remove .only)`);
        const skipped = chain.includes('skip') || chain.includes('todo');
        if (TEST_FNS.has(chain[0]) && !skipped) {
          const body = node.arguments.find((a) => ts.isArrowFunction(a) || ts.isFunctionExpression(a));
          if (body && !asserts(body)) {
            const title =
              node.arguments[0] && ts.isStringLiteralLike(node.arguments[0]) ? node.arguments[0].text : '?';
            problems.push(`${where(node)}: "${title}" asserts nothing (no expect/assert)`);
          }
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
}

if (problems.length) {
  console.error(`check-tests: ${problems.length} problem(s) in the test files:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`check-tests: ${files.length} test files, no .only, every test asserts.`);
