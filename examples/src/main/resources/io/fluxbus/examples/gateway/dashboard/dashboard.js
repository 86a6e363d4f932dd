// The gateway dashboard: polls /stats and /health every second, computes rates from successive counters, and
// tails a pattern over Server-Sent Events. Plain DOM, no build step; every value is set as text, never as HTML.
'use strict';

const TAIL_LIMIT = 100;
let previous = null;   // { at: performance.now(), stats }
let tail = null;       // the EventSource of the live tail

function cell(row, value) {
  const td = document.createElement('td');
  td.textContent = value;
  row.appendChild(td);
}

function fill(tableId, rows, columns, emptyText) {
  const body = document.querySelector('#' + tableId + ' tbody');
  body.replaceChildren();
  if (rows.length === 0) {
    const tr = body.insertRow();
    const td = document.createElement('td');
    td.colSpan = columns;
    td.className = 'empty';
    td.textContent = emptyText;
    tr.appendChild(td);
    return;
  }
  for (const values of rows) {
    const tr = body.insertRow();
    values.forEach(v => cell(tr, v));
  }
}

function rate(now, before, seconds) {
  if (before === undefined || seconds <= 0) return '–';
  return (Math.max(0, now - before) / seconds).toFixed(1);
}

function renderStats(stats) {
  const at = performance.now();
  const seconds = previous ? (at - previous.at) / 1000 : 0;
  const before = {};
  const topicsBefore = {};
  if (previous) {
    previous.stats.engines.forEach(e => { before[e.name] = e; });
    before['(all)'] = previous.stats.total;
    previous.stats.topics.forEach(t => { topicsBefore[t.topic] = t.published; });
  }
  const engineRow = (name, s) => {
    const b = before[name] || {};
    return [name, s.published, s.delivered, s.dropped, s.failed,
      rate(s.published, b.published, seconds), rate(s.delivered, b.delivered, seconds),
      rate(s.dropped, b.dropped, seconds)];
  };
  const rows = stats.engines.map(e => engineRow(e.name, e));
  if (stats.engines.length > 1) rows.push(engineRow('(all)', stats.total));
  fill('engines', rows, 8, 'no engines');
  fill('topics', stats.topics.map(t => [t.topic, t.engine, t.subscribers, t.published,
    rate(t.published, topicsBefore[t.topic] ?? (previous ? 0 : undefined), seconds)]), 5, 'nothing published through this gateway yet');
  fill('patterns', stats.patterns.map(p => [p.pattern, p.engines.join(', '), p.streams]), 3,
    'no subscriptions');
  document.getElementById('uptime').textContent = 'up ' + stats.uptimeSeconds + ' s · ' + stats.streams
    + ' open stream(s)';
  previous = { at, stats };
}

function renderHealth(health) {
  const badge = document.getElementById('health');
  badge.textContent = health.status;
  badge.className = 'badge ' + (health.status === 'UP' ? 'up' : 'down');
}

async function refresh() {
  try {
    const [stats, health] = await Promise.all([
      fetch('stats').then(r => r.json()),
      fetch('health').then(r => r.json())]);
    renderStats(stats);
    renderHealth(health);
  } catch (e) {
    renderHealth({ status: 'UNREACHABLE' });
  }
}

function showTailState(text, up) {
  const state = document.getElementById('tail-state');
  state.textContent = text;
  state.className = 'badge' + (up === null ? '' : up ? ' up' : ' down');
}

function startTail(pattern) {
  if (tail) tail.close();
  const list = document.getElementById('tail');
  list.replaceChildren();
  showTailState('connecting', null);
  tail = new EventSource('events/' + encodeURIComponent(pattern));
  tail.onopen = () => showTailState('live: ' + pattern, true);
  tail.onerror = () => showTailState(tail.readyState === EventSource.CLOSED ? 'closed' : 'reconnecting', false);
  tail.onmessage = message => {
    const event = JSON.parse(message.data);
    const item = document.createElement('li');
    item.dataset.id = event.id;
    const time = document.createElement('time');
    time.textContent = event.time ? event.time.substring(11, 23) : '';
    const topic = document.createElement('span');
    topic.className = 'topic';
    topic.textContent = event.type;
    const id = document.createElement('span');
    id.className = 'muted';
    id.textContent = event.id;
    const data = document.createElement('span');
    data.className = 'data';
    data.textContent = JSON.stringify(event.data);
    item.append(time, topic, id, data);
    list.prepend(item);
    while (list.children.length > TAIL_LIMIT) list.lastChild.remove();
  };
}

document.getElementById('tail-form').addEventListener('submit', e => {
  e.preventDefault();
  startTail(document.getElementById('tail-pattern').value.trim());
});

document.getElementById('publish').addEventListener('submit', async e => {
  e.preventDefault();
  const out = document.getElementById('publish-result');
  const topic = document.getElementById('publish-topic').value.trim();
  try {
    const response = await fetch('events/' + encodeURIComponent(topic), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: document.getElementById('publish-payload').value
    });
    const answer = await response.json();
    out.textContent = response.ok
      ? 'published ' + answer.eventId + ' to ' + answer.delivered + ' subscriber(s), dropped by ' + answer.dropped
      : response.status + ' ' + answer.error + ': ' + answer.message;
  } catch (err) {
    out.textContent = 'failed: ' + err;
  }
});

startTail(document.getElementById('tail-pattern').value.trim());
refresh();
setInterval(refresh, 1000);
