/**
 * Parts 2 and 3 of the library bench, on the test Ceph (scripts/ceph-rig.sh): the buckets it needs (made once,
 * reused while the rig runs), rclone's listing, Signet's sync through the app's wiring on a fresh data dir, and
 * a plain SDK loop of GetObjectAcl.
 */
import { execFile, spawn } from 'node:child_process';
import { setMaxListeners } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import {
  CreateBucketCommand,
  DeleteObjectsCommand,
  GetObjectAclCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';

import { msSince, timedAsync } from './library-report.mjs';

const execFileAsync = promisify(execFile);
const RIG = new URL('../../scripts/ceph-rig.sh', import.meta.url).pathname;
const ALL_USERS = 'http://acs.amazonaws.com/groups/global/AllUsers';
const AUTHENTICATED_USERS = 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers';

const log = (msg) => process.stderr.write(`${msg}\n`);

async function rig(command, timeout = 15_000) {
  const { stdout } = await execFileAsync('bash', [RIG, command], { timeout, maxBuffer: 4 * 1024 * 1024 });
  return stdout;
}

/** Starts the rig when it is not running; answers its connection JSON and whether this call started it. */
export async function ensureRig() {
  let started = false;
  try {
    await rig('status');
  } catch {
    log('ceph: the rig is not running, starting it (scripts/ceph-rig.sh start) …');
    await rig('start', 240_000);
    started = true;
  }
  return { env: JSON.parse(await rig('env')), started };
}

export const stopRig = () => rig('stop', 60_000);

/** A plain SDK client for the rig, as the tests make it (checksums only where required: Ceph needs that). */
export function plainClient(env, maxSockets = 50) {
  return new S3Client({
    endpoint: env.endpoint,
    region: env.region,
    forcePathStyle: env.forcePathStyle,
    credentials: { accessKeyId: env.accessKeyId, secretAccessKey: env.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: { httpAgent: { keepAlive: true, maxSockets } },
  });
}

/** Runs `fn` over `items` with `concurrency` calls in flight. */
export async function pool(items, concurrency, fn) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length || 1) }, worker));
}

async function listKeys(client, bucket) {
  const keys = [];
  let token;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    for (const o of page.Contents ?? []) keys.push(o.Key);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys;
}

/**
 * Makes `bucket` hold exactly `items` ({ key, acl }): creates the bucket if needed, uploads the missing keys
 * (tiny bodies, 64 at a time) with their ACL and deletes keys that do not belong. A bucket already right is
 * reused as it is, so a second run does not upload again.
 */
export async function ensureBucket(client, bucket, items) {
  try {
    await client.send(new HeadBucketCommand({ Bucket: bucket }));
  } catch (err) {
    if (err.$metadata?.httpStatusCode !== 404) throw err;
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  }
  const existing = new Set(await listKeys(client, bucket));
  const wanted = new Set(items.map((i) => i.key));
  const missing = items.filter((i) => !existing.has(i.key));
  const extra = [...existing].filter((k) => !wanted.has(k));
  if (!missing.length && !extra.length) return { reused: true, uploaded: 0 };
  for (let i = 0; i < extra.length; i += 1000) {
    await client.send(
      new DeleteObjectsCommand({
        Bucket: bucket,
        Delete: { Objects: extra.slice(i, i + 1000).map((Key) => ({ Key })), Quiet: true },
      }),
    );
  }
  log(`ceph: uploading ${missing.length.toLocaleString('en')} objects to ${bucket} (64 at a time) …`);
  const [, ms] = await timedAsync(() =>
    pool(missing, 64, (i) =>
      client.send(new PutObjectCommand({ Bucket: bucket, Key: i.key, Body: 'x', ACL: i.acl ?? 'private' })),
    ),
  );
  log(`ceph: ${bucket} ready (${(ms / 1000).toFixed(1)} s)`);
  return { reused: false, uploaded: missing.length };
}

/**
 * The environment that configures rclone's remote `ceph:` for the rig, with an empty config file, so no user
 * configuration takes part.
 */
export function rcloneEnv(env, config) {
  const childEnv = {
    ...process.env,
    RCLONE_CONFIG: config,
    RCLONE_CONFIG_CEPH_TYPE: 's3',
    RCLONE_CONFIG_CEPH_PROVIDER: 'Ceph',
    RCLONE_CONFIG_CEPH_ENDPOINT: env.endpoint,
    RCLONE_CONFIG_CEPH_REGION: env.region,
    RCLONE_CONFIG_CEPH_ACCESS_KEY_ID: env.accessKeyId,
    RCLONE_CONFIG_CEPH_SECRET_ACCESS_KEY: env.secretAccessKey,
    RCLONE_CONFIG_CEPH_FORCE_PATH_STYLE: 'true',
  };
  // rclone's S3 backend fails on any AWS_CA_BUNDLE ("unsupported transport"); the rig is plain http anyway.
  delete childEnv.AWS_CA_BUNDLE;
  return childEnv;
}

/**
 * Runs rclone with `args`, configured only through environment variables (an empty config file, so no user
 * configuration takes part); `onLine` sees each line of its standard output. Answers the wall-clock milliseconds
 * from spawning it to its exit. Also used by the jobs bench (`rclone copy`).
 */
export function runRclone(env, args, { onLine = () => undefined, timeoutMs = 120_000 } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'signet-bench-rclone-'));
  const config = join(dir, 'rclone.conf');
  writeFileSync(config, '');
  const childEnv = rcloneEnv(env, config);
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn('rclone', args, { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let partial = '';
    let stderr = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop();
      for (const l of lines) onLine(l);
    });
    child.stderr.on('data', (b) => (stderr += b));
    // A stuck rclone fails the bench loudly instead of hanging it.
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
      reject(new Error(`cannot run rclone (apt-get install rclone): ${err.message}`));
    });
    child.on('exit', (code, signal) => {
      const ms = msSince(start);
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
      if (partial) onLine(partial);
      if (code !== 0)
        return reject(new Error(`rclone ${args.join(' ')} exited ${code ?? signal}:\n${stderr}`));
      resolve(ms);
    });
  });
}

/**
 * `rclone lsf -R` of the bucket, wall clock from spawning rclone to its exit, so with its start-up. Answers seconds
 * and the number of files listed (lines not ending in '/': lsf -R prints directories too).
 */
export async function rcloneLsf(env, bucket, { fastList }) {
  let files = 0;
  const args = ['lsf', '-R', ...(fastList ? ['--fast-list'] : []), `ceph:${bucket}`];
  const ms = await runRclone(env, args, {
    onLine: (line) => {
      if (line && !line.endsWith('/')) files++;
    },
  });
  return { seconds: ms / 1000, files };
}

/**
 * rclone's start-up, to take out of its listings' wall clock: the median of `runs` `rclone version` with the same
 * environment and empty config file. That spawns the same binary and runs the same initialisation (its backends'
 * registration, flags, the config file, logging) as `rclone lsf`, and then stops: it makes no S3 request. (An S3
 * remote on a bare bucket makes none before its first listing either, so nothing of the listing is taken out.)
 */
export async function rcloneStartSeconds(env, runs = 3) {
  const times = [];
  for (let i = 0; i < runs; i++) times.push(await runRclone(env, ['version']));
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] / 1000;
}

/** The app's services on a fresh data dir (temp SQLite file, secrets in memory), with a Ceph account (also used by the jobs bench). */
export async function freshSignet(lib, env, bucket, { syncWorkerFile, storageWorkerFile } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'signet-bench-sync-'));
  const services = lib.wiring.createMainServices({
    ...(syncWorkerFile ? { syncWorkerFile } : {}),
    ...(storageWorkerFile ? { storageWorkerFile } : {}),
    databaseFile: join(dir, 'signet.db'),
    secrets: new lib.secrets.MemorySecretStore(),
    clock: lib.clock.systemClock,
    facts: {
      name: 'Signet',
      version: '0.0.0',
      versions: { electron: null, chrome: null, node: process.versions.node },
      platform: process.platform,
      dataFolder: dir,
    },
    emit: () => undefined,
  });
  const account = await services.accounts.add({
    settings: {
      name: 'Bench Ceph',
      provider: 'custom',
      endpoint: env.endpoint,
      region: env.region,
      forcePathStyle: true,
      buckets: [bucket],
      privateBucket: null,
    },
    credentials: { accessKeyId: env.accessKeyId, secretAccessKey: env.secretAccessKey },
  });
  return {
    services,
    accountId: account.id,
    close: () => {
      services.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * One `services.library.sync` of the bucket on a fresh data dir (made before the clock starts: the app is running
 * and its account added when the user syncs). Times it with this process's clock, not the sync's own figures:
 * `wallSeconds` from the call to its end, and `listingSeconds` from the call to its last listing progress report,
 * which the sync makes when the listing's last page is in the catalog (ACL reads may still be running then).
 */
export async function signetSync(lib, env, bucket) {
  const s = await freshSignet(lib, env, bucket);
  try {
    let listingMs;
    const start = process.hrtime.bigint();
    const result = await s.services.library.sync(
      { accountId: s.accountId, bucket },
      {
        onProgress: (p) => {
          // total is null while the listing runs and set once it is done (the ACL phase's reports).
          if (p.total === null) listingMs = msSince(start);
        },
      },
    );
    const totalMs = msSince(start);
    return { ...result, listingSeconds: listingMs / 1000, wallSeconds: totalMs / 1000 };
  } finally {
    s.close();
  }
}

/**
 * Diagnostics of Signet's listing, no ACL reads: the bucket check every sync runs (beside its listing), then the gateway's
 * listing alone, then the gateway's listing written into the catalog (upsertPage per page, as the sync does).
 */
export async function signetListingParts(lib, env, bucket) {
  const s = await freshSignet(lib, env, bucket);
  try {
    const [, checkMs] = await timedAsync(() => s.services.accounts.checkBucket(s.accountId, bucket));
    const gateway = await s.services.gateways.for(s.accountId);
    const listAll = async (onPage) => {
      let cursor = null;
      let n = 0;
      do {
        const page = await gateway.list(bucket, '', cursor);
        const objects = page.objects.filter((o) => !o.key.endsWith('/'));
        n += objects.length;
        onPage(objects);
        cursor = page.next;
      } while (cursor !== null);
      return n;
    };
    const [listed, listMs] = await timedAsync(() => listAll(() => undefined));
    const catalog = new lib.catalog.CatalogRepository(s.services.db);
    const bucketId = new lib.buckets.BucketRepository(s.services.db).ensure(s.accountId, bucket).id;
    const folders = new Set();
    const mark = Date.now();
    let upsertMs = 0;
    const [written, listUpsertMs] = await timedAsync(() =>
      listAll((objects) => {
        const t = process.hrtime.bigint();
        catalog.upsertPage(bucketId, objects, mark, folders);
        upsertMs += msSince(t);
      }),
    );
    if (listed !== written) throw new Error(`listing diagnostics: ${listed} then ${written} objects`);
    return {
      checkSeconds: checkMs / 1000,
      listSeconds: listMs / 1000,
      listUpsertSeconds: listUpsertMs / 1000,
      upsertSeconds: upsertMs / 1000,
      objects: listed,
    };
  } finally {
    s.close();
  }
}

/**
 * Diagnostic: Signet's own StorageGateway.getAcl (its client and settings, an abort signal as the sync passes one)
 * in the same plain loop, without the sync around it (queue, SQLite writes, progress).
 */
export async function gatewayAclLoop(lib, env, bucket, keys, concurrency) {
  const s = await freshSignet(lib, env, bucket);
  try {
    const gateway = await s.services.gateways.for(s.accountId);
    const signal = new AbortController().signal;
    // As the sync does: every request in flight listens to the signal.
    setMaxListeners(concurrency * 4, signal);
    const counts = { public: 0, authenticated: 0, private: 0 };
    const [, ms] = await timedAsync(() =>
      pool(keys, concurrency, async (key) => {
        counts[(await gateway.getAcl(bucket, key, signal)).access]++;
      }),
    );
    return { seconds: ms / 1000, perSec: keys.length / (ms / 1000), counts };
  } finally {
    s.close();
  }
}

/** What an ACL grants strangers (the same reading as StorageGateway.getAcl). */
function classify(grants) {
  let access = 'private';
  for (const g of grants ?? []) {
    const read = g.Permission === 'READ' || g.Permission === 'FULL_CONTROL';
    if (g.Grantee?.URI === ALL_USERS && read) access = 'public';
    else if (g.Grantee?.URI === AUTHENTICATED_USERS && read && access !== 'public') access = 'authenticated';
  }
  return access;
}

/**
 * Context: a plain SDK loop of GetObjectAcl over `keys` (given, no listing), `concurrency` in flight, on a fresh
 * client.
 */
export async function aclLoop(env, bucket, keys, concurrency) {
  const client = plainClient(env, Math.max(50, concurrency));
  const counts = { public: 0, authenticated: 0, private: 0 };
  try {
    const [, ms] = await timedAsync(() =>
      pool(keys, concurrency, async (key) => {
        const out = await client.send(new GetObjectAclCommand({ Bucket: bucket, Key: key }));
        counts[classify(out.Grants)]++;
      }),
    );
    return { seconds: ms / 1000, perSec: keys.length / (ms / 1000), counts };
  } finally {
    client.destroy();
  }
}

/**
 * The plain-SDK shape of a sync: ListObjectsV2 page after page, and `perKey(client, key)` for each listed key from
 * the moment its page arrives, `concurrency` in flight. Timed like Signet's sync (signetSync): from the call, which
 * makes the client, to the last answer. Answers the objects listed and the seconds.
 */
export async function listAndLoop(env, bucket, concurrency, perKey) {
  let client;
  const [objects, ms] = await timedAsync(async () => {
    client = plainClient(env, Math.max(50, concurrency));
    const keys = [];
    let next = 0;
    let listing = true;
    let waiting = [];
    const wake = () => {
      const ready = waiting;
      waiting = [];
      for (const resolve of ready) resolve();
    };
    const list = async () => {
      try {
        let token;
        do {
          const page = await client.send(
            new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }),
          );
          for (const o of page.Contents ?? []) if (!o.Key.endsWith('/')) keys.push(o.Key);
          token = page.IsTruncated ? page.NextContinuationToken : undefined;
          wake();
        } while (token);
      } finally {
        listing = false;
        wake();
      }
    };
    // A reader takes the next listed key; with none left it waits for the next page, or ends with the listing.
    const reader = async () => {
      for (;;) {
        if (next < keys.length) await perKey(client, keys[next++]);
        else if (listing) await new Promise((resolve) => waiting.push(resolve));
        else return;
      }
    };
    await Promise.all([list(), ...Array.from({ length: concurrency }, reader)]);
    return keys.length;
  }).finally(() => client?.destroy());
  return { objects, seconds: ms / 1000, perSec: objects / (ms / 1000) };
}

/** The anchor of access resolution (part 3): the listing, and GetObjectAcl of each listed key. */
export async function listAndAclLoop(env, bucket, concurrency) {
  const counts = { public: 0, authenticated: 0, private: 0 };
  const run = await listAndLoop(env, bucket, concurrency, async (client, key) => {
    const out = await client.send(new GetObjectAclCommand({ Bucket: bucket, Key: key }));
    counts[classify(out.Grants)]++;
  });
  return { ...run, counts };
}
