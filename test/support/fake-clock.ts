import type { Clock } from '../../src/ports/clock.js';

/** A Clock the test moves by hand (the one fake our tests allow: time has no backend). */
export class FakeClock implements Clock {
  #now: number;

  constructor(start: string | Date = '2026-11-22T10:00:00Z') {
    this.#now = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.#now);
  }

  advance(ms: number): void {
    this.#now += ms;
  }

  set(at: string | Date): void {
    this.#now = new Date(at).getTime();
  }
}
