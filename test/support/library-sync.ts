/**
 * Library sync set-ups shared by the Ceph library tests (in-process engine and worker thread alike).
 */
import { DeleteObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { AccountCreateInput, AccountView } from '../../src/shared/accounts/schemas';
import type { CephEnv } from './ceph';
import { cephAccount, type Harness } from './main-harness';

/**
 * A bucket of `count` files under `folder/` (`folder/000.zip`, `folder/001.zip`, …), added as an account and
 * synced once through the contract, then its first file deleted behind Signet's back: a later sync that removes
 * nothing leaves the catalog at `count` rows, one that completes leaves `count - 1`. `settings` changes the
 * account (e.g. its endpoint, to reach Ceph through a proxy).
 */
export async function syncedThenOneDeleted(
  h: Harness,
  admin: S3Client,
  env: CephEnv,
  o: {
    bucket: string;
    shop: string;
    folder: string;
    count: number;
    settings?: Partial<AccountCreateInput['settings']>;
  },
): Promise<{ account: AccountView; deletedKey: string }> {
  const keys = Array.from({ length: o.count }, (_, i) => `${o.folder}/${String(i).padStart(3, '0')}.zip`);
  for (let i = 0; i < keys.length; i += 100) {
    await Promise.all(
      keys
        .slice(i, i + 100)
        .map((Key) => admin.send(new PutObjectCommand({ Bucket: o.bucket, Key, Body: 'x' }))),
    );
  }
  const account = await h.ok(
    'accounts:add',
    cephAccount(env, o.shop, { buckets: [o.bucket], ...o.settings }),
  );
  await h.ok('library:sync', { accountId: account.id, bucket: o.bucket });
  const deletedKey = keys[0]!;
  await admin.send(new DeleteObjectCommand({ Bucket: o.bucket, Key: deletedKey }));
  return { account, deletedKey };
}
