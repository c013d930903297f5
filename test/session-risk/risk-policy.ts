/** Auto-approves low risk only; the session risk decides whether a human is needed. */
export const RISK_POLICY = {
  version: 1,
  actions: { autoApprove: ["read_database", "send_email", "list_files"], unrestricted: ["log_note"] },
  autoApprove: { maxRisk: "low" },
  sessionRisk: {
    thresholds: { medium: 5, high: 10 },
    patterns: [
      { name: "exfiltration", sequence: ["read_database", "send_email"], window: 3, escalateTo: "high" },
    ],
  },
} as const;
