/**
 * The outcomes of forwarded calls being recorded (`complete()`), per control-plane session. The gateway answers
 * the client as soon as the upstream has answered and records the outcome right after (one commit fewer on the
 * call's path); the next call of the same session first waits for its session's records, so it always sees
 * the previous call's lock released and its budget settled. Should the process die in between, recovery marks
 * the proposal `outcome_unknown` when its lease expires.
 */
export class CompletionQueue {
  readonly #pending = new Map<string, Set<Promise<void>>>();

  /** Tracks the recording of one outcome of `sessionId` (it must not reject: handle errors before). */
  add(sessionId: string, recording: Promise<void>): void {
    let set = this.#pending.get(sessionId);
    if (!set) {
      set = new Set();
      this.#pending.set(sessionId, set);
    }
    const owner = set;
    owner.add(recording);
    void recording.finally(() => {
      owner.delete(recording);
      if (owner.size === 0 && this.#pending.get(sessionId) === owner) this.#pending.delete(sessionId);
    });
  }

  /** Resolves once every outcome of `sessionId` tracked so far is recorded (at once when none is pending). */
  settled(sessionId: string): Promise<void> | undefined {
    const set = this.#pending.get(sessionId);
    return set === undefined ? undefined : Promise.all(set).then(() => undefined);
  }

  /** Resolves once every outcome tracked so far, of every session, is recorded. */
  async idle(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all([...this.#pending.values()].flatMap((s) => [...s]));
  }
}
