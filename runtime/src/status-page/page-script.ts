/**
 * The status page's browser script: renders each view into the page skeleton and keeps it
 * live (server-sent events, polling while the stream is down). Plain JavaScript in a string:
 * the runtime is compiled for Node, not for the DOM. Everything from the view goes into the
 * page through textContent, text nodes and data attributes, never as markup, so a name in the
 * view cannot inject anything. Cards and columns are kept by key across updates, so a card
 * focused from the keyboard keeps its focus while the page updates every second.
 * The formatting helpers it calls (formatBytes, lagPercent, lagLevel, timelineTitle,
 * formatSpan, LAG_SCALE_BYTES) come from page-format.ts, inlined before it.
 */
export const PAGE_MAIN_SCRIPT = String.raw`
const byId = (id) => document.getElementById(id);
const rendered = new WeakMap();

function el(tag, props, children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name === 'className') node.className = value;
    else if (name === 'text') node.textContent = String(value);
    else node.setAttribute(name, String(value));
  }
  for (const child of children || []) if (child !== null && child !== undefined && child !== '') node.append(child);
  return node;
}
function setText(node, text) { if (node.textContent !== text) node.textContent = text; }
function setAttr(node, name, value) { if (node.getAttribute(name) !== value) node.setAttribute(name, value); }
/** True (and remembered) when what a node shows would change: unchanged nodes are left alone. */
function changed(node, key) {
  if (rendered.get(node) === key) return false;
  rendered.set(node, key);
  return true;
}
function localTime(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso);
  return date.toDateString() === new Date().toDateString() ? date.toLocaleTimeString() : date.toLocaleString();
}
function timeEl(iso) { return el('time', { datetime: iso, text: localTime(iso) }); }
function count(value) { return value === null || value === undefined ? '—' : String(value); }

/** The child of parent with this key, or a new one (placed by placeChildren). */
function keyedChild(parent, key, create) {
  for (const child of parent.children) if (child.dataset.key === key) return child;
  const node = create();
  node.dataset.key = key;
  return node;
}
/** Puts nodes in parent in this order, moving only what is out of place, and drops the rest. */
function placeChildren(parent, nodes) {
  nodes.forEach((node, index) => {
    if (parent.children[index] !== node) parent.insertBefore(node, parent.children[index] || null);
  });
  while (parent.children.length > nodes.length) parent.lastElementChild.remove();
}

function renderSummary(view) {
  const cluster = view.cluster;
  setText(byId('cluster-name'), cluster.name);
  const title = cluster.name + ' · Polygres';
  if (document.title !== title) document.title = title;
  setText(byId('s-primary'), cluster.primary || 'none');
  setText(byId('s-term'), cluster.term === null ? '—' : String(cluster.term));
  setText(byId('s-rule'), cluster.ruleStatus || 'no rule yet');
  setText(byId('s-policy'), cluster.policy || '—');
  setText(byId('s-sync'), cluster.syncStandbyNames || 'asynchronous');
}

function renderAlerts(view) {
  const alerts = byId('alerts');
  const election = view.cluster.election;
  if (!changed(alerts, JSON.stringify([election, view.cluster.problems]))) return;
  const nodes = [];
  if (election) {
    const what = timelineTitle(election.kind === 'policy-change' ? 'policy' : election.kind, election.kind);
    nodes.push(el('div', { className: 'banner electing', role: 'alert', 'data-testid': 'election' }, [
      el('strong', { text: what + ' under way' }),
      ' (term ' + election.term + '): ' + election.reason + '. New statements wait at the gateways until the new rule serves.',
    ]));
  }
  if (view.cluster.problems.length > 0) {
    nodes.push(el('div', { className: 'banner problem', 'data-testid': 'problems' }, [
      el('strong', { text: 'What the orchestrators see' }),
      el('ul', null, view.cluster.problems.map((problem) => el('li', { text: problem }))),
    ]));
  }
  alerts.replaceChildren(...nodes);
}

function renderZones(view) {
  const zones = byId('zones');
  zones.style.setProperty('--zones', String(Math.max(1, view.zones.length)));
  const columns = view.zones.map((zone) => {
    const column = keyedChild(zones, zone, () =>
      el('section', { className: 'zone', 'data-testid': 'zone-column', 'data-zone': zone, 'aria-label': 'Zone ' + zone }, [
        el('h3', { text: zone }),
        el('div', { className: 'zone-cards' }),
      ]));
    const cards = column.querySelector('.zone-cards');
    placeChildren(cards, [
      ...view.instances.filter((instance) => instance.zone === zone).map((instance) => renderInstance(cards, instance, view)),
      ...view.gateways.filter((gateway) => gateway.zone === zone).map((gateway) => renderGateway(cards, gateway)),
    ]);
    return column;
  });
  placeChildren(zones, columns);
}

function renderInstance(parent, instance, view) {
  const card = keyedChild(parent, 'i:' + instance.name, () =>
    el('article', { className: 'card instance', tabindex: '0', 'data-testid': 'instance-card', 'data-instance': instance.name }));
  const isPrimary = instance.role === 'primary';
  const standbys = view.instances.filter((other) => other.role === 'replica' && other.replicationState === 'streaming');
  const synchronous = standbys.filter((other) => other.syncState === 'sync' || other.syncState === 'quorum');
  // The rule's primary while its Postgres is not up as one: what a failover starts from.
  const lostPrimary = !isPrimary && instance.name === view.cluster.primary;
  if (!changed(card, JSON.stringify([instance, lostPrimary, isPrimary && [standbys.length, synchronous.length]]))) return card;
  card.className = 'card instance' + (isPrimary ? ' is-primary' : '') + (instance.healthy ? '' : ' is-down');
  setAttr(card, 'data-role', instance.role);
  const lagWords = instance.lagBytes === null ? '' : ', ' + formatBytes(instance.lagBytes) + ' behind the primary';
  setAttr(card, 'aria-label', instance.name + ': ' + (lostPrimary ? 'primary, lost' : instance.role) + ', ' + (instance.healthy ? 'healthy' : 'not healthy') + ', ' + instance.phase + lagWords);
  const facts = [['LSN', el('span', { className: 'mono', text: instance.lsn || '—' })]];
  if (isPrimary) facts.push(['Standbys', standbys.length + ' streaming, ' + synchronous.length + ' synchronous']);
  else if (!lostPrimary) {
    facts.push(['Replication', (instance.replicationState || 'not streaming') + (instance.syncState ? ' · ' + instance.syncState : '')]);
    facts.push(['Lag', el('span', { className: 'mono', 'data-testid': 'lag', text: instance.lagBytes === null ? 'unknown' : formatBytes(instance.lagBytes) })]);
  }
  const children = [
    el('div', { className: 'card-head' }, [
      el('h4', { text: instance.name }),
      el('span', { className: 'badge ' + (lostPrimary ? 'down' : instance.role), 'data-testid': 'role-badge', text: lostPrimary ? 'primary, lost' : instance.role }),
    ]),
    el('p', { className: 'health' }, [el('span', { className: 'dot', 'aria-hidden': 'true' }), (instance.healthy ? 'Healthy' : 'Not healthy') + ' · ' + instance.phase]),
    el('dl', { className: 'facts' }, facts.flatMap(([term, value]) => [el('dt', { text: term }), el('dd', null, [value])])),
  ];
  if (!isPrimary && !lostPrimary) {
    const fill = el('span');
    fill.style.width = lagPercent(instance.lagBytes, LAG_SCALE_BYTES) + '%';
    children.push(el('div', { className: 'lag-bar', 'data-level': lagLevel(instance.lagBytes, LAG_SCALE_BYTES), title: 'lag; the bar is full at ' + formatBytes(LAG_SCALE_BYTES), 'aria-hidden': 'true' }, [fill]));
  }
  if (instance.error) children.push(el('p', { className: 'error', text: instance.error }));
  card.replaceChildren(...children);
  return card;
}

function stat(label, value) { return el('div', null, [el('dt', { text: label }), el('dd', { text: value })]); }

function renderGateway(parent, gateway) {
  const card = keyedChild(parent, 'g:' + gateway.zone, () =>
    el('article', { className: 'card gateway', tabindex: '0', 'data-testid': 'gateway-card', 'data-zone': gateway.zone }));
  if (!changed(card, JSON.stringify(gateway))) return card;
  setAttr(card, 'aria-label', 'Gateway of ' + gateway.zone + ': ' + (gateway.listening ? 'listening' : 'not listening') + ', ' +
    count(gateway.clientConnections) + ' client connections, ' + count(gateway.waiting) + ' sessions waiting');
  card.replaceChildren(...[
    el('div', { className: 'card-head' }, [
      el('h4', { text: 'Gateway' }),
      el('span', { className: 'badge ' + (gateway.listening ? 'up' : 'down'), text: gateway.listening ? 'listening' : 'down' }),
    ]),
    el('dl', { className: 'stats' }, [
      stat('Client connections', count(gateway.clientConnections)),
      stat('Sessions waiting', count(gateway.waiting)),
      stat('Server active', count(gateway.serverActive)),
      stat('Server idle', count(gateway.serverIdle)),
    ]),
    gateway.error ? el('p', { className: 'error', text: 'HTTP port: ' + gateway.error }) : null,
  ].filter(Boolean));
  return card;
}

function renderTimeline(view) {
  const list = byId('timeline');
  if (!changed(list, JSON.stringify(view.history))) return;
  list.replaceChildren(...view.history.map((entry) =>
    el('li', { className: 'event', 'data-testid': 'timeline-entry', 'data-kind': entry.kind, 'data-action': entry.action, 'data-outcome': entry.outcome }, [
      el('div', { className: 'event-head' }, [
        el('strong', { text: timelineTitle(entry.kind, entry.action) }),
        el('span', { className: 'outcome', text: entry.outcome }),
        el('span', { className: 'meta', text: 'term ' + entry.term }),
      ]),
      timeEl(entry.at),
      entry.detail ? el('p', { className: 'detail', text: entry.detail }) : null,
    ])));
}

function renderBackups(view) {
  const box = byId('backups');
  const backups = view.backups;
  if (!changed(box, JSON.stringify(backups))) return;
  const nodes = [];
  if (!backups.configured) {
    nodes.push(el('p', { className: 'note', text: 'No backup repository: the ClusterSpec has no backup section.' }));
    box.replaceChildren(...nodes);
    return;
  }
  const reach = backups.recoverable;
  nodes.push(el('p', { className: 'window', 'data-testid': 'recoverable-window' }, [el('strong', { text: 'Recoverable window' }),
    ...(reach
      ? [timeEl(reach.from), ' → ', timeEl(reach.to), ' (' + formatSpan(Date.parse(reach.to) - Date.parse(reach.from)) + ')']
      : [backups.checkedAt ? 'none yet: the repository holds no backup' : 'reading the repository…'])]));
  if (backups.archiveFailing) nodes.push(el('p', { className: 'note bad', text: 'WAL archiving is failing: a restore reaches no further than the last archived segment.' }));
  if (backups.lastArchivedAt) nodes.push(el('p', { className: 'note' }, ['Last WAL segment archived ', timeEl(backups.lastArchivedAt)]));
  if (backups.running) nodes.push(el('p', { className: 'note' }, ['A ' + backups.running.type + ' backup is running since ', timeEl(backups.running.since)]));
  if (backups.error) nodes.push(el('p', { className: 'note bad', text: 'The repository could not be read: ' + backups.error }));
  if (backups.list.length > 0) {
    const rows = backups.list.map((backup) => el('tr', { 'data-testid': 'backup-row' }, [
      el('td', { text: backup.type }),
      el('td', null, [timeEl(backup.stop)]),
      el('td', { className: 'num', text: formatSpan(Date.parse(backup.stop) - Date.parse(backup.start)) }),
      el('td', { className: 'num', text: formatBytes(backup.sizeBytes) }),
      el('td', { className: 'mono label', text: backup.label }),
    ]));
    nodes.push(el('div', { className: 'table-wrap', role: 'region', 'aria-label': 'Backups, newest first', tabindex: '0' }, [
      el('table', null, [
        el('thead', null, [el('tr', null, ['Type', 'Finished', 'Took', 'Size', 'Label'].map((name) => el('th', { scope: 'col', text: name })))]),
        el('tbody', null, rows),
      ]),
    ]));
  }
  if (backups.checkedAt) nodes.push(el('p', { className: 'note' }, ['Repository ' + (backups.status || 'status unknown') + '; read ', timeEl(backups.checkedAt)]));
  box.replaceChildren(...nodes);
}

function render(view) {
  renderSummary(view);
  renderAlerts(view);
  renderZones(view);
  renderTimeline(view);
  renderBackups(view);
}
`;
