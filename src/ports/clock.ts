/** The current time. Core never calls Date.now(); tests move time with a fake. */
export interface Clock {
  now(): Date;
}
