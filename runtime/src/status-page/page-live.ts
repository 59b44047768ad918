/**
 * The status page's connection to its gateway, as browser script: the view arrives as
 * server-sent events; while the stream is broken the page polls `v1/view` every second (and
 * the browser retries the stream by itself). The header says which it is — live, polling or
 * reconnecting — and when the last word came. Paths are relative, so the page works behind a
 * proxy that serves it under a prefix. It calls render() from page-script.ts.
 */
export const PAGE_LIVE_SCRIPT = String.raw`
let mode = '';
let source = null;
let pollTimer = null;
let lastMessageAt = 0;

function setMode(next, words) {
  if (mode === next) return;
  mode = next;
  byId('live').dataset.mode = next;
  setText(byId('live-text'), words);
  document.body.classList.toggle('stale', next === 'reconnecting');
}
function heard(at) {
  lastMessageAt = Date.now();
  setText(byId('updated'), 'last update ' + localTime(at));
}
function onView(view) {
  render(view);
  heard(view.generatedAt);
}

function poll() {
  fetch('v1/view', { cache: 'no-store' })
    .then((response) => {
      if (!response.ok) throw new Error('HTTP ' + response.status);
      return response.json();
    })
    .then((view) => {
      onView(view);
      if (mode !== 'live') setMode('polling', 'Live (polling)');
    }, () => setMode('reconnecting', 'Reconnecting…'));
}
function startPolling() {
  if (pollTimer !== null) return;
  poll();
  pollTimer = setInterval(poll, 1000);
}
function stopPolling() {
  if (pollTimer === null) return;
  clearInterval(pollTimer);
  pollTimer = null;
}

function openStream() {
  if (typeof EventSource === 'undefined') return startPolling();
  source = new EventSource('v1/view/events');
  source.addEventListener('view', (event) => {
    stopPolling();
    setMode('live', 'Live');
    onView(JSON.parse(event.data));
  });
  source.addEventListener('heartbeat', (event) => {
    stopPolling();
    setMode('live', 'Live');
    heard(JSON.parse(event.data).at);
  });
  source.addEventListener('error', () => {
    if (mode === 'live' || mode === '') setMode('reconnecting', 'Reconnecting…');
    startPolling();
    // A stream refused outright (503: too many pages open) is not retried by the browser.
    if (source && source.readyState === EventSource.CLOSED) {
      source = null;
      setTimeout(openStream, 10000);
    }
  });
}

// A stream gone silent (no view nor heartbeat for 40 s) is replaced by a new one.
setInterval(() => {
  if (source && mode === 'live' && Date.now() - lastMessageAt > 40000) {
    source.close();
    setMode('reconnecting', 'Reconnecting…');
    startPolling();
    openStream();
  }
}, 5000);
openStream();
`;
