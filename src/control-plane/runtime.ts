import { hash } from "node:crypto";
import { recordIdempotent, replayAfterFailure, replayIdempotent } from "../engines/idempotency/idempotent.js";
import { canonicalJson } from "../engines/policy/canonical-json.js";
import type { CompiledPolicy } from "../engines/policy/compiled-policy.js";
import { loadPolicy } from "../engines/policy/load-policy.js";
import { ControlPlaneError } from "../errors/control-plane-error.js";
import { ValidationError } from "../errors/validation-error.js";
import type { StorageTx, TransactionOptions } from "../storage/storage.js";
import type { JsonValue } from "../types/json.js";
import type { Proposal } from "../types/proposal.js";
import type { SessionRecord } from "../types/session.js";
import type { ResolvedOptions } from "./options.js";

/** Shared state of one control plane instance, used by the facade's parts. @internal */
export interface Runtime extends ResolvedOptions {
  /**
   * Compiled policy of a session's frozen snapshot (cached by policy id; snapshots are immutable). Synchronous
   * when cached (the hot path), a promise when the snapshot must be read.
   */
  policyFor(tx: StorageTx, session: SessionRecord): CompiledPolicy | Promise<CompiledPolicy>;
  /** Stores a policy snapshot (if new) and caches it. */
  rememberPolicy(policy: CompiledPolicy): void;
  /**
   * Runs a mutation in one transaction, idempotently when `key` is given: the same key, operation and
   * canonical `input` (the request without its idempotency key) returns the first result with a single effect,
   * also to concurrent callers; the same key for a different request is an `idempotency_conflict` error.
   */
  mutate<T>(
    operation: string,
    key: string | undefined,
    input: unknown,
    fn: (tx: StorageTx, now: number) => Promise<T>,
    options?: TransactionOptions,
  ): Promise<T>;
  /** Throws once the control plane is closed. */
  assertOpen(): void;
  closed: boolean;
}

/** Builds the runtime of a control plane. @internal */
export function createRuntime(options: ResolvedOptions): Runtime {
  const policies = new Map<string, CompiledPolicy>([[options.policy.id, options.policy]]);
  const loadSnapshot = async (tx: StorageTx, session: SessionRecord): Promise<CompiledPolicy> => {
    const snapshot = await tx.policies.get(session.policyId);
    if (!snapshot) {
      throw new ControlPlaneError(
        "internal",
        `policy snapshot ${session.policyId} of session ${session.id} is missing`,
      );
    }
    const policy = loadPolicy(snapshot.document, options.policyOptions);
    policies.set(session.policyId, policy);
    return policy;
  };
  const rt: Runtime = {
    ...options,
    closed: false,
    policyFor(tx, session) {
      return policies.get(session.policyId) ?? loadSnapshot(tx, session);
    },
    rememberPolicy(policy) {
      policies.set(policy.id, policy);
    },
    async mutate(operation, key, input, fn, txOptions) {
      rt.assertOpen();
      checkIdempotencyKey(key);
      const run = () =>
        options.storage.transaction(async (tx) => {
          const replayed = await replayIdempotent(tx, key, operation, input);
          if (replayed !== undefined) return replayed as never;
          const now = options.clock.now();
          const result = await fn(tx, now);
          await recordIdempotent(tx, key, operation, input, (result ?? null) as JsonValue, now);
          return result;
        }, txOptions);
      // A concurrent caller with the same key may commit first: the loser then gets the winner's result.
      if (key === undefined || txOptions?.external !== undefined) return run();
      return run().catch(
        async (error: unknown) =>
          (await replayAfterFailure(options.storage, key, operation, input, error)) as never,
      );
    },
    assertOpen() {
      if (rt.closed) throw new ControlPlaneError("closed", "the control plane is closed");
    },
  };
  return rt;
}

/**
 * Validates an optional idempotency key.
 * @throws ValidationError naming `idempotencyKey`.
 */
export function checkIdempotencyKey(key: unknown): asserts key is string | undefined {
  if (key === undefined) return;
  if (typeof key !== "string" || key.length === 0 || key.length > 200) {
    throw new ValidationError([
      { path: "idempotencyKey", message: "expected a string of 1 to 200 characters", received: key },
    ]);
  }
}

/**
 * Fingerprint of a whole proposal: session, agent, action, resource type and id, arguments, cost and metadata.
 * Only a retry identical in every one of them finds (and may claim) its pending or approved predecessor: an
 * approval covers exactly what was approved; anything else is a new proposal.
 */
export function proposalFingerprint(p: Proposal): string {
  // Three self-delimiting JSON texts (the flat fields natively, then args and metadata with sorted keys).
  const fields = JSON.stringify([
    p.sessionId,
    p.agentId,
    p.action,
    p.resourceType,
    p.resourceId,
    p.costMicros,
  ]);
  // A model call has a fixed shape: its fields in a fixed order (cheaper than a canonical JSON of the object).
  const m = p.model;
  const model =
    m === null
      ? ""
      : JSON.stringify([
          m.model,
          m.identity.userId,
          m.identity.orgId,
          m.identity.teamId,
          m.inputTokens,
          m.outputTokens,
          m.costMicros,
        ]);
  const text = `${fields}${canonicalJson(p.args)}${canonicalJson(p.metadata)}${model}`;
  return hash("sha256", text, "base64url").slice(0, 32);
}
