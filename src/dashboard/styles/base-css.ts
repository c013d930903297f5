/**
 * The base of the dashboard's stylesheet (served as `/assets/dashboard.css`). System fonts, no images; readable on a
 * phone (tables scroll sideways, the navigation wraps); visible keyboard focus; honours dark mode.
 */
export const BASE_CSS = `
:root { --bg:#f7f7f8; --fg:#1b1d21; --muted:#5d6470; --card:#fff; --line:#d9dce1; --accent:#1f5fbf;
  --ok:#1c7c3c; --warn:#9a6400; --bad:#b3261e; --focus:#ffbf47; color-scheme: light dark; }
@media (prefers-color-scheme: dark) { :root { --bg:#15171a; --fg:#e8eaed; --muted:#a2a9b4; --card:#1e2126;
  --line:#343a42; --accent:#7fb0ff; --ok:#5cc97e; --warn:#e3b341; --bad:#ff8a80; } }
* { box-sizing: border-box; }
body { margin:0; font:15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background:var(--bg); color:var(--fg); }
a { color:var(--accent); }
:focus-visible { outline:3px solid var(--focus); outline-offset:2px; }
.skip { position:absolute; left:-9999px; } .skip:focus { left:8px; top:8px; background:var(--card); padding:6px; z-index:9; }
.top { display:flex; flex-wrap:wrap; align-items:center; gap:8px 16px; padding:8px 16px; background:var(--card); border-bottom:1px solid var(--line); }
.brand { font-weight:700; text-decoration:none; color:var(--fg); }
.top nav ul { display:flex; flex-wrap:wrap; gap:4px; list-style:none; margin:0; padding:0; }
.top nav a { display:inline-block; padding:6px 10px; border-radius:6px; text-decoration:none; }
.top nav a[aria-current="page"] { background:var(--accent); color:var(--card); }
.who { margin-left:auto; display:flex; gap:8px; align-items:center; color:var(--muted); }
.role { font-size:12px; border:1px solid var(--line); border-radius:10px; padding:0 6px; margin-left:4px; }
main { max-width:1200px; margin:0 auto; padding:16px; }
h1 { font-size:22px; margin:8px 0 16px; } h2 { font-size:18px; margin:24px 0 8px; }
.notice { background:var(--card); border-left:4px solid var(--ok); padding:8px 12px; }
.error { background:var(--card); border-left:4px solid var(--bad); padding:8px 12px; }
.card { background:var(--card); border:1px solid var(--line); border-radius:8px; padding:12px 16px; margin:0 0 12px; }
.muted { color:var(--muted); }
.table-wrap { overflow-x:auto; background:var(--card); border:1px solid var(--line); border-radius:8px; }
table { border-collapse:collapse; width:100%; }
th, td { text-align:left; padding:6px 10px; border-bottom:1px solid var(--line); vertical-align:top; }
th { font-size:13px; color:var(--muted); font-weight:600; }
tr:last-child td { border-bottom:0; }
code, pre, textarea { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size:13px; }
pre { white-space:pre-wrap; word-break:break-word; margin:0; }
form.inline { display:inline; }
label { display:block; font-weight:600; margin:8px 0 2px; }
input[type=text], input[type=number], input[type=password], input[type=datetime-local], select, textarea {
  width:100%; max-width:32rem; padding:6px 8px; border:1px solid var(--line); border-radius:6px; background:var(--bg); color:var(--fg); font:inherit; }
textarea { max-width:100%; min-height:16rem; }
.fields { display:grid; grid-template-columns:repeat(auto-fill, minmax(14rem, 1fr)); gap:0 12px; }
button, .button { display:inline-block; font:inherit; padding:6px 12px; border-radius:6px; border:1px solid var(--line);
  background:var(--card); color:var(--fg); cursor:pointer; text-decoration:none; min-height:36px; }
button.primary { background:var(--accent); border-color:var(--accent); color:var(--card); }
button.danger { background:var(--bad); border-color:var(--bad); color:#fff; }
button.link { border:0; background:none; color:var(--accent); padding:0; min-height:0; text-decoration:underline; }
.actions { display:flex; flex-wrap:wrap; gap:8px; align-items:flex-start; margin-top:8px; }
.badge { display:inline-block; font-size:12px; padding:1px 8px; border-radius:10px; border:1px solid currentColor; white-space:nowrap; }
.badge.ok { color:var(--ok); } .badge.warn { color:var(--warn); } .badge.bad { color:var(--bad); } .badge.info { color:var(--accent); }
.budget { white-space:nowrap; } .budget meter { width:7rem; vertical-align:middle; }
details > summary { cursor:pointer; }
ol.trace { margin:4px 0; padding-left:20px; } ol.trace li { margin:2px 0; }
.filters { display:flex; flex-wrap:wrap; gap:8px 12px; align-items:flex-end; margin-bottom:12px; }
.filters label { margin:0; font-weight:400; font-size:13px; }
.filters input, .filters select { width:auto; min-width:10rem; }
@media (max-width: 640px) { .who { margin-left:0; } main { padding:10px; } th, td { padding:6px; } }
`;
