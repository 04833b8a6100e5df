/**
 * consume.lua as a string constant (kept in a .ts file so the build needs no asset copy step):
 * one atomic sliding-window check-and-add across all keys of a consume, the same rules as
 * ../sliding-window.ts. Per key a hash of bucket -> amount plus field "w" (the bucket width,
 * so a key reused with another window length starts over), with PEXPIRE set to the moment the
 * newest bucket leaves the window.
 *
 * KEYS: the counter keys. ARGV[1] = now (ms), ARGV[2] = "consume" | "peek",
 * ARGV[3] = buckets per window, then per key: windowMs, limit (0 = unlimited), amount.
 * Returns { failedIndex (0-based, -1 when allowed), total1, total2, ... }.
 */
export const CONSUME_LUA = `
local now = tonumber(ARGV[1])
local write = ARGV[2] == 'consume'
local perWindow = tonumber(ARGV[3])
local n = #KEYS
local totals, widths, newest = {}, {}, {}
local failed = -1

for i = 1, n do
  local windowMs = tonumber(ARGV[3 + (i - 1) * 3 + 1])
  local limit = tonumber(ARGV[3 + (i - 1) * 3 + 2])
  local amount = tonumber(ARGV[3 + (i - 1) * 3 + 3])
  local width = math.max(1, math.ceil(windowMs / perWindow))
  local oldest = math.floor((now - windowMs) / width)
  local flat = redis.call('HGETALL', KEYS[i])
  local total, stale, storedWidth, maxBucket = 0, {}, nil, nil
  for j = 1, #flat, 2 do
    local field = flat[j]
    if field == 'w' then
      storedWidth = tonumber(flat[j + 1])
    else
      local b = tonumber(field)
      if b < oldest then
        stale[#stale + 1] = field
      else
        total = total + tonumber(flat[j + 1])
        if maxBucket == nil or b > maxBucket then maxBucket = b end
      end
    end
  end
  if storedWidth ~= nil and storedWidth ~= width then
    redis.call('DEL', KEYS[i])
    total, maxBucket = 0, nil
  elseif #stale > 0 then
    redis.call('HDEL', KEYS[i], unpack(stale))
  end
  totals[i], widths[i], newest[i] = total, width, maxBucket
  if failed == -1 and limit > 0 and total + amount > limit then failed = i - 1 end
end

if failed == -1 and write then
  for i = 1, n do
    local windowMs = tonumber(ARGV[3 + (i - 1) * 3 + 1])
    local amount = tonumber(ARGV[3 + (i - 1) * 3 + 3])
    if amount ~= 0 then
      local width = widths[i]
      local b = math.floor(now / width)
      redis.call('HINCRBY', KEYS[i], tostring(b), amount)
      redis.call('HSET', KEYS[i], 'w', width)
      if newest[i] == nil or b > newest[i] then newest[i] = b end
      -- Keep the key exactly as long as its newest bucket still counts.
      redis.call('PEXPIRE', KEYS[i], math.max(1, (newest[i] + 1) * width + windowMs - now))
      totals[i] = totals[i] + amount
    end
  end
end

local reply = { failed }
for i = 1, n do reply[i + 1] = totals[i] end
return reply
`;
