/** The policy of the HTTP benchmark, in-process and served alike: `write_file` is auto-approved. */
export const BENCH_POLICY = {
  version: 1,
  actions: { autoApprove: ["read_file", "write_file"], blocked: ["drop_table"] },
} as const;
