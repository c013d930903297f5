/** Styles of the sessions, agents and kill switch pages (part of `/assets/dashboard.css`). */
export const SESSIONS_CSS = `
.small { font-size:13px; }
.wrap { white-space:normal; word-break:break-word; min-width:12rem; }
.empty { color:var(--muted); }
.pager { display:flex; gap:16px; align-items:center; margin:8px 0; }
.pager a { display:inline-block; padding:6px 0; }
.session-budget { display:inline-block; line-height:1.9; white-space:nowrap; }
.nowrap, #sessions-table time, #session-activity time, #agents-table time, #kill-switches time { white-space:nowrap; }
dl.facts { display:grid; grid-template-columns:max-content 1fr; gap:4px 16px; margin:0 0 12px; }
dl.facts dt { font-weight:600; color:var(--muted); }
dl.facts dd { margin:0; word-break:break-word; }
.controls h2 { margin-top:0; }
.controls .actions { gap:12px 24px; }
.inline-form { display:flex; flex-direction:column; align-items:flex-start; gap:4px; max-width:24rem; }
.inline-form label { margin:0; }
.chip { display:inline-block; border:1px solid var(--line); border-radius:10px; padding:0 6px; margin:0 4px 4px 0; font-size:12px; }
.button.danger-link { color:var(--bad); border-color:var(--bad); }
.kill-banner { background:#b3261e; color:#fff; padding:10px 16px; border-radius:8px; margin:0 0 12px; }
.kill-banner a { color:#fff; }
.engage { margin-top:24px; } .engage .error { margin:8px 0; }
.field-error { color:var(--bad); margin:2px 0 0; font-size:13px; }
.engage [aria-invalid="true"] { border-color:var(--bad) !important; border-width:2px !important; } .engage h2 { margin-top:4px; }
.engage fieldset { border:1px solid var(--line); border-radius:6px; margin:8px 0; padding:4px 12px 8px; }
.engage legend { font-weight:600; padding:0 4px; }
.choice { display:flex; gap:8px; align-items:baseline; }
.choice label { font-weight:400; margin:4px 0; }
.confirm { border-left:6px solid var(--bad); }
.confirm h2 { margin-top:4px; }
ul.effects li { margin:4px 0; }
tr.engaged td:first-child { white-space:nowrap; }
@media (max-width: 640px) { .session-budget meter { width:4rem; } dl.facts { grid-template-columns:1fr; gap:0; } dl.facts dd { margin-bottom:6px; } }
`;
