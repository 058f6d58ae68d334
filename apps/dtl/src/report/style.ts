/** The report's inline stylesheet (no external fonts or resources; prints cleanly). */
export const REPORT_CSS = `
:root { --fg: #1d1d1f; --muted: #6b6b70; --line: #e3e3e6; --bg-alt: #f7f7f9; --leaky: #b00020; --clean: #1b7f3b; }
* { box-sizing: border-box; }
body { margin: 0; padding: 24px 32px 48px; color: var(--fg); background: #fff;
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 0 0 12px; border-bottom: 2px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 16px; margin: 22px 0 8px; }
h4 { font-size: 14px; margin: 14px 0 6px; }
h5 { font-size: 12px; margin: 10px 0 4px; color: var(--muted); }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; }
pre { background: var(--bg-alt); padding: 8px; overflow-x: auto; max-height: 360px; }
.muted, .hint { color: var(--muted); }
.hint { font-size: 12px; margin: 4px 0 8px; }
nav ol { margin: 8px 0 0; padding-left: 20px; }
section.block { margin: 28px 0; padding: 16px 20px; border: 1px solid var(--line); border-radius: 6px; }
section.leaky-run { border-color: var(--leaky); border-width: 2px; }
table { border-collapse: collapse; margin: 6px 0 10px; font-size: 13px; }
th, td { padding: 4px 10px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
thead th { background: var(--bg-alt); font-weight: 600; }
tbody th { font-weight: 500; color: #333; }
td.num, td .num { font-variant-numeric: tabular-nums; }
table.comparison td:nth-child(n+6) { text-align: right; font-variant-numeric: tabular-nums; }
tr.sub-row td, .sub { color: var(--muted); }
tr.leaky-row { background: #fff4f5; }
.table-wrap { overflow-x: auto; }
dl.header { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 0 0 8px; }
dl.header dt { color: var(--muted); }
dl.header dd { margin: 0; }
.badge { display: inline-block; padding: 1px 7px; border-radius: 10px; font-size: 11px; font-weight: 700;
  letter-spacing: .04em; vertical-align: middle; }
.badge.leaky { background: var(--leaky); color: #fff; }
.badge.clean { background: #e6f4ea; color: var(--clean); }
.leaky-note { border-left: 4px solid var(--leaky); background: #fff4f5; padding: 6px 10px; }
ul.notes { color: #8a5300; font-size: 12px; }
.charts { display: flex; flex-wrap: wrap; gap: 12px 20px; align-items: flex-start; }
figure.chart { margin: 0; }
figure.chart svg { max-width: 100%; height: auto; display: block; }
/* Baseline vs DTL-NS: the sign is in the text; the colour only repeats it. */
.gain.dtl-ns { color: #1a7f37; }
.gain.baseline { color: #b3261e; }
details.config summary { cursor: pointer; color: var(--muted); margin-top: 16px; }
@media print { section.block { break-inside: avoid-page; } details.config { display: none; } }
`;
