/**
 * consume.lua against the previous version of itself (copied below as the reference, on purpose):
 * the script now skips `HSET w` when the key already holds its width and `PEXPIRE` when the
 * newest bucket did not move, and takes its numbers as two comma-separated strings instead of one
 * argument each (the reference gets them in its own layout, `previousArguments`). Random sequences of consumeInOrder groups (shared keys, a key named
 * twice, marks, give-backs, a key reused with another window between steps, time steps from 0 to hours) run on
 * both under two prefixes of one real Redis; every reply and every key's fields must be equal, and
 * every key's expiry may only be later than the reference's by less than one bucket (never earlier,
 * but for the real milliseconds the test itself takes).
 * Fakes: none.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSUME_LUA } from '../../src/adapters/counters/lua/consume.js';
import { consumeScriptArguments } from '../../src/adapters/counters/redis-counters.js';
import { BUCKETS_PER_WINDOW } from '../../src/core/counting/sliding-window.js';
import type { WindowCheck } from '../../src/ports/counter-store.js';
import { prng } from '../support/prng.js';
import { HAS_REDIS, REDIS_URL } from '../support/services.js';

const PREVIOUS_LUA = `
local now = tonumber(ARGV[1])
local write = ARGV[2] == 'consume'
local perWindow = tonumber(ARGV[3])
local groups = tonumber(ARGV[4])

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
    return 0, nil
  elseif #stale > 0 then
    redis.call('HDEL', key, unpack(stale))
  end
  return total, maxBucket
end

local function add(key, windowMs, width, newest, amount)
  local b = math.floor(now / width)
  redis.call('HINCRBY', key, tostring(b), amount)
  redis.call('HSET', key, 'w', width)
  if newest == nil or b > newest then newest = b end
  -- Keep the key exactly as long as its newest bucket still counts.
  redis.call('PEXPIRE', key, math.max(1, (newest + 1) * width + windowMs - now))
end

local function widthOf(windowMs)
  return math.max(1, math.ceil(windowMs / perWindow))
end

local reply = {}
local k, a = 0, 4 + groups
for g = 1, groups do
  local size = tonumber(ARGV[4 + g])
  local totals, newest = {}, {}
  local failed = -1
  for i = 1, size do
    local base = a + (i - 1) * 5
    local windowMs, limit, amount = tonumber(ARGV[base + 1]), tonumber(ARGV[base + 2]), tonumber(ARGV[base + 3])
    totals[i], newest[i] = load(KEYS[k + i], windowMs, widthOf(windowMs))
    if failed == -1 and limit > 0 and totals[i] + amount > limit then failed = i - 1 end
  end
  if failed == -1 and write then
    for i = 1, size do
      local base = a + (i - 1) * 5
      local windowMs, amount = tonumber(ARGV[base + 1]), tonumber(ARGV[base + 3])
      if amount ~= 0 then
        add(KEYS[k + i], windowMs, widthOf(windowMs), newest[i], amount)
        totals[i] = totals[i] + amount
      end
    end
    -- Marks: a check whose counter started from zero adds 1 to its mark key, seen by later groups.
    for i = 1, size do
      local base = a + (i - 1) * 5
      local amount, mark = tonumber(ARGV[base + 3]), tonumber(ARGV[base + 4])
      if mark > 0 and amount > 0 and totals[i] == amount then
        local markMs = tonumber(ARGV[base + 5])
        local width = widthOf(markMs)
        local _, markNewest = load(KEYS[mark], markMs, width)
        add(KEYS[mark], markMs, width, markNewest, 1)
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

/**
 * The reference's KEYS and ARGV: every number an argument of its own (see PREVIOUS_LUA). Written
 * out on its own on purpose, not derived from consumeScriptArguments: a slip there in the keys or
 * the mark indexes must show as a difference from this reference.
 */
function previousArguments(
  prefix: string,
  groups: readonly (readonly WindowCheck[])[],
  mode: 'consume' | 'peek',
  now: Date,
): { keys: string[]; args: (string | number)[] } {
  const keys: string[] = [];
  const marks: string[] = [];
  const args: (string | number)[] = [now.getTime(), mode, BUCKETS_PER_WINDOW, groups.length];
  for (const group of groups) args.push(group.length);
  const checks = groups.flat();
  for (const c of checks) keys.push(prefix + c.key);
  for (const c of checks) {
    let markIndex = 0;
    if (c.marks !== undefined) {
      marks.push(prefix + c.marks.key);
      markIndex = checks.length + marks.length;
    }
    args.push(c.windowMs, c.limit, c.amount, markIndex, c.marks?.windowMs ?? 0);
  }
  keys.push(...marks);
  return { keys, args };
}

const MINUTE = 60_000;
const WINDOWS = [MINUTE, 10 * MINUTE, 60 * MINUTE, 24 * 60 * MINUTE];
const T0 = Date.UTC(2026, 11, 3, 9, 0, 0);

describe.skipIf(!HAS_REDIS)('consume.lua against its previous version', () => {
  const run = randomUUID();
  let redis: Redis;
  beforeAll(() => {
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  });
  afterAll(async () => {
    const keys = await redis.keys(`sw:test:${run}:*`);
    if (keys.length > 0) await redis.unlink(...keys);
    redis.disconnect();
  });

  const call = async (
    script: string,
    prefix: string,
    groups: WindowCheck[][],
    now: number,
    mode: 'consume' | 'peek',
  ) => {
    const layout = script === PREVIOUS_LUA ? previousArguments : consumeScriptArguments;
    const { keys, args } = layout(prefix, groups, mode, new Date(now));
    return (await redis.eval(script, keys.length, ...keys, ...args)) as number[];
  };

  for (const seed of [1, 2, 3, 4]) {
    it(`gives the same replies and state on 600 random steps (seed ${seed})`, async () => {
      const before = `sw:test:${run}:${seed}:prev:`;
      const after = `sw:test:${run}:${seed}:next:`;
      const random = prng(seed);
      const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
      const names = ['a', 'b', 'c', 'd', 'e', 'f'];
      // Each name keeps its window, but now and then one is reused with another (the script starts it over).
      const windowOf = new Map(names.map((n) => [n, pick(WINDOWS)]));
      // A key has one window at a time, as in production (a key names its window); a change
      // between steps is a key reused with another window.
      const markOn = (key: string) => ({ key, windowMs: windowOf.get(key) as number });
      let now = T0 + Math.floor(random() * MINUTE);
      for (let step = 0; step < 600; step++) {
        const r = random();
        now +=
          r < 0.3
            ? 0
            : r < 0.8
              ? Math.floor(random() * 5000)
              : r < 0.97
                ? Math.floor(random() * 20 * MINUTE)
                : 26 * 60 * MINUTE;
        if (random() < 0.02) windowOf.set(pick(names), pick(WINDOWS));
        const groups: WindowCheck[][] = Array.from({ length: 1 + Math.floor(random() * 3) }, () =>
          Array.from({ length: 1 + Math.floor(random() * 4) }, () => {
            const key = pick(names);
            const a = random();
            return {
              key,
              windowMs: windowOf.get(key) as number,
              limit: random() < 0.4 ? 0 : 1 + Math.floor(random() * 8),
              amount: a < 0.1 ? 0 : a < 0.15 ? -1 : 1 + Math.floor(random() * 3),
              ...(random() < 0.2 ? { marks: markOn(pick(names)) } : {}),
            };
          }),
        );
        const mode = random() < 0.1 ? 'peek' : 'consume';
        const expected = await call(PREVIOUS_LUA, before, groups, now, mode);
        expect(await call(CONSUME_LUA, after, groups, now, mode), `step ${step}`).toEqual(expected);
        for (const name of names) {
          const [was, is] = await Promise.all([redis.hgetall(before + name), redis.hgetall(after + name)]);
          expect(is, `fields of ${name} at step ${step}`).toEqual(was);
          const [wasTtl, isTtl] = await Promise.all([redis.pttl(before + name), redis.pttl(after + name)]);
          if (wasTtl < 0) {
            expect(isTtl, `expiry of ${name} at step ${step}`).toBe(wasTtl);
            continue;
          }
          const width = Math.ceil(Number(was['w']) || WINDOWS[WINDOWS.length - 1]! / BUCKETS_PER_WINDOW);
          expect(isTtl, `expiry of ${name} at step ${step}`).toBeGreaterThan(wasTtl - 5000);
          expect(isTtl, `expiry of ${name} at step ${step}`).toBeLessThanOrEqual(wasTtl + width + 1);
        }
      }
    });
  }
});
