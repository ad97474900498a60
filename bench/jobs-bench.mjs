#!/usr/bin/env node
/**
 * `npm run bench:jobs`: durable jobs on the test Ceph, each beside an anchor measured in the same run. It bundles
 * the app's code from src/ with Vite first (bench/lib/library-build.mjs), so it measures the sources as they are.
 *
 *   node bench/jobs-bench.mjs [--parts 1,2,3] [--rounds 2] [--objects 10000] [--plan-files 100000]
 *
 * Part 1  uploads of 200 × 1 MiB files and of one 256 MiB file: `rclone copy` (Debian's rclone, its defaults; its
 *         process start-up taken out, as Signet's job runs in a running app) versus a Signet upload job (private
 *         by default, its bucket check included), alternating who goes first, --rounds times each, medians.
 * Part 2  make-private of --objects public-read objects (the main thread's event-loop delay measured throughout):
 *         a plain SDK PutObjectAcl loop at Signet's concurrency
 *         (32) versus a Signet job — its change phase, and the whole job with the proof that re-reads every ACL —
 *         alternating who goes first, --rounds times, medians.
 * Part 3  planning a make-private of --plan-files files (default 100,000: part 2's bucket, synced, plus files
 *         written into its catalog only), as the window asks: the preview, then the start call that writes the
 *         job's items (the run is cancelled once it answers). The main thread's event-loop delay over each call,
 *         against an idle loop in the same run, --rounds times.
 *
 * Needs rclone and a Ceph rig of its own (scripts/ceph-rig.sh in /tmp/signet-ceph-bench-jobs on port 7496 with
 * a 4 GiB store; SIGNET_CEPH_DIR, SIGNET_CEPH_PORT and SIGNET_CEPH_MEMSTORE_BYTES override that), started when
 * not running and stopped at the end unless SIGNET_KEEP_CEPH=1. Progress on stderr, tables on stdout. Exits 1 when a run did not do what it
 * claims (wrong counts or sizes); unmet targets are reported, not failed.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';

import { buildLibrary } from './lib/library-build.mjs';
import { ensureBucket, ensureRig, plainClient, rcloneStartSeconds, stopRig } from './lib/library-ceph.mjs';
import {
  aclPutLoop,
  deletePrefix,
  prefixStats,
  rcloneCopy,
  signetMakePrivate,
  signetPlanMakePrivate,
  signetUpload,
} from './lib/jobs-ceph.mjs';
import { idleEventLoop } from './lib/event-loop.mjs';
import { fmt, median, printTable } from './lib/library-report.mjs';

// A rig of its own with room for the uploads (each round writes about 1 GiB; the tests' rig has 1 GiB), on its
// own port, so the bench neither fills nor disturbs the rig the tests use.
process.env.SIGNET_CEPH_DIR ??= '/tmp/signet-ceph-bench-jobs';
process.env.SIGNET_CEPH_PORT ??= '7496';
process.env.SIGNET_CEPH_MEMSTORE_BYTES ??= '4G';

const { values: opts } = parseArgs({
  options: {
    parts: { type: 'string', default: '1,2,3' },
    rounds: { type: 'string', default: '2' },
    objects: { type: 'string', default: '10000' },
    'plan-files': { type: 'string', default: '100000' },
  },
});
const PARTS = new Set(opts.parts.split(',').map((p) => p.trim()));
const ROUNDS = Math.min(Math.max(Number(opts.rounds) || 2, 1), 9);
const OBJECTS = Math.min(Math.max(Number(opts.objects) || 10000, 100), 100000);
const PLAN_FILES = Math.min(Math.max(Number(opts['plan-files']) || 100000, OBJECTS), 1000000);
const MiB = 1024 * 1024;
const log = (msg) => process.stderr.write(`${msg}\n`);

function check(cond, what) {
  if (!cond) {
    console.error(`bench: ${what}`);
    process.exit(1);
  }
}

async function partUploads(lib, env, client, work) {
  const bucket = 'bench-jobs-upload';
  await ensureBucket(client, bucket, []);
  const small = join(work, 'small');
  const large = join(work, 'large');
  mkdirSync(small);
  mkdirSync(large);
  log('files: writing 200 × 1 MiB and 1 × 256 MiB of random bytes …');
  const smallPaths = [];
  for (let i = 0; i < 200; i++) {
    const p = join(small, `file-${String(i).padStart(3, '0')}.bin`);
    writeFileSync(p, randomBytes(MiB));
    smallPaths.push(p);
  }
  const largePath = join(large, 'course.bin');
  writeFileSync(largePath, randomBytes(256 * MiB));

  const sets = [
    { name: '200 × 1 MiB', dir: small, paths: smallPaths, objects: 200, bytes: 200 * MiB },
    { name: '1 × 256 MiB', dir: large, paths: [largePath], objects: 1, bytes: 256 * MiB },
  ];
  const rows = [];
  const targets = [];
  for (const set of sets) {
    const times = { rclone: [], signet: [] };
    const starts = [];
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate who goes first, so neither always meets a warmer (or busier) gateway.
      const order = round % 2 === 0 ? ['rclone', 'signet'] : ['signet', 'rclone'];
      for (const who of order) {
        const prefix = `${who}-${round}-${set.objects}/`;
        await deletePrefix(client, bucket, prefix);
        log(`part 1: ${set.name}, round ${round + 1}/${ROUNDS}: ${who} …`);
        let seconds;
        if (who === 'rclone') {
          // Process start on neither side: Signet's job runs in the running app (timed from its start, on a data
          // dir made before), rclone copy is a process of its own, so its start-up, measured in the same round,
          // is taken out of its wall clock.
          const start = await rcloneStartSeconds(env);
          starts.push(start);
          seconds = (await rcloneCopy(env, set.dir, bucket, prefix)).seconds - start;
        } else {
          const r = await signetUpload(lib, env, bucket, set.paths, prefix);
          check(
            r.view.state === 'done' && r.view.done === set.objects,
            `Signet upload ended ${r.view.state}: ${r.view.summary}`,
          );
          seconds = r.seconds;
        }
        const stats = await prefixStats(client, bucket, prefix);
        check(
          stats.objects === set.objects && stats.bytes === set.bytes,
          `${who} uploaded ${stats.objects} objects, ${stats.bytes} bytes; expected ${set.objects}, ${set.bytes}`,
        );
        await deletePrefix(client, bucket, prefix);
        times[who].push(seconds);
      }
    }
    const r = median(times.rclone);
    const s = median(times.signet);
    rows.push([
      set.name,
      'rclone copy (defaults)',
      fmt(r, 2),
      fmt(set.bytes / MiB / r, 1),
      '1.00×',
      `anchor; start-up taken out: ${fmt(median(starts), 2)} s (median of its \`rclone version\` runs)`,
    ]);
    rows.push([
      set.name,
      'Signet upload job',
      fmt(s, 2),
      fmt(set.bytes / MiB / s, 1),
      `${fmt(r / s, 2)}×`,
      'private, proved; the job’s bucket check included',
    ]);
    targets.push({
      what: `Signet upload of ${set.name} vs rclone`,
      show: `${fmt(r / s, 2)}× rclone's speed`,
      text: '≥ 1.00×',
      met: s <= r,
      by: `${fmt(s - r, 2)} s slower`,
    });
  }
  printTable(
    `Part 1: uploads to the test Ceph (median of ${ROUNDS} rounds each, alternating who goes first); ` +
      'anchor: rclone copy of the same files in the same round, less its process start-up',
    ['files', 'who', 'seconds', 'MiB/s', 'speed vs rclone', 'note'],
    rows,
    {
      targets,
      notes: ['Signet: one job per set, private by default, each file proved by its ACL afterwards.'],
    },
  );
}

/** Parts 2 and 3: a bucket of OBJECTS public-read files, made on the rig unless it is there. */
async function publicBucket(client) {
  const bucket = `bench-jobs-acl-${OBJECTS}`;
  const keys = Array.from({ length: OBJECTS }, (_, i) => `products/${String(i).padStart(6, '0')}.zip`);
  await ensureBucket(
    client,
    bucket,
    keys.map((key) => ({ key, acl: 'public-read' })),
  );
  return { bucket, keys };
}

async function partMakePrivate(lib, env, client) {
  const { bucket, keys } = await publicBucket(client);
  const loop = [];
  const change = [];
  const total = [];
  const loops = [];
  const sides = {
    loop: async () => {
      log('part 2: plain SDK PutObjectAcl loop, concurrency 32 …');
      loop.push((await aclPutLoop(env, bucket, keys, 'private', 32)).seconds);
    },
    signet: async () => {
      log('part 2: Signet make-private job …');
      const r = await signetMakePrivate(lib, env, bucket);
      check(
        r.view.state === 'done' && r.view.done === OBJECTS && r.view.stillPublic === 0,
        `Signet make-private ended ${r.view.state}: ${r.view.summary}`,
      );
      change.push(r.changeSeconds);
      total.push(r.totalSeconds);
      loops.push({ ...r.loop, startMs: r.startMs });
    },
  };
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate who goes first, so neither always meets a warmer (or busier) gateway.
    const order = round % 2 === 0 ? ['loop', 'signet'] : ['signet', 'loop'];
    for (const who of order) {
      log(`part 2: round ${round + 1}/${ROUNDS}: making ${OBJECTS} objects public again (untimed) …`);
      await aclPutLoop(env, bucket, keys, 'public-read', 64);
      await sides[who]();
    }
  }
  const l = median(loop);
  const c = median(change);
  const t = median(total);
  const worst = (f) => Math.max(...loops.map(f));
  const loopP99 = worst((x) => x.p99);
  printTable(
    `Part 2: make ${fmt(OBJECTS)} public-read objects private (median of ${ROUNDS} rounds, alternating who goes ` +
      'first); anchor: a plain SDK PutObjectAcl loop over the same keys in the same round',
    ['who', 'phase', 'seconds', 'objects/s', 'vs loop', 'note'],
    [
      [
        'plain SDK PutObjectAcl loop',
        'change',
        fmt(l, 2),
        fmt(OBJECTS / l),
        '1.00×',
        'anchor, concurrency 32',
      ],
      [
        'Signet job',
        'change',
        fmt(c, 2),
        fmt(OBJECTS / c),
        `${fmt(l / c, 2)}×`,
        'durable: item states to SQLite every 50 ms',
      ],
      [
        'Signet job',
        'change + proof',
        fmt(t, 2),
        fmt(OBJECTS / t),
        `${fmt(l / t, 2)}×`,
        'proof re-reads every ACL',
      ],
      [
        'Signet job',
        'main thread',
        '',
        '',
        '',
        `event-loop delay over the whole job, worst round: p50 ${fmt(
          worst((x) => x.p50),
          1,
        )} ms, p99 ${fmt(loopP99, 1)} ms, ` +
          `max ${fmt(
            worst((x) => x.max),
            1,
          )} ms; planning (start call) ${fmt(
            worst((x) => x.startMs),
            0,
          )} ms`,
      ],
    ],
    {
      left: [0, 1, 5],
      targets: [
        {
          what: 'the main thread’s event-loop delay during the job (monitorEventLoopDelay), p99 of the worst round',
          show: `${fmt(loopP99, 1)} ms`,
          text: '≤ 50 ms',
          met: loopP99 <= 50,
          by: `${fmt(loopP99 / 50, 2)}× the limit`,
        },
        {
          what: 'Signet job change phase vs the plain loop',
          show: `${fmt(l / c, 2)}×`,
          text: '≥ 0.90×',
          met: l / c >= 0.9,
          by: `${fmt(OBJECTS / c)} vs ${fmt(OBJECTS / l)} objects/s`,
        },
      ],
    },
  );
}

async function partPlanning(lib, env, client) {
  const { bucket } = await publicBucket(client);
  const runs = [];
  for (let round = 0; round < ROUNDS; round++) {
    log(`part 3: round ${round + 1}/${ROUNDS}: planning a make-private of ${fmt(PLAN_FILES)} files …`);
    const r = await signetPlanMakePrivate(lib, env, bucket, PLAN_FILES - OBJECTS);
    check(
      r.files === PLAN_FILES && r.items === PLAN_FILES,
      `planned ${r.files} files and ${r.items} items, not ${PLAN_FILES}`,
    );
    runs.push(r);
  }
  const idle = await idleEventLoop(3000);
  const worst = (call, f) => Math.max(...runs.map((r) => f(r[call])));
  const row = (call, what) => [
    what,
    fmt(median(runs.map((r) => r[call].ms)), 0),
    fmt(
      worst(call, (x) => x.p50),
      1,
    ),
    fmt(
      worst(call, (x) => x.p99),
      1,
    ),
    fmt(
      worst(call, (x) => x.max),
      1,
    ),
  ];
  const longest = Math.max(
    worst('preview', (x) => x.max),
    worst('start', (x) => x.max),
  );
  printTable(
    `Part 3: plan a make-private of ${fmt(PLAN_FILES)} files, as the window does (${ROUNDS} rounds: call time the ` +
      'median, event-loop delay the worst round); anchor: an idle event loop in the same run',
    ['call', 'ms', 'loop p50 ms', 'loop p99 ms', 'loop max ms'],
    [
      row('preview', 'jobs:access-preview (counts what would change)'),
      row('start', 'jobs:access (writes the job’s items)'),
      ['anchor: idle loop, 3 s', '', fmt(idle.p50, 1), fmt(idle.p99, 1), fmt(idle.max, 1)],
    ],
    {
      left: [0],
      targets: [
        {
          what: 'the longest the main thread was held during either call (no call blocks it more than 50 ms)',
          show: `${fmt(longest, 1)} ms`,
          text: '≤ 50 ms',
          met: longest <= 50,
          by: `${fmt(longest / 50, 2)}× the limit`,
        },
      ],
    },
  );
}

async function main() {
  log(
    `machine: ${cpus().length} cores, load ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
  const work = mkdtempSync(join(tmpdir(), 'signet-bench-jobs-'));
  const { env, started } = await ensureRig();
  const client = plainClient(env);
  try {
    const lib = await buildLibrary(join(work, 'lib'));
    if (PARTS.has('1')) await partUploads(lib, env, client, work);
    if (PARTS.has('2')) await partMakePrivate(lib, env, client);
    if (PARTS.has('3')) await partPlanning(lib, env, client);
  } finally {
    client.destroy();
    rmSync(work, { recursive: true, force: true });
    if (started && process.env.SIGNET_KEEP_CEPH !== '1') await stopRig();
  }
  log(
    `done; load ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
}

await main();
