/** Styles of the audit and policy pages (part of `/assets/dashboard.css`). */
export const AUDIT_CSS = `
.nowrap { white-space:nowrap; }
table.audit td.payload { min-width:16rem; max-width:40rem; }
table.audit .summary { display:block; word-break:break-word; }
table.audit details pre { max-height:20rem; overflow:auto; background:var(--bg); padding:6px; border-radius:4px; }
table.audit .kind { font-weight:600; }
.table-wrap:has(tbody tr) + .empty { display:none; }
.audit-tools { align-items:center; }
table.audit td:nth-child(4), table.audit td:nth-child(5) { white-space:nowrap; }
@media (max-width: 640px) {
  table.audit thead { position:absolute; left:-9999px; }
  table.audit, table.audit tbody, table.audit tr { display:block; }
  table.audit tr { padding:8px 10px; border-bottom:1px solid var(--line); }
  table.audit td { display:inline-block; border:0; padding:0 10px 2px 0; }
  table.audit td:nth-child(3) br { display:none; }
  table.audit td:nth-child(3) code { margin-left:6px; }
  table.audit td.payload { display:block; min-width:0; max-width:none; }
}
.policy-doc { max-height:28rem; overflow:auto; background:var(--bg); padding:8px; border-radius:6px; border:1px solid var(--line); }
textarea.short { min-height:5rem; }
.policy-forms textarea { font-family:ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size:13px; }
.policy-forms .card > h2:first-child, .policy-current > h2:first-child { margin-top:4px; }
.hint { display:block; font-size:12px; }
.check { display:flex; gap:8px; align-items:center; margin:10px 0 0; }
.check label { margin:0; font-weight:400; }
.check input { width:auto; min-width:20px; min-height:20px; }
.issues code { font-weight:600; }
dl.decision { display:grid; grid-template-columns:max-content 1fr; gap:4px 12px; margin:8px 0; }
dl.decision dt { font-weight:600; color:var(--muted); } dl.decision dd { margin:0; }
.dry-run-result h3 { font-size:16px; margin:16px 0 4px; }
`;
