#!/usr/bin/env node
/**
 * `npm run bench:library` (also the second half of `npm run bench`): the media library's catalog, sync and
 * access resolution, each beside an anchor measured in the same run. It bundles the library code from src/ with
 * Vite first (bench/lib/library-build.mjs), so it measures the sources as they are now.
 *
 *   node bench/library-bench.mjs [--parts 1,2,3,4,5] [--rows 100000,1000000] [--rounds 3]
 *
 * Part 1  the catalog (SQLite, FTS5 trigram index) at each --rows size, in a temp file: writes through
 *         upsertPage (anchor: the same writes without the search index), a folder's first page, substring
 *         search (anchor: the same search as a LIKE '%x%' scan), one page through the IPC router (anchor:
 *         LibraryService.page without the router).
 * Part 2  listing a 20k-object bucket on the test Ceph: `rclone lsf -R` with and without --fast-list, its
 *         start-up taken out, versus Signet's sync on a fresh data dir (to its listing's last page, and to its
 *         end with the ACL reads), --rounds times alternating who goes first, medians.
 * Part 3  access resolution of 5k objects with mixed ACLs, objects per second over the whole run on both sides:
 *         Signet's sync versus the plain SDK doing the same work (list, GetObjectAcl of each listed key) at the
 *         same concurrency, --rounds times alternating who goes first; for context the plain GetObjectAcl loop
 *         over keys given (at 16, 32 and 64 in flight) and over Signet's gateway.getAcl.
 * Part 4  a sync where the key cannot read the bucket's rules (the rig's second user owns the bucket), so each of
 *         5k files is asked for as a stranger would: Signet's sync versus the plain listing with an anonymous HEAD
 *         of each key at the same concurrency, --rounds times alternating who goes first (target ≥ 0.9×).
 * Part 5  one pass of the leak watch over 10k linked files (the rule re-read, every answer recorded) versus a
 *         plain loop of anonymous HEADs over the same keys at the same concurrency, alternating (target ≥ 0.9×).
 * Part 6  the main thread's event-loop delay (perf_hooks.monitorEventLoopDelay) while a 200k-key bucket syncs the
 *         app's way (in the sync worker), the window asking for a page or a search every 100 ms meanwhile; anchor:
 *         the same monitor over an idle loop (target p99 ≤ 50 ms). Not in the default parts: the bucket takes a
 *         few minutes to fill the first time; `--parts 6` runs it, `--big-seconds S` cancels the sync after S
 *         seconds (the whole 200k sync reads ACLs for about a quarter of an hour on the test rig).
 *
 * Both sides of a comparison are timed the same way, with this process's clock around the same work, never
 * with a figure the code under test reports about itself.
 *
 * Parts 2 and 3 need the Ceph rig (scripts/ceph-rig.sh) and Debian's rclone. The rig is started when it is not
 * running and then stopped at the end (SIGNET_KEEP_CEPH=1 keeps it); its buckets, bench-library-20k and
 * bench-library-5k, are made once and reused while it runs. Start the rig yourself to keep them between runs.
 * Progress goes to stderr, the tables to stdout. Exits 1 when a measurement was not of what it claims (wrong
 * counts, mismatching results), 2 when the run exceeded its time limit; unmet targets are reported, not failed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { buildLibrary } from './lib/library-build.mjs';
import { benchCatalog, syntheticKeys } from './lib/library-catalog.mjs';
import { printSearchCases } from './lib/library-search-cases.mjs';
import {
  aclLoop,
  ensureBucket,
  ensureRig,
  gatewayAclLoop,
  listAndAclLoop,
  plainClient,
  rcloneLsf,
  rcloneStartSeconds,
  signetListingParts,
  signetSync,
  stopRig,
} from './lib/library-ceph.mjs';
import { fmt, fmtBytes, fmtMs, median, printTable } from './lib/library-report.mjs';
import {
  BUCKET_STRANGER,
  ensureStrangerBucket,
  strangerKeys,
  strangerRounds,
} from './lib/library-stranger.mjs';
import {
  BUCKET_WATCH,
  ensureWatchBucket,
  headLoop,
  watchKeys,
  watchPass,
  watchedSignet,
} from './lib/library-watch.mjs';
import {
  bigKeys,
  BUCKET_200K,
  ensureBigBucket,
  idleEventLoop,
  syncInWorker,
} from './lib/library-eventloop.mjs';

const { values: opts } = parseArgs({
  options: {
    parts: { type: 'string', default: '1,2,3,4,5' },
    'big-keys': { type: 'string', default: '200000' },
    'big-seconds': { type: 'string', default: '0' },
    rows: { type: 'string', default: '100000,1000000' },
    rounds: { type: 'string', default: '3' },
  },
});
const PARTS = new Set(opts.parts.split(',').map((p) => p.trim()));
const SIZES = opts.rows
  .split(',')
  .map((r) => Number(r.replace(/[_k]/gi, (c) => (c.toLowerCase() === 'k' ? '000' : ''))))
  .filter((n) => Number.isInteger(n) && n >= 1000);
const ROUNDS = Math.min(Math.max(Number(opts.rounds) || 3, 1), 9);
const BIG_KEYS = Math.min(Math.max(Number(opts['big-keys']) || 200_000, 1000), 1_000_000);
const BIG_SECONDS = Math.max(Number(opts['big-seconds']) || 0, 0);
if (![...PARTS].every((p) => ['1', '2', '3', '4', '5', '6'].includes(p)) || !SIZES.length) {
  console.error(
    'usage: node bench/library-bench.mjs [--parts 1,2,3,4,5,6] [--rows 100000,1000000] [--rounds 3] [--big-keys 200000] [--big-seconds S]',
  );
  process.exit(2);
}

const BUCKET_20K = 'bench-library-20k';
const BUCKET_5K = 'bench-library-5k';
// Part 1's aims as ratios to their anchors, set from the absolute aims they replace (30,000 rows/s, 3 ms, 10 ms
// and 10 ms p99) against the anchors of the runs of December 2026 on the 2-core test machine.
const TARGETS = {
  writeRatio: 0.35,
  folderRatio: 2,
  searchRatio: 0.1,
  ipcRatio: 1.5,
  aclRatio: 0.9,
  strangerRatio: 0.9,
  watchRatio: 0.9,
  eventLoopP99Ms: 50,
};

// Hard bound on the whole run, whatever hangs (a rig that stops answering, a runaway query).
const BUDGET_MS = 20 * 60 * 1000;
setTimeout(() => {
  console.error(`bench: gave up after ${BUDGET_MS / 60_000} min`);
  process.exit(2);
}, BUDGET_MS).unref();

const log = (msg) => process.stderr.write(`${msg}\n`);
let invalid = false;
const problem = (msg) => {
  invalid = true;
  log(`INVALID: ${msg}`);
  return `INVALID: ${msg}`;
};

/** The 1-minute load average when a part started: the machine may be shared, and every figure depends on it. */
const partLoad = {};
const loadNote = (part) =>
  `load average (1 min) when this part started: ${partLoad[part].toFixed(2)} on ${cpus().length} cores` +
  (partLoad[part] > cpus().length * 0.5 ? ' — other processes were busy, figures are pessimistic' : '');

const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** "met" wording for a ratio floor. */
const atLeast = (what, value, floor, show, text) => ({
  what,
  show,
  text,
  met: value >= floor,
  by: `${(value / floor).toFixed(2)}× the target (${((1 - value / floor) * 100).toFixed(0)}% short)`,
});

function printPart1(results) {
  const head = ['rows', 'case', 'n', 'p50 ms', 'p99 ms', 'max ms', 'rows/s', 'note'];
  const rows = [];
  const targets = [];
  const notes = [
    loadNote(1),
    'keys: products/{0..99}/{0..99}/{word}-{i}.zip, 20,000 made-up words of 2–4 syllables, written in listing order.',
    'folder/IPC samples: random leaf folders; search samples: random 4–6 character pieces of existing file names.',
  ];
  const lat = (size, name, s, note = '') => [
    fmt(size),
    name,
    fmt(s.n),
    fmtMs(s.p50),
    fmtMs(s.p99),
    fmtMs(s.max),
    '',
    note,
  ];
  for (const r of results) {
    const size = r.rows;
    const sizeNote = `DB ${fmtBytes(r.size.total)}${r.size.search === undefined ? '' : `, search index ${fmtBytes(r.size.search)}`}`;
    rows.push([
      fmt(size),
      '(a) writes: upsertPage, pages of 1000, with trigram index',
      fmt(r.write.n),
      fmtMs(r.write.p50),
      fmtMs(r.write.p99),
      fmtMs(r.write.max),
      fmt(r.write.rowsPerSec),
      sizeNote,
    ]);
    rows.push([
      '',
      '    anchor: same writes, FTS triggers dropped',
      fmt(r.writeNoSearch.n),
      fmtMs(r.writeNoSearch.p50),
      fmtMs(r.writeNoSearch.p99),
      fmtMs(r.writeNoSearch.max),
      fmt(r.writeNoSearch.rowsPerSec),
      `DB ${fmtBytes(r.sizeNoSearch.total)}; the index makes writes ${(r.writeNoSearch.rowsPerSec / r.write.rowsPerSec).toFixed(2)}× slower`,
    ]);
    rows.push(
      lat(
        size,
        '(b) folder, first page of 200: page + folders + count',
        r.folder,
        `median ${fmt(r.folder.filesPerFolder)} files/folder`,
      ),
    );
    rows.push(lat('', '    anchor: the same SQL by hand, no row mapping', r.folderRaw));
    rows.push(
      lat(
        size,
        '(c) search, trigram: first 200 hits + count',
        r.search,
        `4–6 chars of existing names; hits p50 ${fmt(r.search.hitsP50)}, p99 ${fmt(r.search.hitsP99)}`,
      ),
    );
    rows.push(lat('', '    trigram, first 200 hits only (no count)', r.searchPageOnly));
    rows.push(
      lat(
        '',
        '    diagnostic: same search, +o.bucket_id (hits drive the plan)',
        r.searchFtsDriven,
        'hand-written SQL, same samples, same counts',
      ),
    );
    rows.push(
      lat(
        '',
        "    anchor: LIKE '%x%' scan, first 200 + count",
        r.like,
        r.like.mismatches
          ? problem(
              `${r.like.mismatches} of ${r.like.n} LIKE results differ from the trigram's at ${fmt(size)} rows`,
            )
          : `same rows and counts as the trigram path on all ${r.like.n}`,
      ),
    );
    rows.push(
      lat(
        '',
        '    trigram on the anchor’s samples',
        r.trigramOnLikeSamples,
        `LIKE p50 is ${(r.like.p50 / r.trigramOnLikeSamples.p50).toFixed(0)}× this`,
      ),
    );
    rows.push(lat('', '    context: a search every row matches', r.broad, "'.zip' / 'products': no target"));
    rows.push(
      lat(
        size,
        '(d) library:page through the IPC router',
        r.ipc,
        `validated in and out; ${fmt(r.ipc.rowsP50)} rows/page`,
      ),
    );
    rows.push(lat('', '    anchor: LibraryService.page, no router', r.direct));

    const at = `${fmt(size)} rows`;
    if (r.search.slowest.length) {
      notes.push(
        `${at}: slowest searches ${r.search.slowest.map((x) => `'${x.s}' ${fmtMs(x.ms)} ms (${fmt(x.hits)} hits)`).join(', ')}`,
      );
    }
    if (r.folder.plan) notes.push(`${at}: folder page plan: ${r.folder.plan}`);
    if (r.search.plan) notes.push(`${at}: search page plan: ${r.search.plan}`);
    // Every verdict is a ratio to the case's anchor in this run (issue 22), judged at a million rows as the aims
    // were set (at 100k the anchors take hundredths of a millisecond, and their ratios are rounding). Latencies
    // of well under a millisecond are judged at the median: their p99 is the machine's noise, not the code's.
    const ratio = (what, value, anchor, aim, show) => ({
      what,
      show: `${(value / anchor).toFixed(2)}× (${show})`,
      text: aim.text,
      met: aim.atLeast ? value / anchor >= aim.ratio : value / anchor <= aim.ratio,
      by: `${(value / anchor / aim.ratio).toFixed(2)}× the aim`,
    });
    if (size >= 1_000_000)
      targets.push(
        ratio(
          `(a) catalog writes with the search index ÷ the same writes without it, ${at}`,
          r.write.rowsPerSec,
          r.writeNoSearch.rowsPerSec,
          { ratio: TARGETS.writeRatio, atLeast: true, text: `≥ ${TARGETS.writeRatio}×` },
          `${fmt(r.write.rowsPerSec)} vs ${fmt(r.writeNoSearch.rowsPerSec)} rows/s`,
        ),
        ratio(
          `(b) folder first page ÷ the same SQL by hand (p50), ${at}`,
          r.folder.p50,
          r.folderRaw.p50,
          { ratio: TARGETS.folderRatio, text: `≤ ${TARGETS.folderRatio}×` },
          `${fmtMs(r.folder.p50)} vs ${fmtMs(r.folderRaw.p50)} ms`,
        ),
        ratio(
          `(c) trigram search ÷ the LIKE scan of the same samples (p99), ${at}`,
          r.trigramOnLikeSamples.p99,
          r.like.p99,
          { ratio: TARGETS.searchRatio, text: `≤ ${TARGETS.searchRatio}×` },
          `${fmtMs(r.trigramOnLikeSamples.p99)} vs ${fmtMs(r.like.p99)} ms`,
        ),
        ratio(
          `(d) library:page via IPC ÷ LibraryService.page (p50), ${at}`,
          r.ipc.p50,
          r.direct.p50,
          { ratio: TARGETS.ipcRatio, text: `≤ ${TARGETS.ipcRatio}×` },
          `${fmtMs(r.ipc.p50)} vs ${fmtMs(r.direct.p50)} ms`,
        ),
      );
  }
  printTable(
    'Part 1 — catalog: SQLite file with the FTS5 trigram index (temp dir), one process; each case’s anchor, measured in the same run, is its “anchor:” row',
    head,
    rows,
    {
      notes,
      targets,
      left: [1, head.length - 1],
    },
  );
}

function printPart2(r) {
  const head = ['case', ...r.rounds.map((_, i) => `run ${i + 1} s`), 'median s', 'files', 'note'];
  const row = (name, pick, files, note = '') => {
    const values = r.rounds.map(pick);
    return [name, ...values.map((v) => fmt(v, 2)), fmt(median(values), 2), files, note];
  };
  const want = r.objects;
  const checkFiles = (name, list) => {
    const bad = list.find((n) => n !== want);
    return bad === undefined ? fmt(want) : problem(`${name} listed ${bad} files, not ${want}`);
  };
  // rclone's listings with its start-up taken out (see part2 for why), round by round.
  const rcloneFast = (x) => x.rcloneFast.seconds - x.rcloneStart;
  const rcloneSlow = (x) => x.rcloneSlow.seconds - x.rcloneStart;
  const rows = [
    row(
      'anchor: rclone lsf -R --fast-list',
      rcloneFast,
      checkFiles(
        'rclone --fast-list',
        r.rounds.map((x) => x.rcloneFast.files),
      ),
      'wall clock from spawning it to its exit, less its start-up',
    ),
    row(
      'anchor: rclone lsf -R',
      rcloneSlow,
      checkFiles(
        'rclone',
        r.rounds.map((x) => x.rcloneSlow.files),
      ),
      'the same; one listing per directory',
    ),
    row(
      '  rclone’s start-up, taken out of both',
      (x) => x.rcloneStart,
      '',
      'median of 3 `rclone version` (same binary, config and initialisation; no request) before its listings',
    ),
    row(
      'Signet sync: its listing',
      (x) => x.sync.listingSeconds,
      checkFiles(
        'Signet sync',
        r.rounds.map((x) => x.sync.objects),
      ),
      'wall clock from the call to the last page in the catalog; the bucket check and ACL reads run beside it',
    ),
    row(
      'Signet sync: whole, with the ACL reads',
      (x) => x.sync.wallSeconds,
      '',
      `wall clock from the call to its end; unresolved ${r.rounds.map((x) => x.sync.unresolved).join('/')}`,
    ),
    row(
      '  where the listing time goes: bucket check',
      (x) => x.parts.checkSeconds,
      '',
      'alone; every sync runs it beside its listing (privacy model, exposure, clock)',
    ),
    row(
      '  gateway.list alone, no ACL reads',
      (x) => x.parts.listSeconds,
      checkFiles(
        'gateway.list',
        r.rounds.map((x) => x.parts.objects),
      ),
      'Signet’s listing, nothing beside it',
    ),
    row(
      '  gateway.list + upsertPage, no ACL reads',
      (x) => x.parts.listUpsertSeconds,
      '',
      `of which upsertPage ${fmt(median(r.rounds.map((x) => x.parts.upsertSeconds)), 2)} s`,
    ),
  ];
  const signet = median(r.rounds.map((x) => x.sync.listingSeconds));
  const fast = median(r.rounds.map(rcloneFast));
  const slow = median(r.rounds.map(rcloneSlow));
  const best = Math.min(fast, slow);
  printTable(
    `Part 2 — listing ${fmt(want)} objects on the test Ceph (${r.bucket}${r.reused ? ', reused' : ', made in this run'}); ` +
      `anchor: rclone lsf -R of the same bucket in the same round, its start-up taken out; ${plural(r.rounds.length, 'round')}, alternating who goes first`,
    head,
    rows,
    {
      left: [0, head.length - 1],
      notes: [
        loadNote(2),
        'keys: products/{0..19}/{0..9}/{word}-{i}.zip (200 folders); each Signet sync on a fresh data dir (new SQLite file, new client).',
        'neither side’s process start is counted: the app is running when it syncs, rclone starts a process per listing.',
        `rclone with env-var config (type s3, provider Ceph, path style); Signet’s listing time ÷ rclone’s: ${(signet / fast).toFixed(2)}× --fast-list, ${(signet / slow).toFixed(2)}× per-directory.`,
      ],
      targets: [
        {
          what: 'Signet’s listing (median) ÷ the faster rclone mode’s (median), both without process start',
          show: `${(signet / best).toFixed(2)}× (${fmt(signet, 2)} s vs ${fmt(best, 2)} s)`,
          text: '≤ 1.00×',
          met: signet <= best,
          by: `${fmt(signet - best, 2)} s slower`,
        },
      ],
    },
  );
}

function printPart3(r) {
  const head = ['case', 'in flight', ...r.signet.map((_, i) => `run ${i + 1} obj/s`), 'median obj/s', 'note'];
  const pad = (values) => [...values, ...Array(r.signet.length - values.length).fill('')];
  const expected = r.expected;
  const countsOk = (name, c) =>
    c.public === expected.public &&
    c.authenticated === expected.authenticated &&
    c.private === expected.private
      ? null
      : problem(`${name} found ${JSON.stringify(c)}, expected ${JSON.stringify(expected)}`);
  // Both rates over the same span: objects ÷ wall-clock seconds from the call to the end of the run.
  const signetRate = (x) => x.objects / x.wallSeconds;
  const signetMedian = median(r.signet.map(signetRate));
  const anchorMedian = median(r.anchor.map((x) => x.perSec));
  const signetBad = r.signet.map((x, i) => countsOk(`Signet sync ${i + 1}`, x.access)).find(Boolean);
  const anchorBad =
    r.anchor.map((x, i) => countsOk(`the plain SDK list + ACL loop ${i + 1}`, x.counts)).find(Boolean) ??
    r.anchor
      .map((x) => (x.objects === r.objects ? null : problem(`the plain SDK listed ${x.objects} objects`)))
      .find(Boolean);
  const loopBad = [r.loop16, r.loop32, r.loop64].map((x) => countsOk('the SDK loop', x.counts)).find(Boolean);
  const gatewayBad = countsOk('the loop over gateway.getAcl', r.gateway.counts);
  const rows = [
    [
      'Signet sync',
      String(r.concurrency),
      ...r.signet.map((x) => fmt(signetRate(x))),
      fmt(signetMedian),
      signetBad ??
        `objects ÷ seconds from the call to its end (listing, bucket check, ACL reads); seconds ${r.signet.map((x) => fmt(x.wallSeconds, 2)).join('/')}`,
    ],
    [
      'anchor: plain SDK, list + GetObjectAcl',
      String(r.concurrency),
      ...r.anchor.map((x) => fmt(x.perSec)),
      fmt(anchorMedian),
      anchorBad ??
        `the same work and span: ListObjectsV2 pages, each key’s ACL read as its page arrives; seconds ${r.anchor.map((x) => fmt(x.seconds, 2)).join('/')}`,
    ],
    [
      '  context: GetObjectAcl loop, keys given',
      String(r.concurrency),
      ...pad([fmt(r.loop32.perSec)]),
      fmt(r.loop32.perSec),
      loopBad ?? 'ACL reads alone, no listing; fresh client',
    ],
    ['  context: the same loop', '16', ...pad([fmt(r.loop16.perSec)]), fmt(r.loop16.perSec), ''],
    ['  context: the same loop', '64', ...pad([fmt(r.loop64.perSec)]), fmt(r.loop64.perSec), ''],
    [
      '  diagnostic: the loop over Signet’s gateway.getAcl',
      String(r.concurrency),
      ...pad([fmt(r.gateway.perSec)]),
      fmt(r.gateway.perSec),
      gatewayBad ?? 'keys given; Signet’s client and settings, no sync around it (queue, SQLite, progress)',
    ],
  ];
  printTable(
    `Part 3 — access resolution of ${fmt(r.objects)} objects with mixed ACLs on the test Ceph (${r.bucket}${r.reused ? ', reused' : ', made in this run'}); ` +
      `anchor: the plain SDK listing and reading every ACL in the same round; ${plural(r.signet.length, 'round')}, alternating who goes first`,
    head,
    rows,
    {
      left: [0, head.length - 1],
      notes: [
        loadNote(3),
        `ACLs: ${fmt(expected.private)} private, ${fmt(expected.public)} public-read, ${fmt(expected.authenticated)} authenticated-read; ` +
          `Signet and the anchor must both find exactly that. In flight: ACL_CONCURRENCY = ${r.concurrency}.`,
        'both rates: objects ÷ wall-clock seconds from the call (fresh client; Signet on a fresh data dir made before) to the last answer.',
      ],
      targets: [
        atLeast(
          'Signet’s sync ÷ the plain SDK doing the same work at the same concurrency (medians)',
          signetMedian / anchorMedian,
          TARGETS.aclRatio,
          `${(signetMedian / anchorMedian).toFixed(2)}× (${fmt(signetMedian)} vs ${fmt(anchorMedian)} objects/s)`,
          `≥ ${TARGETS.aclRatio}×`,
        ),
      ],
    },
  );
}

async function part2(lib, env, admin) {
  const keys = syntheticKeys(20_000, { seed: 2, cats: 20, subs: 10 });
  const made = await ensureBucket(
    admin,
    BUCKET_20K,
    keys.map((key) => ({ key })),
  );
  const rounds = [];
  for (let i = 0; i < ROUNDS; i++) {
    log(`part 2, round ${i + 1}/${ROUNDS} …`);
    const round = {};
    // Process start on neither side: the desktop app is running when it syncs (as the command line would not be,
    // but its start-up is Node's and its bundle's, no part of a sync the app runs), so Signet's sync is timed
    // in-process, from its call. rclone has no in-process mode: a listing is a process, so its start-up is
    // measured in the same round (`rclone version`, see rcloneStartSeconds) and taken out of its wall clock.
    const rclone = async () => {
      round.rcloneStart = await rcloneStartSeconds(env);
      round.rcloneFast = await rcloneLsf(env, BUCKET_20K, { fastList: true });
      round.rcloneSlow = await rcloneLsf(env, BUCKET_20K, { fastList: false });
    };
    const signet = async () => {
      round.sync = await signetSync(lib, env, BUCKET_20K);
    };
    // Alternate who goes first, so neither always meets a gateway the other just warmed (or tired).
    if (i % 2 === 0) {
      await rclone();
      await signet();
    } else {
      await signet();
      await rclone();
    }
    round.parts = await signetListingParts(lib, env, BUCKET_20K);
    rounds.push(round);
  }
  return { bucket: BUCKET_20K, reused: made.reused, objects: keys.length, rounds };
}

async function part3(lib, env, admin) {
  const keys = syntheticKeys(5_000, { seed: 3, cats: 10, subs: 10 });
  // Mixed ACLs, fixed by position: 7 in 10 private, 2 public-read, 1 authenticated-read.
  const aclOf = (i) => (i % 10 < 7 ? 'private' : i % 10 < 9 ? 'public-read' : 'authenticated-read');
  const made = await ensureBucket(
    admin,
    BUCKET_5K,
    keys.map((key, i) => ({ key, acl: aclOf(i) })),
  );
  const expected = { public: 0, authenticated: 0, private: 0 };
  keys.forEach((_, i) => {
    const a = aclOf(i);
    expected[a === 'public-read' ? 'public' : a === 'authenticated-read' ? 'authenticated' : 'private']++;
  });
  const concurrency = lib.sync.ACL_CONCURRENCY;
  const signet = [];
  const anchor = [];
  for (let i = 0; i < ROUNDS; i++) {
    log(`part 3, round ${i + 1}/${ROUNDS} …`);
    // Alternate who goes first, so neither always meets a gateway the other just warmed (or tired).
    if (i % 2 === 0) {
      signet.push(await signetSync(lib, env, BUCKET_5K));
      anchor.push(await listAndAclLoop(env, BUCKET_5K, concurrency));
    } else {
      anchor.push(await listAndAclLoop(env, BUCKET_5K, concurrency));
      signet.push(await signetSync(lib, env, BUCKET_5K));
    }
  }
  log(
    'part 3: context: the GetObjectAcl loop over the keys at 32, 16 and 64, and over Signet’s gateway.getAcl …',
  );
  const loop32 = await aclLoop(env, BUCKET_5K, keys, concurrency);
  const loop16 = await aclLoop(env, BUCKET_5K, keys, 16);
  const loop64 = await aclLoop(env, BUCKET_5K, keys, 64);
  const gateway = await gatewayAclLoop(lib, env, BUCKET_5K, keys, concurrency);
  return {
    bucket: BUCKET_5K,
    reused: made.reused,
    objects: keys.length,
    expected,
    concurrency,
    signet,
    anchor,
    loop32,
    gateway,
    loop16,
    loop64,
  };
}

async function part4(lib, env) {
  const keys = strangerKeys(5_000);
  const made = await ensureStrangerBucket(env, keys);
  log(`part 4: ${ROUNDS} rounds of a sync that checks each file as a stranger, and the plain HEAD loop …`);
  const concurrency = lib.sync.ACL_CONCURRENCY;
  const { signet, anchor } = await strangerRounds(lib, env, ROUNDS, concurrency);
  const expected = { readable: keys.filter((k) => k.startsWith('leak/')).length };
  expected.refused = keys.length - expected.readable;
  return {
    bucket: BUCKET_STRANGER,
    reused: made.reused,
    objects: keys.length,
    concurrency,
    signet,
    anchor,
    expected,
  };
}

function printPart4(r) {
  const head = ['case', 'in flight', ...r.signet.map((_, i) => `run ${i + 1} obj/s`), 'median obj/s', 'note'];
  const signetRate = (x) => x.objects / x.wallSeconds;
  const signetMedian = median(r.signet.map(signetRate));
  const anchorMedian = median(r.anchor.map((x) => x.perSec));
  const signetBad = r.signet
    .map((x, i) =>
      x.access['public-bucket'] === r.expected.readable && x.access.private === r.expected.refused
        ? null
        : problem(
            `Signet sync ${i + 1} found ${JSON.stringify(x.access)}, expected ${JSON.stringify(r.expected)}`,
          ),
    )
    .find(Boolean);
  const anchorBad = r.anchor
    .map((x, i) =>
      x.counts.readable === r.expected.readable && x.counts.refused === r.expected.refused
        ? null
        : problem(`the HEAD loop ${i + 1} found ${JSON.stringify(x.counts)}`),
    )
    .find(Boolean);
  printTable(
    `Part 4 — a sync that cannot read the bucket's rules: ${fmt(r.objects)} objects checked as a stranger would (${r.bucket}${r.reused ? ', reused' : ', made in this run'}); ` +
      `anchor: the plain SDK listing and an anonymous HEAD of each key in the same round; ${plural(r.signet.length, 'round')}, alternating who goes first`,
    head,
    [
      [
        'Signet sync (a HEAD per file, its ACL where a stranger got it)',
        String(r.concurrency),
        ...r.signet.map((x) => fmt(signetRate(x))),
        fmt(signetMedian),
        signetBad ??
          `objects ÷ seconds from the call to its end; seconds ${r.signet.map((x) => fmt(x.wallSeconds, 2)).join('/')}`,
      ],
      [
        'anchor: plain list + anonymous HEAD',
        String(r.concurrency),
        ...r.anchor.map((x) => fmt(x.perSec)),
        fmt(anchorMedian),
        anchorBad ??
          `the same listing and stranger requests; seconds ${r.anchor.map((x) => fmt(x.seconds, 2)).join('/')}`,
      ],
    ],
    {
      left: [0, head.length - 1],
      notes: [
        loadNote(4),
        `the bucket is the rig's second user's; the test user may use its objects but not read its policy; leak/ (one file in ten) is public by policy. Both sides must find ${fmt(r.expected.readable)} readable and ${fmt(r.expected.refused)} refused.`,
      ],
      targets: [
        atLeast(
          'stranger checks per second in Signet’s sync ÷ the plain HEAD loop at the same concurrency (medians)',
          signetMedian / anchorMedian,
          TARGETS.strangerRatio,
          `${(signetMedian / anchorMedian).toFixed(2)}× (${fmt(signetMedian)} vs ${fmt(anchorMedian)} objects/s)`,
          `≥ ${TARGETS.strangerRatio}×`,
        ),
      ],
    },
  );
}

async function part5(lib, env, admin) {
  const keys = watchKeys(10_000);
  const made = await ensureWatchBucket(admin, keys);
  log('part 5: a data folder with the bucket synced and 10,000 linked files …');
  const s = await watchedSignet(lib, env, keys);
  const concurrency = lib.sync.ACL_CONCURRENCY;
  const signet = [];
  const anchor = [];
  try {
    for (let i = 0; i < ROUNDS; i++) {
      log(`part 5, round ${i + 1}/${ROUNDS} …`);
      if (i % 2 === 0) {
        signet.push(await watchPass(s));
        anchor.push(await headLoop(env, keys, concurrency));
      } else {
        anchor.push(await headLoop(env, keys, concurrency));
        signet.push(await watchPass(s));
      }
    }
  } finally {
    s.close();
  }
  return { bucket: BUCKET_WATCH, reused: made.reused, objects: keys.length, concurrency, signet, anchor };
}

function printPart5(r) {
  const head = [
    'case',
    'in flight',
    ...r.signet.map((_, i) => `run ${i + 1} files/s`),
    'median files/s',
    'note',
  ];
  const signetMedian = median(r.signet.map((x) => x.perSec));
  const anchorMedian = median(r.anchor.map((x) => x.perSec));
  const signetBad = r.signet
    .map((x, i) =>
      x.summary.checked === r.objects && x.summary.leaks.length === 0
        ? null
        : problem(`watch pass ${i + 1} checked ${x.summary.checked} with ${x.summary.leaks.length} leaks`),
    )
    .find(Boolean);
  const anchorBad = r.anchor
    .map((x, i) =>
      x.counts.refused === r.objects ? null : problem(`HEAD loop ${i + 1}: ${JSON.stringify(x.counts)}`),
    )
    .find(Boolean);
  printTable(
    `Part 5 — the leak watch over ${fmt(r.objects)} linked files (${r.bucket}${r.reused ? ', reused' : ', made in this run'}); ` +
      `anchor: a plain anonymous-HEAD loop over the same keys in the same round; ${plural(r.signet.length, 'round')}, alternating who goes first`,
    head,
    [
      [
        'Signet watch pass',
        String(r.concurrency),
        ...r.signet.map((x) => fmt(x.perSec)),
        fmt(signetMedian),
        signetBad ??
          `rule re-read, every answer recorded; seconds ${r.signet.map((x) => fmt(x.seconds, 2)).join('/')}`,
      ],
      [
        'anchor: anonymous HEAD loop',
        String(r.concurrency),
        ...r.anchor.map((x) => fmt(x.perSec)),
        fmt(anchorMedian),
        anchorBad ?? `seconds ${r.anchor.map((x) => fmt(x.seconds, 2)).join('/')}`,
      ],
    ],
    {
      left: [0, head.length - 1],
      notes: [loadNote(5), 'every file private: both sides must get 403 for each.'],
      targets: [
        atLeast(
          'files per second in Signet’s watch pass ÷ the plain HEAD loop at the same concurrency (medians)',
          signetMedian / anchorMedian,
          TARGETS.watchRatio,
          `${(signetMedian / anchorMedian).toFixed(2)}× (${fmt(signetMedian)} vs ${fmt(anchorMedian)} files/s)`,
          `≥ ${TARGETS.watchRatio}×`,
        ),
      ],
    },
  );
}

async function part6(lib, env) {
  const keys = bigKeys(BIG_KEYS);
  const made = await ensureBigBucket(env, keys);
  log(`part 6: the idle anchor, then a sync of ${fmt(keys.length)} keys in the sync worker …`);
  const idle = await idleEventLoop(3000);
  const sync = await syncInWorker(lib, env, keys.length, BIG_SECONDS);
  return { reused: made.reused, objects: keys.length, idle, sync };
}

function printPart6(r) {
  const head = ['case', 'seconds', 'loop p50 ms', 'loop p99 ms', 'loop max ms', 'note'];
  const bad =
    r.sync.cancelled || r.sync.synced === r.objects
      ? null
      : problem(`the sync found ${r.sync.synced} of ${r.objects} objects`);
  printTable(
    `Part 6 — the app's main thread while ${fmt(r.objects)} keys sync in the sync worker (${BUCKET_200K}${r.reused ? ', reused' : ', made in this run'}); ` +
      'event-loop delay of this thread (monitorEventLoopDelay: how long its 10 ms timer fired late); anchor: the same monitor over an idle loop in this run',
    head,
    [
      [
        r.sync.cancelled
          ? `sync in the worker, a page or search every 100 ms, cancelled after ${BIG_SECONDS} s (${fmt(r.sync.synced)} files listed)`
          : 'sync in the worker, a page or search every 100 ms',
        fmt(r.sync.ms / 1000, 1),
        fmtMs(r.sync.p50),
        fmtMs(r.sync.p99),
        fmtMs(r.sync.max),
        bad ??
          `${fmt(r.sync.calls.n)} page calls meanwhile: p50 ${fmtMs(r.sync.calls.p50)} ms, p99 ${fmtMs(r.sync.calls.p99)} ms, max ${fmtMs(r.sync.calls.max)} ms`,
      ],
      [
        'anchor: idle loop',
        fmt(r.idle.ms / 1000, 1),
        fmtMs(r.idle.p50),
        fmtMs(r.idle.p99),
        fmtMs(r.idle.max),
        '',
      ],
    ],
    {
      left: [0, head.length - 1],
      notes: [loadNote(6), 'each file private by its ACL: the sync lists and reads every ACL.'],
      targets: [
        {
          what: 'event-loop delay of the main thread during the sync, p99',
          show: `${fmtMs(r.sync.p99)} ms (idle ${fmtMs(r.idle.p99)} ms)`,
          text: `≤ ${TARGETS.eventLoopP99Ms} ms`,
          met: r.sync.p99 <= TARGETS.eventLoopP99Ms,
          by: `${(r.sync.p99 / TARGETS.eventLoopP99Ms).toFixed(2)}× the limit`,
        },
      ],
    },
  );
}

async function main() {
  const load = loadavg()[0];
  const cores = cpus().length;
  const started = Date.now();
  console.log(
    `Signet library benchmark — node ${process.version}, ${cores} cores (${cpus()[0]?.model.trim() ?? 'unknown'})`,
  );
  const loadLine = `load average (1 min) before the run: ${load.toFixed(2)}`;
  console.log(
    load > cores * 0.5 ? `${loadLine} — OTHER PROCESSES WERE BUSY, numbers are unreliable` : loadLine,
  );

  log('bundling the library code from src/ with Vite …');
  const buildDir = mkdtempSync(join(tmpdir(), 'signet-bench-library-build-'));
  let rig;
  try {
    const lib = await buildLibrary(buildDir);
    const memory = lib.database.openDatabase(':memory:');
    console.log(`SQLite ${memory.prepare('SELECT sqlite_version() AS v').get().v} (better-sqlite3)`);
    memory.close();

    if (PARTS.has('1')) {
      partLoad[1] = loadavg()[0];
      const results = [];
      for (const rows of SIZES) results.push(await benchCatalog(lib, rows));
      printPart1(results);
      printSearchCases(
        results.map((r) => r.searchCases),
        { problem, loadNote: loadNote(1) },
      );
    }

    if (['2', '3', '4', '5', '6'].some((p) => PARTS.has(p))) {
      rig = await ensureRig();
      const admin = plainClient(rig.env, 64);
      try {
        if (PARTS.has('2')) {
          partLoad[2] = loadavg()[0];
          printPart2(await part2(lib, rig.env, admin));
        }
        if (PARTS.has('3')) {
          partLoad[3] = loadavg()[0];
          printPart3(await part3(lib, rig.env, admin));
        }
        if (PARTS.has('4')) {
          partLoad[4] = loadavg()[0];
          printPart4(await part4(lib, rig.env));
        }
        if (PARTS.has('5')) {
          partLoad[5] = loadavg()[0];
          printPart5(await part5(lib, rig.env, admin));
        }
        if (PARTS.has('6')) {
          partLoad[6] = loadavg()[0];
          printPart6(await part6(lib, rig.env));
        }
      } finally {
        admin.destroy();
      }
    }
  } finally {
    rmSync(buildDir, { recursive: true, force: true });
    if (rig?.started && process.env.SIGNET_KEEP_CEPH !== '1') {
      log('ceph: stopping the rig this run started (SIGNET_KEEP_CEPH=1 keeps it) …');
      await stopRig().catch((err) => log(`ceph: stop failed: ${err.message}`));
    }
  }
  console.log(`\nwhole run: ${((Date.now() - started) / 1000).toFixed(0)} s`);
  if (invalid) {
    console.error('\nbench: some measurements were not of what they claim (rows marked INVALID)');
    process.exitCode = 1;
  }
}

main().catch((err) => {
  console.error(`bench failed: ${err.stack ?? err}`);
  process.exit(1);
});
