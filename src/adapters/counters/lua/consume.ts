/**
 * consume.lua as a string constant (kept in a .ts file so the build needs no asset copy step):
 * one atomic sliding-window check-and-add, the same rules as core/counting/packed-windows.ts,
 * over one or more groups of checks run in order (`consumeInOrder`; `consume` and `peek` are one
 * group). Per key a hash of bucket -> amount plus field "w" (the bucket width, so a key reused with
 * another window length starts over), with PEXPIRE set to the moment the newest bucket leaves the
 * window. A write touches only what changed: field "w" when the key is new or starts over, the
 * expiry when a newer bucket starts (test/contract/redis-consume-script.test.ts compares it with
 * the script that wrote both every time). Redis INFO commandstats, the policy bench: 39 -> 25 us
 * per call.
 *
 * KEYS: the checks' counter keys in order, then the keys their marks name.
 * ARGV[1] = now (ms), ARGV[2] = "consume" | "peek", ARGV[3] = buckets per window, ARGV[4] = the
 * size of each group, comma-separated ("2,8"), ARGV[5] = per check, comma-separated: windowMs,
 * limit (0 = unlimited), amount, the KEYS index of its mark (0 = none), the mark's windowMs. The
 * numbers travel as two strings, not one argument each: ioredis spends CPU per argument. For a
 * policy request's first recipient (9 checks, 56 numbers) that took the client from 26 to 18.5 us
 * of CPU per call; Redis spends 41 -> 43 us on it (the split in Lua), docs/benchmarks.md.
 * Returns, for each group that ran (up to and including the first refused one): failedIndex
 * (0-based within the group, -1 when allowed), then its totals.
 */
export const CONSUME_LUA = `
local now = tonumber(ARGV[1])
local write = ARGV[2] == 'consume'
local perWindow = tonumber(ARGV[3])

local function numbers(text)
  local list = {}
  for field in string.gmatch(text, '[^,]+') do list[#list + 1] = tonumber(field) end
  return list
end
local sizes = numbers(ARGV[4])
local args = numbers(ARGV[5])

-- The total inside the window and the newest bucket; drops stale buckets and a key of another width.
local function load(key, windowMs, width)
  local oldest = math.floor((now - windowMs) / width)
  local flat = redis.call('HGETALL', key)
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
    redis.call('DEL', key)
    return 0, nil, false
  elseif #stale > 0 then
    redis.call('HDEL', key, unpack(stale))
  end
  return total, maxBucket, storedWidth == width
end

-- widthKept: the key already holds field w = width. Its expiry moves only when a newer bucket
-- starts: with the newest bucket unchanged, the key already expires when that bucket leaves.
local function add(key, windowMs, width, newest, widthKept, amount)
  local b = math.floor(now / width)
  redis.call('HINCRBY', key, tostring(b), amount)
  if not widthKept then redis.call('HSET', key, 'w', width) end
  if newest ~= nil and b <= newest then return end
  -- Keep the key exactly as long as its newest bucket still counts.
  redis.call('PEXPIRE', key, math.max(1, (b + 1) * width + windowMs - now))
end

local function widthOf(windowMs)
  return math.max(1, math.ceil(windowMs / perWindow))
end

local reply = {}
local k, a = 0, 0
for g = 1, #sizes do
  local size = sizes[g]
  local totals, newest, kept = {}, {}, {}
  local failed = -1
  for i = 1, size do
    local base = a + (i - 1) * 5
    local windowMs, limit, amount = args[base + 1], args[base + 2], args[base + 3]
    totals[i], newest[i], kept[i] = load(KEYS[k + i], windowMs, widthOf(windowMs))
    if failed == -1 and limit > 0 and totals[i] + amount > limit then failed = i - 1 end
  end
  if failed == -1 and write then
    for i = 1, size do
      local base = a + (i - 1) * 5
      local windowMs, amount = args[base + 1], args[base + 3]
      if amount ~= 0 then
        add(KEYS[k + i], windowMs, widthOf(windowMs), newest[i], kept[i], amount)
        totals[i] = totals[i] + amount
      end
    end
    -- Marks: a check whose counter started from zero adds 1 to its mark key, seen by later groups.
    for i = 1, size do
      local base = a + (i - 1) * 5
      local amount, mark = args[base + 3], args[base + 4]
      if mark > 0 and amount > 0 and totals[i] == amount then
        local markMs = args[base + 5]
        local width = widthOf(markMs)
        local _, markNewest, markKept = load(KEYS[mark], markMs, width)
        add(KEYS[mark], markMs, width, markNewest, markKept, 1)
      end
    end
  end
  reply[#reply + 1] = failed
  for i = 1, size do reply[#reply + 1] = totals[i] end
  k, a = k + size, a + size * 5
  if failed ~= -1 then break end
end
return reply
`;
