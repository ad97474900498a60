/**
 * Lua run inside Redis so that a read-check-write is one atomic step even with several verifier
 * instances (and several workers each) talking to the same Redis: Redis runs a script to completion
 * before it serves any other command.
 */

/**
 * consume / resume: revocation check, limit check and count (see VerifierState in types.ts).
 *
 * KEYS[1] the link's download counter
 * KEYS[2] the jti's revocation marker
 * KEYS[3] the link's resume counter
 * KEYS[4] the link's licence id (kept so the admin API can tell a licence revocation)
 * KEYS[5] the licence's revocation marker (absent when the token has no licence id)
 * ARGV[1] max downloads, 0 for "no limit"
 * ARGV[2] Unix seconds at which the link's keys may be dropped (the token's expiry plus a grace)
 * ARGV[3] the licence id as stored, "" when none
 * ARGV[4] "consume", or "resume" (a later byte range of a file)
 * ARGV[5] resumes allowed per counted download
 *
 * Returns {code, downloads}: code 1 = allowed (counted, for a consume), 2 = limit used up (nothing
 * counted), 3 = revoked.
 */
export const CONSUME_LUA = `
if redis.call('EXISTS', KEYS[2]) == 1 then return {3, 0} end
if KEYS[5] and redis.call('EXISTS', KEYS[5]) == 1 then return {3, 0} end
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if ARGV[4] == 'resume' and n > 0 then
  local r = tonumber(redis.call('GET', KEYS[3]) or '0')
  if r >= n * tonumber(ARGV[5]) then return {2, n} end
  redis.call('INCR', KEYS[3])
  redis.call('EXPIREAT', KEYS[3], ARGV[2])
  return {1, n}
end
local max = tonumber(ARGV[1])
if max > 0 and n >= max then return {2, n} end
n = redis.call('INCR', KEYS[1])
redis.call('EXPIREAT', KEYS[1], ARGV[2])
if ARGV[3] ~= '' then redis.call('SET', KEYS[4], ARGV[3], 'EXAT', ARGV[2]) end
return {1, n}
`;

export const CONSUME_CODE = { ok: 1, exhausted: 2, revoked: 3 } as const;
