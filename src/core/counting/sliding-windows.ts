import { PackedWindows } from './packed-windows.js';

/**
 * A set of sliding windows by key, in memory and synchronous: the arithmetic of the in-process
 * CounterStore (adapters/counters/memory-counters.ts wraps it) and of the what-if replay
 * (core/what-if), so the replay counts exactly as the live engine does. Times are epoch ms.
 * Stored packed per user (packed-windows.ts); test/core/counting holds it to the former
 * one-object-per-key implementation (test/support/reference-windows.ts).
 */
export class SlidingWindows extends PackedWindows {}
