#!/usr/bin/env node
/**
 * `npm run bench -- [options]`: the verifier bench, the library bench, the links bench, then the jobs bench, each
 * with the options that are its own (each parses its options strictly, so each gets only those):
 *
 *   verifier-bench.mjs   --seconds N, --profile
 *   library-bench.mjs    --parts, --rows, --rounds
 *   links-bench.mjs      --links, --ledger (its --rounds: run `npm run bench:links -- …` alone)
 *   jobs-bench.mjs       --objects (its --parts and --rounds: run `npm run bench:jobs -- …` alone)
 *
 * Each runs through its npm script, so its build step (prebench:…) runs first. Exits with the first
 * non-zero status; an option that neither knows is refused before anything runs.
 */
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';

const OWNERS = {
  'bench:verifier': { seconds: 'value', profile: 'flag' },
  'bench:library': { parts: 'value', rows: 'value', rounds: 'value' },
  'bench:links': { links: 'value', ledger: 'value' },
  'bench:jobs': { objects: 'value' },
};

/** Splits argv into each script's own arguments (`--name value`, `--name=value`, `--flag`). */
export function splitArgs(argv) {
  const out = Object.fromEntries(Object.keys(OWNERS).map((k) => [k, []]));
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const m = /^--([a-z-]+)(=.*)?$/.exec(arg);
    const owner = m && Object.keys(OWNERS).find((k) => OWNERS[k][m[1]] !== undefined);
    if (!owner) throw new Error(`unknown option ${arg}`);
    const kind = OWNERS[owner][m[1]];
    out[owner].push(arg);
    if (kind === 'value' && m[2] === undefined) {
      if (i + 1 >= argv.length) throw new Error(`${arg} needs a value`);
      out[owner].push(argv[++i]);
    }
  }
  return out;
}

function main() {
  let split;
  try {
    split = splitArgs(process.argv.slice(2));
  } catch (err) {
    console.error(`bench: ${err.message}`);
    process.exit(2);
  }
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  for (const [script, args] of Object.entries(split)) {
    const r = spawnSync(npm, ['run', script, ...(args.length ? ['--', ...args] : [])], { stdio: 'inherit' });
    if (r.status !== 0) process.exit(r.status ?? 1);
  }
}

// Run only as a script (importing it, e.g. to check splitArgs, runs nothing).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
