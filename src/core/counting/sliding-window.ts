/**
 * The sliding-window arithmetic the live counters and the what-if replay share (the memory
 * adapter and the replay run core/counting/sliding-windows.ts; the Lua script in
 * adapters/counters/lua/consume.ts implements the same rules, and test/contract/counters.test.ts
 * holds them to it).
 *
 * A window of `windowMs` is cut into BUCKETS_PER_WINDOW buckets of `bucketWidth(windowMs)` ms
 * (1 s for a minute, 1 min for an hour, 24 min for a day). An amount added at time t lands in
 * bucket floor(t / width) and counts while that bucket overlaps the window (now - windowMs, now]:
 * for more than `windowMs` and at most `windowMs + width`. So the window slides in steps of one
 * bucket and errs on the safe side: it never forgets an event early, it can only remember it up
 * to one bucket longer. There are no fixed boundaries, hence no double burst at the top of an hour.
 */
export const BUCKETS_PER_WINDOW = 60;

/** Bucket width in ms for a window (at least 1 ms). */
export function bucketWidth(windowMs: number): number {
  return Math.max(1, Math.ceil(windowMs / BUCKETS_PER_WINDOW));
}

/** The bucket an event at `nowMs` lands in. */
export function bucketOf(nowMs: number, width: number): number {
  return Math.floor(nowMs / width);
}

/** The oldest bucket that still counts at `nowMs`: buckets below it have left the window. */
export function oldestCountedBucket(nowMs: number, windowMs: number, width: number): number {
  return Math.floor((nowMs - windowMs) / width);
}

/** The first instant at which bucket `b` no longer counts (exclusive end of its life). */
export function bucketExpiry(b: number, windowMs: number, width: number): number {
  return (b + 1) * width + windowMs;
}

/** True when adding `amount` to `total` stays within `limit` (0 = unlimited). */
export function fitsLimit(total: number, amount: number, limit: number): boolean {
  return limit <= 0 || total + amount <= limit;
}
