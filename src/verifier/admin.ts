/**
 * Admin API for the desktop app (and operators): revoke or restore links and licences, read a link's
 * count. `Authorization: Bearer <adminToken>`, compared in constant time; every change is written to
 * the shared state at once, so it holds for every worker and instance from the next request on.
 *
 *   POST   /admin/revocations   {"jti": "…"} | {"license_id": 42 | "…"}   → 200 {"ok":true,"revoked":{…}}
 *   DELETE /admin/revocations   same body                                  → 200 {"ok":true,"restored":{…}}
 *   GET    /admin/links/{jti}        → 200 {"downloads":n,"revoked":bool,"revoked_by":"jti"|"license"|null,
 *                                             "networks":n,"shared":bool}
 *                                      (a licence revocation shows once the link was downloaded: only then
 *                                      does the verifier know the link's licence; `networks` is how many
 *                                      networks the share guard recorded, `shared` whether that is more than
 *                                      the config's shareGuard.networks, always false with the guard off)
 *
 * Errors: 401 (with WWW-Authenticate) for a missing or wrong token, 400 invalid_json / invalid_body /
 * invalid_jti, 413 body_too_large, 404, 405 (with Allow), 503 state_unavailable.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { z } from 'zod';

import { jtiSchema, licenseIdSchema } from '@shared-node/token';
import type { ShareGuardConfig } from './config';
import type { Exchange } from './http/exchange';
import { errorFields, type Logger } from './log';
import type { RevocationTarget, VerifierState } from './state/types';

export const ADMIN_BODY_LIMIT = 16 * 1024;

// The same rules as in tokens, so anything a token can carry can be revoked, and nothing else.
const revocationBody = z.union([
  z.strictObject({ jti: jtiSchema }),
  z.strictObject({ license_id: licenseIdSchema }),
]);

export interface AdminDeps {
  adminToken: string;
  state: VerifierState;
  logger: Logger;
  shareGuard?: ShareGuardConfig;
}

const sha256 = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/**
 * Constant-time bearer check: both sides are hashed first, so the comparison takes the same time
 * whatever the presented token's length or content.
 */
export function createBearerCheck(adminToken: string): (authorization: string | undefined) => boolean {
  const expected = sha256(adminToken);
  return (authorization) => {
    const m = authorization === undefined ? null : /^Bearer[ ]+(\S+)\s*$/i.exec(authorization);
    const presented = sha256(m?.[1] ?? '');
    // Compare even when the header is absent, so timing does not tell "no header" from "wrong token".
    return timingSafeEqual(presented, expected) && m !== null;
  };
}

export function createAdminHandler(deps: AdminDeps): (x: Exchange, pathname: string) => Promise<void> {
  const authorized = createBearerCheck(deps.adminToken);

  return async (x, pathname) => {
    x.route =
      pathname === '/admin/revocations'
        ? '/admin/revocations'
        : pathname.startsWith('/admin/links/')
          ? '/admin/links/:jti'
          : '/admin/*';
    if (!authorized(x.req.headers.authorization)) {
      // Drain any body so the connection stays usable, then refuse.
      x.req.resume();
      return x.json(
        401,
        'unauthorized',
        { error: 'unauthorized' },
        { 'www-authenticate': 'Bearer realm="signet-verifier"' },
      );
    }
    try {
      if (pathname === '/admin/revocations') {
        const method = x.req.method;
        if (method !== 'POST' && method !== 'DELETE') {
          x.req.resume();
          return x.json(
            405,
            'method_not_allowed',
            { error: 'method_not_allowed' },
            { allow: 'POST, DELETE' },
          );
        }
        const body = await readJsonBody(x.req);
        if (body === TOO_LARGE) {
          return x.json(413, 'body_too_large', { error: 'body_too_large' }, { connection: 'close' });
        }
        if (body === BAD_JSON) return x.json(400, 'invalid_json', { error: 'invalid_json' });
        const parsed = revocationBody.safeParse(body);
        if (!parsed.success) {
          return x.json(400, 'invalid_body', {
            error: 'invalid_body',
            detail:
              'expected {"jti": "<16–64 base64url characters>"} or {"license_id": <integer or string ≤ 128>}',
          });
        }
        const target: RevocationTarget =
          'jti' in parsed.data ? { jti: parsed.data.jti } : { licenseId: parsed.data.license_id };
        const echo = 'jti' in parsed.data ? { jti: parsed.data.jti } : { license_id: parsed.data.license_id };
        if ('jti' in target) x.jti = target.jti;
        else x.logFields = { license_id: String(target.licenseId) };
        if (method === 'POST') {
          await deps.state.revoke(target);
          return x.json(200, 'admin_revoked', { ok: true, revoked: echo });
        }
        await deps.state.unrevoke(target);
        return x.json(200, 'admin_restored', { ok: true, restored: echo });
      }

      if (pathname.startsWith('/admin/links/')) {
        x.req.resume();
        if (x.req.method !== 'GET' && x.req.method !== 'HEAD') {
          return x.json(405, 'method_not_allowed', { error: 'method_not_allowed' }, { allow: 'GET, HEAD' });
        }
        const jti = pathname.slice('/admin/links/'.length);
        if (!jtiSchema.safeParse(jti).success) return x.json(400, 'invalid_jti', { error: 'invalid_jti' });
        x.jti = jti;
        const status = await deps.state.linkStatus(jti);
        return x.json(200, 'admin_link', {
          downloads: status.downloads,
          revoked: status.revoked,
          revoked_by: status.revokedBy,
          networks: status.networks,
          shared: deps.shareGuard !== undefined && status.networks > deps.shareGuard.networks,
        });
      }

      x.req.resume();
      return x.json(404, 'not_found', { error: 'not_found' });
    } catch (err) {
      deps.logger.error('state backend failed', { route: x.route, ...errorFields(err) });
      return x.json(503, 'state_unavailable', { error: 'state_unavailable' }, { 'retry-after': '5' });
    }
  };
}

const TOO_LARGE = Symbol('too large');
const BAD_JSON = Symbol('bad json');

/**
 * Reads at most ADMIN_BODY_LIMIT bytes and parses them as UTF-8 JSON. Past the limit it stops
 * collecting at once (the rest is discarded while the 413 goes out with Connection: close).
 */
function readJsonBody(req: IncomingMessage): Promise<unknown> {
  if (Number(req.headers['content-length'] ?? 0) > ADMIN_BODY_LIMIT) {
    req.resume();
    return Promise.resolve(TOO_LARGE);
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (value: unknown): void => {
      req.off('data', onData).off('end', onEnd).off('error', onError);
      resolve(value);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size <= ADMIN_BODY_LIMIT) return void chunks.push(chunk);
      finish(TOO_LARGE);
      req.resume();
    };
    const onEnd = (): void => {
      try {
        finish(JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks))));
      } catch {
        finish(BAD_JSON);
      }
    };
    const onError = (): void => finish(BAD_JSON);
    req.on('data', onData).on('end', onEnd).on('error', onError);
  });
}
