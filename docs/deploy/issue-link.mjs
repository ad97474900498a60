// Issues a Signet download link from your own code (Node 18 or newer), as docs/download-token-v1.md specifies.
// The desktop app makes links to S3 files only; this is for file and URL sources (and S3 ones, if you like).
//
//   import { issueLink } from './issue-link.mjs';
//   const { url, jti } = issueLink({
//     base: 'https://downloads.example.com', // your verifier's public address
//     kid: 'shop', // a key in the verifier's config ("keys": {"shop": "<43 characters>"})
//     secret: process.env.SIGNET_SHOP_KEY, // that key's 43 characters, never in your code
//     slug: 'my-plugin',
//     src: { type: 'file', path: 'my-plugin-1.2.zip' }, // relative to the verifier's fileRoot
//     max: 3,
//     licenseId: 1042, // the order: POST /admin/revocations {"license_id": 1042} revokes all its links
//   });
import { createHmac, randomBytes } from 'node:crypto';

/** Answers the link and its id (`jti`: for revoking one link and asking how often it was downloaded). */
export function issueLink({ base, kid, secret, slug, src, seconds = 72 * 3600, max, licenseId, filename }) {
  const payload = {
    product_slug: slug,
    expires: Math.floor(Date.now() / 1000) + seconds,
    jti: randomBytes(16).toString('base64url'),
    src,
    ...(licenseId !== undefined ? { license_id: licenseId } : {}),
    ...(max !== undefined ? { max } : {}),
    ...(filename !== undefined ? { filename } : {}),
  };
  const signed = `v1.${kid}.${Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url')}`;
  const mac = createHmac('sha256', Buffer.from(secret, 'base64url')).update(signed).digest('base64url');
  return { url: `${base}/downloads/${slug}?token=${signed}.${mac}`, jti: payload.jti };
}
