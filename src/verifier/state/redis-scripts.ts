/**
 * Lua run inside Redis so that a read-check-write is one atomic step even with several verifier
 * instances (and several workers each) talking to the same Redis: Redis runs a script to completion
 * before it serves any other command.
 */

/**
 * consume: revocation check, limit check and count.
 *
 * KEYS[1] the link's download counter
 * KEYS[2] the jti's revocation marker
 * KEYS[3] the licence's revocation marker (absent when the token has no licence id)
 * ARGV[1] max downloads, 0 for "no limit"
 * ARGV[2] Unix seconds at which the counter may be dropped (the token's expiry plus a grace)
 *
 * Returns {code, downloads}: code 1 = counted, 2 = limit used up (nothing counted), 3 = revoked.
 */
export const CONSUME_LUA = `
if redis.call('EXISTS', KEYS[2]) == 1 then return {3, 0} end
if KEYS[3] and redis.call('EXISTS', KEYS[3]) == 1 then return {3, 0} end
local max = tonumber(ARGV[1])
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if max > 0 and n >= max then return {2, n} end
n = redis.call('INCR', KEYS[1])
redis.call('EXPIREAT', KEYS[1], ARGV[2])
return {1, n}
`;

export const CONSUME_CODE = { ok: 1, exhausted: 2, revoked: 3 } as const;
