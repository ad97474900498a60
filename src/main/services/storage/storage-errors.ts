import { effectiveEndpoint, type ProviderId } from '@shared/accounts/providers';
import { explainS3Error } from './provider-errors';
import { UserFacingError } from '../errors';

/**
 * A storage failure in plain words: what happened and what to do, with the provider's own code, as the
 * connection test words it (provider-errors.ts), for errors of library work on one bucket.
 */
export function storageError(
  err: unknown,
  account: { provider: ProviderId; endpoint: string; region: string },
  bucket: string,
): UserFacingError {
  const problem = explainS3Error(err, {
    provider: account.provider,
    endpoint: effectiveEndpoint(account.provider, account.endpoint, account.region),
    region: account.region,
    operation: 'bucket',
    bucket,
  });
  const code = problem.code ? ` (${problem.code})` : '';
  return new UserFacingError('storage-error', `${problem.title}${code} ${problem.advice}`);
}
