/** A source of time in milliseconds since the epoch. Injected everywhere so tests control time. */
export interface Clock {
  now(): number;
}

/** The real clock (`Date.now()`). */
export const systemClock: Clock = { now: () => Date.now() };

/** Generates unique ids. */
export type IdGenerator = () => string;
