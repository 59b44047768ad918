/**
 * The status page's stylesheet: system fonts, light and dark colours from the reader's
 * setting (every text colour at 4.5:1 or more on its background), zone columns that stack
 * on a narrow screen, and a visible focus ring for keyboard readers.
 */
export const PAGE_STYLE = `
:root {
  color-scheme: light dark;
  --bg: #f4f6f8; --surface: #ffffff; --sunken: #e9edf1; --text: #15191e; --muted: #4f5866;
  --border: #d3d9e0; --accent: #1d5bbf; --on-accent: #ffffff; --accent-soft: #e3ecfa;
  --ok: #1a7431; --bad: #b3261e; --bad-soft: #fbe9e7; --warn: #8a5a00; --warn-soft: #fff4d6;
  --policy: #6b3fb0; --restore: #0b6e74; --focus: #d4570f;
  --mono: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0e1116; --surface: #171b21; --sunken: #1e232b; --text: #e7eaee; --muted: #a4adba;
    --border: #2e3540; --accent: #78adff; --on-accent: #0b1320; --accent-soft: #1a2a44;
    --ok: #56d37a; --bad: #ff8a80; --bad-soft: #3a1c1b; --warn: #f0b43c; --warn-soft: #3a2d10;
    --policy: #c4a2ff; --restore: #52d0d6; --focus: #ffab70;
  }
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body {
  margin: 0; background: var(--bg); color: var(--text); line-height: 1.45;
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Liberation Sans", sans-serif;
}
a { color: var(--accent); }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; border-radius: 6px; }
.skip { position: absolute; left: -999px; top: 0; background: var(--surface); padding: 8px 12px; z-index: 2; }
.skip:focus { left: 8px; top: 8px; }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.mono { font-family: var(--mono); font-size: 0.92em; }
.wrap { max-width: 1240px; margin: 0 auto; padding: 0 20px; }
header.top { background: var(--surface); border-bottom: 1px solid var(--border); padding: 16px 0 14px; }
.title-row { display: flex; flex-wrap: wrap; align-items: baseline; justify-content: space-between; gap: 6px 16px; }
h1 { margin: 0; font-size: 1.35rem; letter-spacing: -0.01em; overflow-wrap: anywhere; }
h1 .product { color: var(--muted); font-weight: 500; }
.live { margin: 0; color: var(--muted); font-size: 0.9rem; display: flex; align-items: center; gap: 6px; flex-wrap: wrap; }
.live .dot { width: 9px; height: 9px; border-radius: 50%; background: var(--muted); display: inline-block; }
.live[data-mode="live"] .dot { background: var(--ok); box-shadow: 0 0 0 3px color-mix(in srgb, var(--ok) 25%, transparent); }
.live[data-mode="reconnecting"] .dot { background: var(--bad); }
.live[data-mode="polling"] .dot { background: var(--warn); }
.summary { margin: 12px 0 0; display: flex; flex-wrap: wrap; gap: 8px 28px; }
.summary div { min-width: 0; }
.summary dt { font-size: 0.75rem; text-transform: uppercase; letter-spacing: 0.06em; color: var(--muted); }
.summary dd { margin: 2px 0 0; font-weight: 600; overflow-wrap: anywhere; }
.summary .primary-name { color: var(--accent); }
main.wrap { padding-top: 20px; padding-bottom: 32px; }
.alerts:empty { display: none; }
.alerts { display: grid; gap: 8px; margin-bottom: 16px; }
.banner { padding: 10px 14px; border-radius: 8px; border: 1px solid; overflow-wrap: anywhere; }
.banner.electing { background: var(--warn-soft); border-color: var(--warn); }
.banner.problem { background: var(--bad-soft); border-color: var(--bad); }
.banner ul { margin: 4px 0 0; padding-left: 20px; }
h2 { font-size: 1.05rem; margin: 0 0 10px; }
.lower { margin-top: 24px; }
.zones { display: grid; grid-template-columns: repeat(var(--zones, 3), minmax(0, 1fr)); gap: 14px; }
.zone { background: var(--sunken); border-radius: 12px; padding: 12px; display: flex; flex-direction: column; gap: 10px; min-width: 0; }
.zone-cards { display: flex; flex-direction: column; gap: 10px; }
.zone h3 { margin: 0 2px; font-size: 0.8rem; text-transform: uppercase; letter-spacing: 0.08em; color: var(--muted); overflow-wrap: anywhere; }
.card { background: var(--surface); border: 1px solid var(--border); border-radius: 10px; padding: 12px 14px; min-width: 0; }
.card.instance.is-primary { border-color: var(--accent); box-shadow: inset 4px 0 0 var(--accent); }
.card.instance.is-down { border-color: var(--bad); box-shadow: inset 4px 0 0 var(--bad); }
.card-head { display: flex; align-items: center; justify-content: space-between; gap: 8px; }
.card h4 { margin: 0; font-size: 1rem; overflow-wrap: anywhere; }
.badge { font-size: 0.72rem; font-weight: 700; letter-spacing: 0.05em; text-transform: uppercase; padding: 2px 8px; border-radius: 999px; border: 1px solid var(--border); color: var(--muted); white-space: nowrap; }
.badge.primary { background: var(--accent); border-color: var(--accent); color: var(--on-accent); }
.badge.replica { color: var(--text); }
.badge.unknown, .badge.down { color: var(--bad); border-color: var(--bad); }
.badge.up { color: var(--ok); border-color: var(--ok); }
.health { margin: 6px 0 8px; font-size: 0.9rem; color: var(--muted); display: flex; align-items: center; gap: 6px; }
.health .dot { width: 8px; height: 8px; border-radius: 50%; background: var(--ok); flex: none; }
.is-down .health .dot { background: var(--bad); }
.is-down .health { color: var(--bad); }
.facts { display: grid; grid-template-columns: auto minmax(0, 1fr); gap: 3px 12px; margin: 0; font-size: 0.88rem; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; overflow-wrap: anywhere; }
.lag-bar { height: 6px; border-radius: 3px; background: var(--sunken); overflow: hidden; margin-top: 8px; }
.lag-bar span { display: block; height: 100%; background: var(--ok); border-radius: 3px; }
.lag-bar[data-level="high"] span { background: var(--warn); }
.lag-bar[data-level="over"] span { background: var(--bad); }
.error { margin: 8px 0 0; font-size: 0.82rem; color: var(--bad); overflow-wrap: anywhere; }
.card.gateway { border-style: dashed; }
.stats { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 6px 12px; margin: 8px 0 0; }
.stats div { min-width: 0; }
.stats dt { font-size: 0.75rem; color: var(--muted); }
.stats dd { margin: 0; font-weight: 600; font-variant-numeric: tabular-nums; }
.lower { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 24px; align-items: start; }
.panel { background: var(--surface); border: 1px solid var(--border); border-radius: 12px; padding: 14px 16px; min-width: 0; }
.timeline { list-style: none; margin: 0; padding: 0 0 0 8px; max-height: 560px; overflow-y: auto; }
.timeline:empty::before { content: "Nothing has happened yet."; color: var(--muted); }
.event { position: relative; padding: 0 0 14px 18px; border-left: 2px solid var(--border); }
.event:last-child { border-left-color: transparent; }
.event::before { content: ""; position: absolute; left: -8px; top: 4px; width: 10px; height: 10px; border-radius: 50%; background: var(--muted); border: 2px solid var(--surface); }
.event[data-kind="failover"]::before { background: var(--bad); }
.event[data-kind="switchover"]::before { background: var(--accent); }
.event[data-kind="policy"]::before { background: var(--policy); }
.event[data-kind="backup"]::before { background: var(--ok); }
.event[data-kind="restore"]::before { background: var(--restore); }
.event[data-outcome="failed"]::before, .event[data-outcome="abandoned"]::before { background: var(--surface); box-shadow: 0 0 0 2px var(--bad); }
.event-head { display: flex; flex-wrap: wrap; gap: 4px 10px; align-items: baseline; }
.event-head .outcome { font-size: 0.78rem; font-weight: 600; text-transform: uppercase; letter-spacing: 0.04em; color: var(--muted); }
.event[data-outcome="failed"] .outcome, .event[data-outcome="abandoned"] .outcome { color: var(--bad); }
.event[data-outcome="started"] .outcome { color: var(--warn); }
.event time, .event .meta { font-size: 0.82rem; color: var(--muted); }
.event .detail { margin: 2px 0 0; font-size: 0.88rem; overflow-wrap: anywhere; }
.window { margin: 0 0 10px; }
.window strong { display: block; font-size: 0.75rem; text-transform: uppercase; letter-spacing: 0.06em; color: var(--muted); font-weight: 600; }
.note { font-size: 0.88rem; color: var(--muted); margin: 4px 0 10px; overflow-wrap: anywhere; }
.note.bad { color: var(--bad); }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: 0.88rem; }
th, td { text-align: left; padding: 6px 8px 6px 0; border-bottom: 1px solid var(--border); white-space: nowrap; }
th { font-size: 0.75rem; color: var(--muted); font-weight: 600; text-transform: uppercase; letter-spacing: 0.04em; }
td.num { font-variant-numeric: tabular-nums; }
td.label { white-space: normal; overflow-wrap: anywhere; font-size: 0.8rem; }
footer { color: var(--muted); font-size: 0.85rem; padding: 0 0 28px; }
.stale .zones, .stale .lower { opacity: 0.75; }
@media (max-width: 999px) { .lower { grid-template-columns: minmax(0, 1fr); } }
@media (max-width: 700px) {
  .wrap { padding: 0 12px; }
  .zones { grid-template-columns: minmax(0, 1fr); }
  .summary { gap: 8px 18px; }
}
`;
