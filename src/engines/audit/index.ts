export {
  AUDIT_BUNDLE_FORMAT,
  type AuditBundle,
  type BundledCheckpoint,
  buildAuditBundle,
} from "./audit-bundle.js";
export {
  AUDIT_PROBLEM_KINDS,
  type AuditProblem,
  type AuditProblemKind,
  type AuditReport,
} from "./audit-problem.js";
export {
  type Checkpoint,
  checkpointBody,
  type NoteSignature,
  type ParsedCheckpoint,
  parseCheckpoint,
  type SignatureCheck,
  type SignedCheckpoint,
  signCheckpoint,
  verifyCheckpointSignature,
} from "./checkpoint.js";
export {
  AUDIT_KEY_FILE_FORMAT,
  type AuditKeyFile,
  type AuditKeyRing,
  type AuditPublicKey,
  type AuditSigningKey,
  generateKeyFile,
  keyIdOf,
  parseKeyFile,
  parsePublicKey,
  readKeyRing,
  rotateKeyFile,
  verifySignature,
} from "./keys.js";
export { leafBytes } from "./leaf-bytes.js";
export {
  appendToFrontier,
  EMPTY_TREE_HASH,
  type Frontier,
  frontierRoot,
  leafHash,
  MerkleTree,
  nodeHash,
  verifyConsistency,
  verifyInclusion,
} from "./merkle.js";
export { nextCheckpoint } from "./next-checkpoint.js";
export { type BundleVerification, type VerifyBundleOptions, verifyAuditBundle } from "./verify-bundle.js";
export {
  eventTree,
  type VerifyCheckpointsInput,
  verifyCheckpoints,
  verifyStoredCheckpoints,
} from "./verify-checkpoints.js";
