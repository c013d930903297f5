/** Who an LLM call is billed to: token budgets match on these (a set budget field must equal the caller's). */
export interface ModelIdentityInput {
  readonly userId?: string | undefined;
  readonly orgId?: string | undefined;
  readonly teamId?: string | undefined;
}

/**
 * An LLM call carried by a proposal (`ProposalInput.model`): which model, for whom, and the estimate the
 * token budgets reserve. Tiers, kill switches and the audit apply to the proposal as to any action.
 * @example { model: "gpt-4o", identity: { userId: "u1", orgId: "acme" }, inputTokens: 1200, outputTokens: 400 }
 */
export interface ModelCallInput {
  /** The model id, matched exactly after trimming (e.g. `gpt-4o`, `claude-sonnet-4`). */
  readonly model: string;
  readonly identity?: ModelIdentityInput | undefined;
  /** Estimated input (prompt) tokens: a non-negative integer. */
  readonly inputTokens: number;
  /** Estimated output (completion) tokens: a non-negative integer. */
  readonly outputTokens: number;
  /** Estimated cost in currency units; when absent the control plane's price table prices the tokens. */
  readonly cost?: number | string | undefined;
}

/** A validated model call as the engines see it. */
export interface ModelCall {
  readonly model: string;
  readonly identity: {
    readonly userId: string | null;
    readonly orgId: string | null;
    readonly teamId: string | null;
  };
  readonly inputTokens: number;
  readonly outputTokens: number;
  /** The caller's estimate in micros, or `null` when the price table decides. */
  readonly costMicros: number | null;
}
