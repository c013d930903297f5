/** Styles of the approvals pages (part of `/assets/dashboard.css`). */
export const APPROVALS_CSS = `
.pending-count { font-size:16px; margin:0 0 12px; }
.pending-count strong { display:inline-block; min-width:2ch; padding:0 8px; border-radius:12px; background:var(--warn); color:var(--card); text-align:center; }
.ticket h2 { margin:4px 0 8px; font-size:17px; overflow-wrap:anywhere; }
.ticket h3 { font-size:15px; margin:12px 0 4px; }
.facts { width:100%; max-width:52rem; margin:4px 0 8px; }
.facts tr:last-child th { border-bottom:0; }
.facts th { width:8.5rem; white-space:nowrap; }
.facts td { overflow-wrap:anywhere; }
.deadline .left { white-space:nowrap; }
.deadline.soon .left { color:var(--bad); font-weight:600; }
.decide { display:grid; grid-template-columns:auto 1fr; gap:8px 16px; align-items:end; border-top:1px solid var(--line); padding-top:10px; margin-top:8px; }
.decide form { margin:0; }
.decide .deny label { margin-top:0; }
.decide .row { display:flex; gap:8px; }
.decide .row input { flex:1; min-width:0; }
.decide .session-scope { grid-column:1 / -1; }
.decide .session-scope > summary { padding:6px 0; font-weight:600; color:var(--accent); }
.decide .session-scope form { border:1px solid var(--line); border-radius:8px; padding:8px 12px; }
.decide small { display:block; font-size:12px; }
ul.scope { margin:0; padding-left:18px; }
.empty { color:var(--muted); }
.attention-section { margin-bottom:20px; }
@media (max-width: 640px) {
  .decide { grid-template-columns:1fr; }
  .decide .approve-once button { width:100%; }
  .facts th { width:auto; }
}
`;
