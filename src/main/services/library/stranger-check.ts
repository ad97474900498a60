import type { AccessType } from '../../../shared/library/schemas';
import type { StoredGrant } from '../../repositories/catalog-repository';
import type { StorageGateway } from '../storage/storage-gateway';
import { strangerAccess } from './access-rules';

/**
 * One file as a stranger finds it: an anonymous HEAD, with its ACL read beside it where files have ACLs (an ACL
 * that cannot be read only leaves public and public-bucket apart; the stranger's answer still decides). Null: gone.
 */
export async function asStranger(
  gateway: StorageGateway,
  bucket: string,
  key: string,
  readAcl: boolean,
  signal: AbortSignal,
): Promise<{ key: string; access: AccessType; grants: StoredGrant[] | null; verified?: number } | null> {
  const [answer, acl] = await Promise.all([
    gateway.anonymousHead(bucket, key, signal),
    readAcl
      ? gateway.getAcl(bucket, key, signal).catch((err: unknown) => {
          if (signal.aborted) throw err;
          return null;
        })
      : null,
  ]);
  const access = strangerAccess(answer.status, acl?.access ?? null);
  if (access === null) return null;
  return {
    key,
    access,
    grants: acl?.grants ?? null,
    ...(answer.status !== 0 ? { verified: answer.status } : {}),
  };
}
