// Served as /dashboard/assets/dashboard.css (the CSP allows styles from 'self' only, no inline styles).
export const DASHBOARD_CSS = `
:root { color-scheme: light; --border: #d8dde3; --muted: #5b6470; --accent: #1f5fbf; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1d232a; background: #f6f7f9; }
header { background: #1d232a; color: #fff; padding: 10px 24px; display: flex; gap: 16px; align-items: baseline; }
header a { color: #fff; text-decoration: none; font-weight: 600; }
header nav { color: #aab3bd; }
header nav a { font-weight: 400; color: #dfe5eb; }
main { padding: 16px 24px 48px; max-width: 1280px; }
h1 { font-size: 20px; margin: 8px 0 12px; }
h2 { font-size: 16px; margin: 24px 0 8px; }
a { color: var(--accent); }
table { border-collapse: collapse; width: 100%; background: #fff; border: 1px solid var(--border); }
th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid var(--border); vertical-align: top; }
th { background: #eef1f4; font-weight: 600; white-space: nowrap; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
code, pre, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
pre { margin: 0; white-space: pre-wrap; word-break: break-all; max-height: 240px; overflow: auto; background: #f3f4f6; padding: 6px; }
.muted { color: var(--muted); }
.badge { display: inline-block; min-width: 44px; text-align: center; padding: 1px 8px; border-radius: 10px; font-weight: 600; font-size: 12px; }
.badge-green { background: #d3f5dc; color: #0c6b2a; }
.badge-yellow { background: #fff1bf; color: #7a5600; }
.badge-red { background: #fddcdc; color: #a11616; }
.badge-grey { background: #e5e7eb; color: #4b5563; }
.state-on { color: #0c6b2a; font-weight: 600; }
.state-off { color: #a11616; font-weight: 600; }
.flash { padding: 8px 12px; margin: 0 0 12px; border-radius: 4px; border: 1px solid; }
.flash-ok { background: #e8f7ec; border-color: #9ed7ad; }
.flash-error { background: #fdeaea; border-color: #f0a3a3; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; background: #fff; border: 1px solid var(--border); padding: 10px 14px; margin: 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; word-break: break-all; }
form.inline { display: inline; margin: 0; }
.actions { display: flex; gap: 8px; margin: 12px 0; flex-wrap: wrap; }
button { font: inherit; padding: 4px 12px; border: 1px solid #9aa4af; border-radius: 4px; background: #fff; cursor: pointer; }
button:hover { background: #eef1f4; }
button.primary { background: var(--accent); color: #fff; border-color: var(--accent); }
.filters { display: flex; gap: 8px; align-items: center; margin: 8px 0; }
.filters input, .filters select { font: inherit; padding: 3px 6px; }
.pager { margin: 10px 0; display: flex; gap: 16px; }
a.button { display: inline-block; padding: 4px 12px; border: 1px solid #9aa4af; border-radius: 4px; background: #fff; color: inherit; text-decoration: none; }
a.button:hover { background: #eef1f4; }
a.button.danger { color: #a11616; border-color: #e0a0a0; }
button.danger { background: #a11616; color: #fff; border-color: #a11616; }
form.webhook-form { background: #fff; border: 1px solid var(--border); padding: 12px 14px; max-width: 860px; }
.field { margin: 0 0 12px; }
.field label { display: block; font-weight: 600; margin-bottom: 3px; }
.field input:not([type=checkbox]), .field textarea, .field select { font: inherit; padding: 4px 6px; max-width: 100%; border: 1px solid #9aa4af; border-radius: 3px; }
.field textarea { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
.field .hint { color: var(--muted); font-size: 12.5px; margin-top: 2px; }
.field-invalid input, .field-invalid textarea, .field-invalid select { border-color: #a11616; background: #fff7f7; }
.field-error { color: #a11616; margin: 3px 0 0; font-weight: 600; }
.form-errors { background: #fdeaea; border: 1px solid #f0a3a3; border-radius: 4px; padding: 4px 12px; margin: 0 0 12px; }
.form-errors p { margin: 4px 0; }
.new-secret { background: #fff8e1; border: 1px solid #e6c35c; border-radius: 4px; padding: 4px 14px 12px; margin: 0 0 16px; }
.new-secret h2 { margin-top: 8px; }
pre.secret { font-size: 14px; background: #fff; border: 1px dashed #c9a227; max-height: none; user-select: all; }
td.source-status { min-width: 18em; }
td.backlog { white-space: nowrap; }
.source-error { color: #a11616; font-weight: 600; overflow-wrap: anywhere; }
.captured-table + .captured-table { margin-top: 6px; }
header .nav-links { margin-left: auto; }
header .nav-links a { font-weight: 400; color: #dfe5eb; }
.stats { display: flex; gap: 12px; flex-wrap: wrap; margin: 8px 0 4px; }
.stat { background: #fff; border: 1px solid var(--border); border-radius: 4px; padding: 8px 14px; min-width: 130px; }
.stat-value { font-size: 20px; font-weight: 600; font-variant-numeric: tabular-nums; }
.stat-label { color: var(--muted); font-size: 12px; }
.stat-succeeded .stat-value { color: #0c6b2a; }
.stat-retried .stat-value { color: #7a5600; }
.stat-failed .stat-value { color: #a11616; }
.chart-grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(560px, 1fr)); gap: 0 20px; }
.chart-figure { margin: 0; background: #fff; border: 1px solid var(--border); padding: 10px 12px; max-width: 800px; }
svg.chart { display: block; width: 100%; height: auto; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
.chart-figure figcaption { color: var(--muted); font-size: 12.5px; margin-top: 6px; }
details.chart-numbers { margin-top: 6px; }
details.chart-numbers summary { cursor: pointer; color: var(--accent); font-size: 12.5px; }
details.chart-numbers table { margin-top: 6px; }
.empty { padding: 16px; background: #fff; border: 1px solid var(--border); color: var(--muted); }
`;

// A link icon, so browsers don't ask for /favicon.ico (a 404 in the console).
export const DASHBOARD_ICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#1d232a"/><path d="M4 8h5M7 5l3 3-3 3" stroke="#4ade80" stroke-width="1.8" fill="none" stroke-linecap="round"/></svg>`;
