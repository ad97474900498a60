/**
 * Part 5 of the library bench: one pass of the leak watch over 10,000 linked files (every file of the bucket has
 * an active link in the ledger), against a plain loop of anonymous HEADs over the same keys at the same
 * concurrency. Both are timed from the call to the last answer; Signet's pass includes its re-reading of the
 * bucket's rule and recording every answer in the catalog.
 */
import { randomUUID } from 'node:crypto';

import { ensureBucket, freshSignet, pool } from './library-ceph.mjs';
import { timedAsync } from './library-report.mjs';

export const BUCKET_WATCH = 'bench-library-watch';

export function watchKeys(n) {
  return Array.from({ length: n }, (_, i) => `products/p${String(i).padStart(6, '0')}.zip`);
}

export const ensureWatchBucket = (admin, keys) =>
  ensureBucket(
    admin,
    BUCKET_WATCH,
    keys.map((key) => ({ key })),
  );

/**
 * A fresh data folder with the bucket synced and one active ledger row per file. The rows are written straight
 * into the ledger (a bench shortcut: issuing 10,000 links is bench:links' business, not this part's).
 */
export async function watchedSignet(lib, env, keys) {
  const s = await freshSignet(lib, env, BUCKET_WATCH);
  await s.services.library.sync({ accountId: s.accountId, bucket: BUCKET_WATCH });
  const db = s.services.db;
  const bucketId = db.prepare('SELECT id FROM buckets WHERE name = ?').pluck().get(BUCKET_WATCH);
  const now = new Date();
  const later = new Date(now.getTime() + 86_400_000).toISOString();
  const insert = db.prepare(
    `INSERT INTO links (jti, kind, bucket_id, account_id, account_name, bucket, key, product_slug, created_at,
       expires_at, url) VALUES (?, 'direct', ?, ?, 'Bench Ceph', ?, ?, 'p', ?, ?, 'https://example.invalid/')`,
  );
  db.transaction(() => {
    for (const key of keys)
      insert.run(randomUUID(), bucketId, s.accountId, BUCKET_WATCH, key, now.toISOString(), later);
  })();
  return s;
}

/** The anchor: an anonymous HEAD of each key's plain URL, `concurrency` in flight, fresh connections. */
export async function headLoop(env, keys, concurrency) {
  const base = `${env.endpoint.replace(/\/+$/, '')}/${BUCKET_WATCH}/`;
  const counts = { refused: 0, other: 0 };
  const [, ms] = await timedAsync(() =>
    pool(keys, concurrency, async (key) => {
      const res = await fetch(base + key.split('/').map(encodeURIComponent).join('/'), {
        method: 'HEAD',
        redirect: 'manual',
      });
      if (res.status === 403) counts.refused++;
      else counts.other++;
    }),
  );
  return { seconds: ms / 1000, perSec: keys.length / (ms / 1000), counts };
}

/** One timed pass of Signet's watch over every linked file. */
export async function watchPass(s) {
  const [summary, ms] = await timedAsync(() => s.services.watch.pass());
  return { seconds: ms / 1000, perSec: summary.checked / (ms / 1000), summary };
}
