#!/usr/bin/env node
/**
 * CI check on the test files themselves (npm run lint:tests, run by .ci/run):
 *  - no `.only` (it.only, test.only, describe.only…): it would silently skip every other test;
 *  - every `it`/`test` block asserts something: it calls `expect…`/`assert…` (a helper named so counts, as
 *    does `fc.assert`), Playwright's `locator.waitFor()` (it throws when the state is not reached), or passes
 *    `expect` on. A block that asserts nothing cannot fail. `vi.waitFor(cb)` does not count by itself: it
 *    only retries `cb`, and passes at once when `cb` throws nothing (an `expect` inside it counts as usual);
 *  - the body is one this script can read: written inline, or a function declared in the same file and passed
 *    by name (`it('x', check)`). Anything else (an imported function, `makeTest()`) is reported, since
 *    whether it asserts cannot be seen.
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
      // locator.waitFor(), which throws when the element does not reach the state in time. Not vitest's
      // vi.waitFor(cb), which succeeds as soon as cb does not throw (so cb must assert, and is visited).
      const waitsOnLocator = chain[0] !== 'vi' && chain.some((name, i) => i > 0 && name === 'waitFor');
      if (waitsOnLocator || chain.some((name) => /^(expect|assert)/i.test(name))) found = true;
      // Passing `expect` to a helper (`check(expect)`) counts too.
      if (n.arguments.some((a) => ts.isIdentifier(a) && /^(expect|assert)$/.test(a.text))) found = true;
    }
    ts.forEachChild(n, visit);
  };
  visit(node);
  return found;
}

const isFunction = (n) => n && (ts.isArrowFunction(n) || ts.isFunctionExpression(n));

/** Functions declared in the file by name: `function check() {}` and `const check = () => {}`. */
function localFunctions(source) {
  const byName = new Map();
  const visit = (n) => {
    if (ts.isFunctionDeclaration(n) && n.name && n.body) byName.set(n.name.text, n);
    if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && isFunction(n.initializer))
      byName.set(n.name.text, n.initializer);
    ts.forEachChild(n, visit);
  };
  visit(source);
  return byName;
}

for (const file of files) {
  const text = readFileSync(file, 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
  const functions = localFunctions(source);
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
          const title =
            node.arguments[0] && ts.isStringLiteralLike(node.arguments[0]) ? node.arguments[0].text : '?';
          // After the title: the body, with options ({ timeout }) or a timeout number before or after it.
          const arg = node.arguments
            .slice(1)
            .find((a) => !ts.isObjectLiteralExpression(a) && !ts.isNumericLiteral(a));
          const body = isFunction(arg) ? arg : arg && ts.isIdentifier(arg) ? functions.get(arg.text) : null;
          // No body at all is vitest's todo form (`it('later')`): it runs nothing.
          if (arg && !body)
            problems.push(
              `${where(node)}: "${title}" has a body this check cannot read (${arg.getText(source)}): ` +
                'write it inline or declare the function in this file',
            );
          else if (body && !asserts(body))
            problems.push(`${where(node)}: "${title}" asserts nothing (no expect/assert)`);
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
