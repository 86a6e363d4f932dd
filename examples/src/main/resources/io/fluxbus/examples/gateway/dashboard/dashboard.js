// The gateway dashboard: polls /stats and /health every second, computes rates from successive counters, and
// tails a pattern over Server-Sent Events. Plain DOM, no build step; every value is set as text, never as HTML.
'use strict';

const TAIL_LIMIT = 100;
let previous = null;   // { at: performance.now(), stats }
let tail = null;       // the EventSource of the live tail
let tailRun = 0;       // counts startTail calls, so a late answer about an old tail is ignored

const pad = (n, width) => String(n).padStart(width || 2, '0');

/** The browser's offset from UTC now, e.g. 'UTC+05:30'. */
function utcOffset() {
  const minutes = -new Date().getTimezoneOffset();
  const abs = Math.abs(minutes);
  return 'UTC' + (minutes < 0 ? '-' : '+') + pad(Math.floor(abs / 60)) + ':' + pad(abs % 60);
}

/** An event's time (RFC 3339, UTC) as the browser's local time of day with milliseconds. */
function localTime(iso) {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  return pad(at.getHours()) + ':' + pad(at.getMinutes()) + ':' + pad(at.getSeconds()) + '.'
    + pad(at.getMilliseconds(), 3);
}

/** Shows what happened in an output: class 'ok', or 'error' with role="alert" so it is announced too. */
function showResult(element, text, ok) {
  element.textContent = text;
  element.classList.toggle('ok', ok);
  element.classList.toggle('error', !ok);
  if (ok) element.removeAttribute('role'); else element.setAttribute('role', 'alert');
}

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

function showTailError(text) {
  const error = document.getElementById('tail-error');
  error.textContent = text;
  error.hidden = text === null;
}

/**
 * An EventSource that failed tells nothing about why: ask the gateway the same question with fetch, which sees its
 * answer (a 400 naming the bad pattern, say). A stream that does open this time is closed again at once.
 */
async function explainTailFailure(url, pattern, run) {
  const abort = new AbortController();
  let text;
  try {
    const response = await fetch(url, { signal: abort.signal, headers: { Accept: 'text/event-stream' } });
    if (response.ok) {
      abort.abort();
      text = 'the stream of ' + pattern + ' was closed by the gateway; press Tail to open it again';
    } else {
      const answer = await response.json().catch(() => null);
      text = answer && answer.message ? response.status + ' ' + answer.error + ': ' + answer.message
        : 'the gateway answered ' + response.status + ' ' + response.statusText;
    }
  } catch (err) {
    text = 'the gateway cannot be reached: ' + err.message;
  }
  if (run === tailRun) showTailError(text);
}

function startTail(pattern) {
  if (tail) tail.close();
  const run = ++tailRun;
  const list = document.getElementById('tail');
  list.replaceChildren();
  showTailError(null);
  showTailState('connecting', null);
  const url = 'events/' + encodeURIComponent(pattern);
  const source = new EventSource(url);
  tail = source;
  source.onopen = () => {
    showTailError(null);
    showTailState('live: ' + pattern, true);
  };
  source.onerror = () => {
    if (source.readyState === EventSource.CLOSED) {
      showTailState('error', false);
      explainTailFailure(url, pattern, run);
    } else {
      showTailState('reconnecting', false);
    }
  };
  source.onmessage = message => {
    const event = JSON.parse(message.data);
    const item = document.createElement('li');
    item.dataset.id = event.id;
    const time = document.createElement('time');
    if (event.time) {
      time.dateTime = event.time;
      time.title = event.time + ' (UTC)';
      time.textContent = localTime(event.time);
    }
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
    const answer = await response.json().catch(() => null);
    if (response.ok && answer) {
      showResult(out, 'published ' + answer.eventId + ' to ' + answer.delivered + ' subscriber(s), dropped by '
        + answer.dropped, true);
    } else {
      showResult(out, answer && answer.message ? response.status + ' ' + answer.error + ': ' + answer.message
        : 'the gateway answered ' + response.status + ' ' + response.statusText, false);
    }
  } catch (err) {
    showResult(out, 'failed: ' + err.message, false);
  }
});

const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
document.getElementById('tail-zone').textContent = 'times in ' + (zone ? zone + ', ' : '') + utcOffset();

startTail(document.getElementById('tail-pattern').value.trim());
refresh();
setInterval(refresh, 1000);
