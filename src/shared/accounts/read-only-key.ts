import { PROVIDERS, type ProviderId } from './providers';

/**
 * What to tell a shop owner whose verifier config is about to carry the account's own key, which can also upload,
 * change and delete files: the verifier needs only to read them (GetObject). Pure text, for the command line and
 * the window alike.
 */
export function readOnlyKeyAdvice(provider: ProviderId, buckets: readonly string[]): string {
  const names = buckets.length > 0 ? buckets : ['YOUR-BUCKET'];
  switch (provider) {
    case 'aws': {
      const policy = {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: 's3:GetObject',
            Resource: names.map((b) => `arn:aws:s3:::${b}/*`),
          },
        ],
      };
      return `Make an IAM user for the verifier whose only policy is ${JSON.stringify(policy)}, create an access key for it, and give Signet that key.`;
    }
    case 'r2':
      return 'In the Cloudflare dashboard (R2 → Manage R2 API Tokens) create a token with the “Object Read only” permission for these buckets only, and give Signet its access key ID and secret.';
    case 'b2':
      return 'In the Backblaze web app (App Keys) add an application key with “Read Only” access to these buckets only, and give Signet its key ID and application key.';
    default:
      return `Create a key on ${PROVIDERS[provider].label} that may only read objects (s3:GetObject) in ${names.join(', ')}, and give Signet that key.`;
  }
}

/** The sentence that goes with the advice: what is going to the server, and how to replace it. */
export function fullKeyWarning(account: string, provider: ProviderId, buckets: readonly string[]): string {
  return (
    `The verifier config carries the own key of “${account}”, a full-permission key that can also upload, ` +
    `change and delete files, and it is going to your shop’s server. The verifier only needs to read files. ` +
    `${readOnlyKeyAdvice(provider, buckets)} Then set it as the account’s verifier key (Accounts → Verifier ` +
    `key, or signet accounts verifier-key ACCOUNT --access-key-id ID --secret-stdin) and export again.`
  );
}
