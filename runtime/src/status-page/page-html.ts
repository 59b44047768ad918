/**
 * The status page as one self-contained HTML document: its stylesheet and script inline, no
 * font, framework or CDN to fetch, so it works on a gateway with no way out to the internet
 * and ships inside the compiled runtime (a TypeScript module, so `tsc` and `npm pack` carry it
 * like any other code). The Content-Security-Policy allows exactly that inline script and
 * style (by hash) and requests to the gateway itself.
 */
import { createHash } from 'node:crypto';
import { PAGE_LIVE_SCRIPT } from './page-live';
import { pageHelpersScript } from './page-format';
import { PAGE_MAIN_SCRIPT } from './page-script';
import { PAGE_STYLE } from './page-style';

/** One scope for the whole script, in strict mode. */
export const PAGE_SCRIPT = `'use strict';\n{\n${pageHelpersScript()}\n${PAGE_MAIN_SCRIPT}\n${PAGE_LIVE_SCRIPT}\n}\n`;

const SKELETON = `<a class="skip" href="#topology">Skip to the cluster</a>
<header class="top">
  <div class="wrap">
    <div class="title-row">
      <h1><span class="product">Polygres</span> <span id="cluster-name" data-testid="cluster-name">cluster</span></h1>
      <p class="live" id="live" data-testid="live"><span class="dot" aria-hidden="true"></span><span id="live-text" role="status" data-testid="live-status">Connecting…</span><span aria-hidden="true">·</span><span id="updated" data-testid="updated">no update yet</span></p>
    </div>
    <dl class="summary" aria-live="polite" data-testid="summary">
      <div><dt>Primary</dt><dd id="s-primary" class="primary-name" data-testid="summary-primary">—</dd></div>
      <div><dt>Term</dt><dd id="s-term" data-testid="summary-term">—</dd></div>
      <div><dt>Rule</dt><dd id="s-rule" data-testid="summary-rule">—</dd></div>
      <div><dt>Durability</dt><dd id="s-policy" data-testid="summary-policy">—</dd></div>
      <div><dt>Synchronous standbys</dt><dd id="s-sync" class="mono">—</dd></div>
    </dl>
  </div>
</header>
<main class="wrap">
  <div id="alerts" class="alerts"></div>
  <section id="topology" aria-labelledby="h-topology">
    <h2 id="h-topology">Zones</h2>
    <div id="zones" class="zones" data-testid="zones"></div>
  </section>
  <div class="lower">
    <section class="panel" aria-labelledby="h-history">
      <h2 id="h-history">History</h2>
      <ol id="timeline" class="timeline" data-testid="timeline" tabindex="0" aria-label="History, newest first"></ol>
    </section>
    <section class="panel" aria-labelledby="h-backups">
      <h2 id="h-backups">Backups</h2>
      <div id="backups" data-testid="backups"><p class="note">Waiting for the first view…</p></div>
    </section>
  </div>
</main>
<footer class="wrap">A read-only view served by this gateway: it changes nothing and needs no token. The same data as JSON: <a href="v1/view">v1/view</a>.</footer>`;

export const STATUS_PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>Polygres</title>
<link rel="icon" href="data:,">
<style>${PAGE_STYLE}</style>
</head>
<body>
${SKELETON}
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/** Only the page's own inline script and style run; it talks to its own gateway and nowhere else. */
export const STATUS_PAGE_CSP = [
  "default-src 'none'",
  `script-src ${sha256(PAGE_SCRIPT)}`,
  `style-src ${sha256(PAGE_STYLE)}`,
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
