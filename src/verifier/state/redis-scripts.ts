/**
 * Lua run inside Redis so that a read-check-write is one atomic step even with several verifier
 * instances (and several workers each) talking to the same Redis: Redis runs a script to completion
 * before it serves any other command. Only GET, SET, INCR, EXISTS and EXPIREAT are called, which the
 * ACL line of the deploy guide allows.
 */

/**
 * consume / resume: revocation check, limit check, count and byte charge (see VerifierState in types.ts).
 *
 * KEYS[1] the link's download counter
 * KEYS[2] the jti's revocation marker
 * KEYS[3] the link's resume counter
 * KEYS[4] the link's licence id (kept so the admin API can tell a licence revocation)
 * KEYS[5] the link's bytes charged (file sources)
 * KEYS[6] the link's last counted download (Unix seconds)
 * KEYS[7] the link's networks (share guard): fixed-width keyed hashes one after the other, in the order
 *         first seen, so a network's rank is its position; a plain string (not a set or hash) keeps the
 *         script within the string commands the deploy guide's ACL line allows, and its length bounds it
 * KEYS[8] the licence's revocation marker (absent when the token has no licence id)
 * ARGV[1] max downloads, 0 for "no limit"
 * ARGV[2] Unix seconds at which the link's keys may be dropped (the token's expiry plus a grace)
 * ARGV[3] the licence id as stored, "" when none
 * ARGV[4] "consume", "resume-file" (bounded by bytes) or "resume-redirect" (bounded by time and count)
 * ARGV[5] bytes this answer sends (0 for redirects)
 * ARGV[6] resume-file: the file's size (budget: floor(downloads × size × 5 / 4), as byteBudget
 *         in types.ts computes it with BYTE_BUDGET_SLACK)
 * ARGV[7] now, Unix seconds
 * ARGV[8] resume-redirect: the window after the last counted download, seconds
 * ARGV[9] resume-redirect: resumes allowed per counted download
 * ARGV[10] share guard: the client network's keyed hash (all of the same width), "" when the guard is off
 * ARGV[11] share guard: N for block (a network ranked past N is refused), 0 for flag (record only)
 * ARGV[12] share guard: networks kept per link at most
 *
 * The share guard runs after the revocation, limit and budget checks and before anything is counted or
 * charged; a network it refuses is recorded all the same (it makes the link shared).
 *
 * Returns {code, downloads}: code 1 = allowed (counted, for a consume), 2 = limit or budget used up
 * (nothing counted), 3 = revoked, 4 = refused by the share guard (nothing counted).
 */
export const CONSUME_LUA = `
local function guard_passes()
  local net = ARGV[10]
  if net == '' then return true end
  local nets = redis.call('GET', KEYS[7]) or ''
  local width = string.len(net)
  local rank = nil
  local from = 1
  while true do
    local at = string.find(nets, net, from, true)
    if not at then break end
    if (at - 1) % width == 0 then
      rank = (at - 1) / width + 1
      break
    end
    from = at + 1
  end
  if not rank then
    local known = string.len(nets) / width
    rank = known + 1
    if known < tonumber(ARGV[12]) then redis.call('SET', KEYS[7], nets .. net, 'EXAT', ARGV[2]) end
  end
  local limit = tonumber(ARGV[11])
  return limit == 0 or rank <= limit
end
if redis.call('EXISTS', KEYS[2]) == 1 then return {3, 0} end
if KEYS[8] and redis.call('EXISTS', KEYS[8]) == 1 then return {3, 0} end
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
local bytes = tonumber(ARGV[5])
local mode = ARGV[4]
if mode ~= 'consume' and n > 0 then
  if mode == 'resume-file' then
    local sent = tonumber(redis.call('GET', KEYS[5]) or '0')
    if sent + bytes > math.floor(n * tonumber(ARGV[6]) * 5 / 4) then return {2, n} end
  else
    local last = tonumber(redis.call('GET', KEYS[6]) or '0')
    local r = tonumber(redis.call('GET', KEYS[3]) or '0')
    if tonumber(ARGV[7]) - last > tonumber(ARGV[8]) or r >= n * tonumber(ARGV[9]) then return {2, n} end
  end
  if not guard_passes() then return {4, n} end
  redis.call('INCR', KEYS[3])
  redis.call('EXPIREAT', KEYS[3], ARGV[2])
  if bytes > 0 then
    redis.call('SET', KEYS[5], string.format('%.0f', tonumber(redis.call('GET', KEYS[5]) or '0') + bytes), 'EXAT', ARGV[2])
  end
  return {1, n}
end
local max = tonumber(ARGV[1])
if max > 0 and n >= max then return {2, n} end
if not guard_passes() then return {4, n} end
n = redis.call('INCR', KEYS[1])
redis.call('EXPIREAT', KEYS[1], ARGV[2])
redis.call('SET', KEYS[6], ARGV[7], 'EXAT', ARGV[2])
if bytes > 0 then
  redis.call('SET', KEYS[5], string.format('%.0f', tonumber(redis.call('GET', KEYS[5]) or '0') + bytes), 'EXAT', ARGV[2])
end
if ARGV[3] ~= '' then redis.call('SET', KEYS[4], ARGV[3], 'EXAT', ARGV[2]) end
return {1, n}
`;

/**
 * refund: gives back bytes a broken transfer did not send (never below 0; the key keeps its expiry).
 *
 * KEYS[1] the link's bytes charged
 * ARGV[1] bytes to give back
 */
export const REFUND_LUA = `
local v = tonumber(redis.call('GET', KEYS[1]) or '0') - tonumber(ARGV[1])
if v < 0 then v = 0 end
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('SET', KEYS[1], string.format('%.0f', v), 'KEEPTTL') end
return v
`;

/**
 * network-rank (share guard, requests that never record): the rank a request from this network has or
 * would get (its position among the link's networks, or one past the last).
 *
 * KEYS[1] the link's networks (as KEYS[7] above)
 * ARGV[1] the client network's keyed hash
 */
export const NETWORK_RANK_LUA = `
local nets = redis.call('GET', KEYS[1]) or ''
local net = ARGV[1]
local width = string.len(net)
local from = 1
while true do
  local at = string.find(nets, net, from, true)
  if not at then break end
  if (at - 1) % width == 0 then return (at - 1) / width + 1 end
  from = at + 1
end
return string.len(nets) / width + 1
`;

export const CONSUME_CODE = { ok: 1, exhausted: 2, revoked: 3, shared: 4 } as const;
