import type { AccessType } from '@shared/library/schemas';
import type { StoredGrant } from '../../repositories/catalog-repository';
import type { StorageGateway } from '../storage/storage-gateway';
import { strangerAccess } from './access-rules';

/**
 * One file as a stranger finds it: an anonymous HEAD. Where files have ACLs (`readAcl`) and the stranger got the
 * file, its ACL is read too, to tell a public ACL (made private by an ACL change) from the bucket's policy (which
 * only the owner can change); a refusal needs no ACL: it is the proof of "private" itself (cli.md). So a sync
 * costs one request per private file, as many as a plain loop of stranger requests. Null: the file is gone.
 */
export async function asStranger(
  gateway: Pick<StorageGateway, 'anonymousHead' | 'getAcl'>,
  bucket: string,
  key: string,
  readAcl: boolean,
  signal: AbortSignal,
): Promise<{ key: string; access: AccessType; grants: StoredGrant[] | null; verified?: number } | null> {
  const answer = await gateway.anonymousHead(bucket, key, signal);
  const acl =
    readAcl && answer.status === 200
      ? await gateway.getAcl(bucket, key, signal).catch((err: unknown) => {
          if (signal.aborted) throw err;
          return null; // the stranger's answer still decides; only public and public-bucket stay apart
        })
      : null;
  const access = strangerAccess(answer.status, acl?.access ?? null);
  if (access === null) return null;
  return {
    key,
    access,
    grants: acl?.grants ?? null,
    ...(answer.status !== 0 ? { verified: answer.status } : {}),
  };
}
