/**
 * Part 4 of the library bench: a sync where the account's key cannot read the bucket's rules, so each file is
 * asked for as a stranger would (an anonymous HEAD, with the file's ACL read beside it). The bucket belongs to
 * the rig's second user; its policy gives the test user object rights only and makes `leak/` readable by anyone.
 * The anchor does the same listing and a plain anonymous HEAD of each listed key at the same concurrency.
 */
import { PutBucketPolicyCommand } from '@aws-sdk/client-s3';

import { ensureBucket, listAndLoop, plainClient, signetSync } from './library-ceph.mjs';

export const BUCKET_STRANGER = 'bench-library-stranger';
/** One file in ten lies under the prefix the policy makes public. */
const leaks = (i) => i % 10 === 0;

/** The keys of part 4: `leak/…` every tenth, the rest under `safe/`. */
export function strangerKeys(n) {
  return Array.from(
    { length: n },
    (_, i) => `${leaks(i) ? 'leak' : 'safe'}/${String(i).padStart(6, '0')}.zip`,
  );
}

/** Makes (or reuses) the owner's bucket with its objects and the least-privilege policy. */
export async function ensureStrangerBucket(env, keys) {
  const owner = plainClient(
    { ...env, accessKeyId: env.owner.accessKeyId, secretAccessKey: env.owner.secretAccessKey },
    64,
  );
  try {
    const made = await ensureBucket(
      owner,
      BUCKET_STRANGER,
      keys.map((key) => ({ key })),
    );
    const b = BUCKET_STRANGER;
    await owner.send(
      new PutBucketPolicyCommand({
        Bucket: b,
        Policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { AWS: [`arn:aws:iam:::user/${env.uid}`] },
              Action: ['s3:ListBucket', 's3:GetObject', 's3:GetObjectAcl', 's3:PutObjectAcl'],
              Resource: [`arn:aws:s3:::${b}`, `arn:aws:s3:::${b}/*`],
            },
            {
              Effect: 'Allow',
              Principal: '*',
              Action: ['s3:GetObject'],
              Resource: [`arn:aws:s3:::${b}/leak/*`],
            },
          ],
        }),
      }),
    );
    return made;
  } finally {
    owner.destroy();
  }
}

/**
 * The anchor: ListObjectsV2 page after page as the test user, and a plain anonymous HEAD of each listed key from
 * the moment its page arrives, `concurrency` in flight. Timed like Signet's sync: from the call to the last answer.
 */
export async function listAndHeadLoop(env, bucket, concurrency) {
  const counts = { readable: 0, refused: 0, other: 0 };
  const base = `${env.endpoint.replace(/\/+$/, '')}/${bucket}/`;
  const run = await listAndLoop(env, bucket, concurrency, async (_client, key) => {
    const res = await fetch(base + key.split('/').map(encodeURIComponent).join('/'), {
      method: 'HEAD',
      redirect: 'manual',
    });
    if (res.status === 200) counts.readable++;
    else if (res.status === 403 || res.status === 401) counts.refused++;
    else counts.other++;
  });
  return { ...run, counts };
}

/** Rounds of Signet's sync and the anchor, alternating who goes first. */
export async function strangerRounds(lib, env, rounds, concurrency) {
  const signet = [];
  const anchor = [];
  for (let i = 0; i < rounds; i++) {
    if (i % 2 === 0) {
      signet.push(await signetSync(lib, env, BUCKET_STRANGER));
      anchor.push(await listAndHeadLoop(env, BUCKET_STRANGER, concurrency));
    } else {
      anchor.push(await listAndHeadLoop(env, BUCKET_STRANGER, concurrency));
      signet.push(await signetSync(lib, env, BUCKET_STRANGER));
    }
  }
  return { signet, anchor };
}
