import { checkKnownKeys } from "../../errors/unknown-keys.js";
import type { ValidationIssue } from "../../errors/validation-error.js";
import { normalizeAction } from "../../types/proposal.js";
import type { SessionRiskPolicy } from "../../types/session-risk.js";

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

const SECTION_KEYS = ["scores", "thresholds", "patterns"];
const SCORE_KEYS = ["low", "medium", "high", "critical"];
const THRESHOLD_KEYS = ["medium", "high"];
const PATTERN_KEYS = ["name", "description", "sequence", "window", "escalateTo"];

/**
 * Checks a raw `sessionRisk` policy section beyond its schema: unknown keys (named with a "did you mean" hint),
 * `thresholds.medium` above `thresholds.high`, a pattern `window` shorter than its `sequence` (it could never
 * match), duplicate pattern names. Every problem names its path (`sessionRisk.patterns[1].window`).
 */
export function checkSessionRisk(raw: unknown, issues: ValidationIssue[]): void {
  if (!isObject(raw)) return;
  checkKnownKeys(raw, SECTION_KEYS, "sessionRisk.", issues);
  if (isObject(raw.scores)) checkKnownKeys(raw.scores, SCORE_KEYS, "sessionRisk.scores.", issues);
  const t = raw.thresholds;
  if (isObject(t)) {
    checkKnownKeys(t, THRESHOLD_KEYS, "sessionRisk.thresholds.", issues);
    const medium = typeof t.medium === "number" ? t.medium : 5;
    const high = typeof t.high === "number" ? t.high : 10;
    if (medium > high) {
      issues.push({
        path: "sessionRisk.thresholds.medium",
        message: `must not be above thresholds.high (${medium} > ${high})`,
      });
    }
  }
  if (!Array.isArray(raw.patterns)) return;
  const names = new Set<string>();
  raw.patterns.forEach((p: unknown, i) => {
    if (!isObject(p)) return;
    const at = `sessionRisk.patterns[${i}]`;
    checkKnownKeys(p, PATTERN_KEYS, `${at}.`, issues);
    if (typeof p.name === "string") {
      const name = p.name.trim();
      if (names.has(name)) issues.push({ path: `${at}.name`, message: `duplicate pattern name "${name}"` });
      names.add(name);
    }
    const window = typeof p.window === "number" ? p.window : 10;
    if (Array.isArray(p.sequence) && p.sequence.length > window) {
      issues.push({
        path: `${at}.window`,
        message: `window ${window} is shorter than the sequence (${p.sequence.length} actions): the pattern could never match`,
      });
    }
  });
}

/** Normalises a schema-validated `sessionRisk` section: action names of sequences as proposals' are. */
export function normalizeSessionRisk(section: SessionRiskPolicy): SessionRiskPolicy {
  return {
    ...section,
    patterns: section.patterns.map((p) => ({ ...p, sequence: p.sequence.map(normalizeAction) })),
  };
}
