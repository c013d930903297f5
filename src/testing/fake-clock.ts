/** A manually driven clock for tests: time moves only when told to. */
export interface FakeClock {
  /** Current time, ms since the epoch. */
  now(): number;
  /** Moves time forward by `ms` (must be >= 0); returns the new time. */
  advance(ms: number): number;
  /** Sets the time; returns it. */
  set(ms: number): number;
}

/**
 * Creates a {@link FakeClock} starting at `startMs`.
 * @example
 * const clock = createFakeClock(Date.UTC(2030, 0, 1));
 * clock.advance(60_000);
 */
export function createFakeClock(startMs = 0): FakeClock {
  if (!Number.isFinite(startMs)) throw new RangeError("createFakeClock: startMs must be a finite number");
  let current = startMs;
  return {
    now: () => current,
    advance(ms) {
      if (!Number.isFinite(ms) || ms < 0)
        throw new RangeError("FakeClock.advance: ms must be a finite number >= 0");
      current += ms;
      return current;
    },
    set(ms) {
      if (!Number.isFinite(ms)) throw new RangeError("FakeClock.set: ms must be a finite number");
      current = ms;
      return current;
    },
  };
}
