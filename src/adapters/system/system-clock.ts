import type { Clock } from '../../ports/clock.js';

/** The real time. */
export class SystemClock implements Clock {
  now(): Date {
    return new Date();
  }
}
