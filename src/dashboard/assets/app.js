// The scaleml dashboard page: polls the JSON API (every 2 s while the tab is visible) and draws
// tables and SVG charts. Text from the server only ever goes into textContent (never innerHTML).
'use strict';

const state = { tab: 'cluster', experiment: null, offset: 0, limit: 50, sort: 'trial_id',
  order: 'asc', status: '', trial: null, benchmark: null };
const SVG = 'http://www.w3.org/2000/svg';
const COLORS = ['#3d7be0', '#e0783d', '#2fa36b', '#a33dc4', '#c43d5e', '#3db6c4', '#8a6d00',
  '#5a6375'];

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') node.className = v; else if (k.startsWith('data-')) node.setAttribute(k, v);
    else node[k] = v;
  }
  for (const c of children) node.append(c instanceof Node ? c : String(c ?? ''));
  return node;
}
function svg(tag, attrs) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  return node;
}
async function api(path) {
  const res = await fetch(path, { credentials: 'same-origin', cache: 'no-store' });
  if (res.status === 401) { window.location = '/login'; throw new Error('unauthorized'); }
  if (!res.ok) throw new Error(path + ': ' + res.status);
  return res.json();
}
function fmt(x, digits = 4) {
  if (x === null || x === undefined) return '';
  if (typeof x === 'number') return Number.isInteger(x) ? String(x) : x.toFixed(digits);
  return String(x);
}
function bytes(n) {
  if (!n) return '0';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  while (n >= 1000 && i < units.length - 1) { n /= 1000; i++; }
  return n.toFixed(i ? 1 : 0) + ' ' + units[i];
}
function bar(used, total) {
  const pct = total > 0 ? Math.min(100, 100 * used / total) : 0;
  const b = el('span', { class: 'bar' }, el('span'));
  b.firstChild.style.width = pct + '%';
  return b;
}
function fill(tbody, rows) { tbody.replaceChildren(...rows); }

// A line chart of one or more series [[x, y], ...] as SVG.
function lineChart(series, width, height, opts = {}) {
  const root = svg('svg', { width, height, viewBox: `0 0 ${width} ${height}` });
  const pad = opts.axes ? 40 : 2;
  const pts = series.flatMap(s => s.points);
  if (pts.length === 0) return root;
  let [x0, x1, y0, y1] = [Infinity, -Infinity, Infinity, -Infinity];
  for (const [x, y] of pts) { x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y); }
  if (x1 === x0) x1 = x0 + 1;
  if (y1 === y0) { y1 += 0.5; y0 -= 0.5; }
  const sx = x => pad + (x - x0) / (x1 - x0) * (width - pad - 8);
  const sy = y => height - pad + (opts.axes ? 0 : -2) - (y - y0) / (y1 - y0) * (height - pad - 10);
  if (opts.axes) {
    root.append(svg('line', { x1: pad, y1: height - pad, x2: width - 4, y2: height - pad, stroke: '#aab' }));
    root.append(svg('line', { x1: pad, y1: 6, x2: pad, y2: height - pad, stroke: '#aab' }));
    const label = (x, y, text, anchor) => { const t = svg('text', { x, y, 'text-anchor': anchor }); t.textContent = text; root.append(t); };
    label(pad - 4, sy(y1) + 4, fmt(y1, 3), 'end');
    label(pad - 4, sy(y0), fmt(y0, 3), 'end');
    label(pad, height - pad + 14, fmt(x0, 0), 'start');
    label(width - 8, height - pad + 14, fmt(x1, 0), 'end');
    if (opts.xlabel) label((width + pad) / 2, height - 6, opts.xlabel, 'middle');
    if (opts.ylabel) label(pad + 4, 14, opts.ylabel, 'start');
  }
  series.forEach((s, i) => {
    if (s.points.length === 0) return;
    const d = s.points.map(([x, y], k) => (k ? 'L' : 'M') + sx(x).toFixed(1) + ' ' + sy(y).toFixed(1)).join(' ');
    const path = svg('path', { d, fill: 'none', stroke: s.color || COLORS[i % COLORS.length],
      'stroke-width': s.bold ? 2.5 : 1.3 });
    const title = svg('title'); title.textContent = s.name || ''; path.append(title);
    root.append(path);
  });
  return root;
}

function renderCluster(c) {
  document.getElementById('cluster-address').textContent = c.address ? c.address + ' (' + (c.session || '') + ')' : '(no cluster: benchmark folders only)';
  const cards = [];
  if (c.error) cards.push(el('div', { class: 'card error' }, c.error));
  if (c.address && !c.error) {
    cards.push(el('div', { class: 'card' }, el('b', {}, `${c.nodes_alive} / ${c.nodes_alive + c.nodes_lost}`), 'nodes alive'));
    cards.push(el('div', { class: 'card' }, el('b', {}, `${c.cpus_used} / ${c.cpus_total}`), 'CPUs used'));
    const t = c.tasks || {};
    cards.push(el('div', { class: 'card' }, el('b', {}, `${t.running} running`), `${t.pending} pending, ${t.done} done, ${t.failed} failed tasks`));
  }
  document.getElementById('cluster-summary').replaceChildren(...cards);
  fill(document.querySelector('#nodes tbody'), (c.nodes || []).map(n => el('tr', { class: 'node-row', 'data-state': n.state },
    el('td', {}, n.name, ' ', el('span', { class: 'muted' }, n.node_id)),
    el('td', { class: 'state-' + n.state }, n.state), el('td', {}, n.host),
    el('td', {}, bar(n.used_cpus, n.cpus), `${n.used_cpus} / ${n.cpus}`), el('td', {}, n.running),
    el('td', {}, bar(n.used_memory_bytes || 0, n.memory_bytes || 0), `${bytes(n.used_memory_bytes || 0)} / ${bytes(n.memory_bytes || 0)}`),
    el('td', {}, bar(n.object_bytes, n.store_limit), `${bytes(n.object_bytes)} of ${bytes(n.store_limit)} (${n.objects} objects)`),
    el('td', {}, bytes(n.spilled_bytes)))));
}

function renderExperimentList(list) {
  fill(document.querySelector('#experiment-list tbody'), list.map(e => {
    const row = el('tr', { class: 'clickable experiment-row' + (e.name === state.experiment ? ' selected' : ''), 'data-name': e.name },
      el('td', {}, e.name), el('td', {}, e.algo), el('td', {}, `${e.metric} (${e.mode})`), el('td', {}, e.trials),
      el('td', { class: 'state-RUNNING' }, e.counts.RUNNING), el('td', {}, e.counts.TERMINATED),
      el('td', { class: e.counts.ERROR ? 'state-ERROR' : '' }, e.counts.ERROR),
      el('td', { class: 'best' }, e.best ? `★ ${e.best.trial_id}: ${fmt(e.best.metric)}` : ''));
    row.onclick = () => { state.experiment = e.name; state.offset = 0; state.trial = null; refresh(); };
    return row;
  }));
  if (!state.experiment && list.length) state.experiment = list[0].name;
}

async function renderTrials() {
  const detail = document.getElementById('experiment-detail');
  if (!state.experiment) { detail.hidden = true; return; }
  const q = new URLSearchParams({ offset: state.offset, limit: state.limit, sort: state.sort,
    order: state.order, status: state.status, curve_points: 60 });
  const page = await api(`/api/experiments/${encodeURIComponent(state.experiment)}/trials?${q}`);
  detail.hidden = false;
  document.getElementById('experiment-title').textContent = `${page.name}: ${page.algo}, ${page.metric} (${page.mode}), ${page.trials} trials`;
  document.getElementById('page-info').textContent = page.total ? `${page.offset + 1}–${Math.min(page.offset + page.rows.length, page.total)} of ${page.total}` : 'no trials';
  document.getElementById('prev').disabled = state.offset === 0;
  document.getElementById('next').disabled = state.offset + page.rows.length >= page.total;
  const series = page.rows.filter(r => r.curve && r.curve.length).map((r, i) => ({ name: r.trial_id, points: r.curve,
    bold: r.best, color: r.best ? '#b8860b' : COLORS[i % COLORS.length] }));
  const metricName = page.rows.find(r => r.curve_metric)?.curve_metric || page.metric;
  document.getElementById('experiment-chart').replaceChildren(series.length ? lineChart(series, 720, 240, { axes: true, xlabel: 'iteration', ylabel: metricName }) : el('p', { class: 'muted' }, 'no per-round results yet'));
  fill(document.querySelector('#trials tbody'), page.rows.map(r => {
    const config = Object.entries(r.config || {}).map(([k, v]) => `${k}=${fmt(v)}`).join(', ');
    const row = el('tr', { class: 'clickable trial-row' + (r.trial_id === state.trial ? ' selected' : ''), 'data-status': r.status, 'data-trial': r.trial_id },
      el('td', { class: r.best ? 'best' : '' }, (r.best ? '★ ' : '') + r.trial_id),
      el('td', { class: 'state-' + r.status, title: r.error || '' }, r.status), el('td', {}, config), el('td', {}, r.node),
      el('td', {}, fmt(r.iteration)), el('td', {}, fmt(r.metric)), el('td', {}, r.time_s ? fmt(r.time_s, 1) : ''),
      el('td', {}, r.curve && r.curve.length ? lineChart([{ points: r.curve, color: r.best ? '#b8860b' : '#3d7be0' }], 120, 28) : ''));
    row.onclick = () => { state.trial = r.trial_id; renderTrial(); };
    return row;
  }));
  if (state.trial) renderTrial();
}

async function renderTrial() {
  const base = `/api/experiments/${encodeURIComponent(state.experiment)}/trials/${encodeURIComponent(state.trial)}`;
  const [trial, log] = await Promise.all([api(base), api(base + '/log')]);
  document.getElementById('trial-detail').hidden = false;
  document.getElementById('trial-title').textContent = `${trial.trial_id}: ${trial.status}` + (trial.error ? ' — ' + trial.error : '');
  document.getElementById('trial-chart').replaceChildren(trial.curve && trial.curve.length ? lineChart([{ points: trial.curve, bold: true }], 720, 220, { axes: true, xlabel: 'iteration', ylabel: trial.curve_metric }) : el('p', { class: 'muted' }, 'no per-round results'));
  document.getElementById('trial-log').textContent = log.lines.length ? log.lines.join('\n') : '(no log lines for this trial)';
}

function renderDdp(groups) {
  fill(document.querySelector('#ddp-groups tbody'), groups.map(g => el('tr', { class: 'ddp-row', 'data-state': g.state },
    el('td', {}, `pid ${g.launcher_pid} on ${g.host || ''}`), el('td', {}, g.started ? new Date(g.started * 1000).toLocaleString() : ''),
    el('td', { class: 'state-' + g.state }, g.state),
    el('td', {}, (g.ranks || []).map(r => `${r.rank}:${r.state}`).join(' ')),
    el('td', { class: 'state-failed' }, g.failed_rank ?? ''), el('td', {}, (g.command || []).join(' ')),
    el('td', {}, g.message || ''))));
}

function sortableTable(table, header, rows) {
  let key = -1, dir = 1;
  const draw = () => {
    const sorted = key < 0 ? rows : [...rows].sort((a, b) => {
      const x = a[key], y = b[key];
      const nx = parseFloat(x), ny = parseFloat(y);
      const c = !isNaN(nx) && !isNaN(ny) ? nx - ny : String(x).localeCompare(String(y));
      return c * dir;
    });
    const head = el('tr', {}, ...header.map((h, i) => { const th = el('th', {}, h + (i === key ? (dir > 0 ? ' ▲' : ' ▼') : '')); th.onclick = () => { dir = key === i ? -dir : 1; key = i; draw(); }; return th; }));
    table.replaceChildren(el('thead', {}, head), el('tbody', {}, ...sorted.map(r => el('tr', {}, ...r.map(c => el('td', {}, c))))));
  };
  table.classList.add('sortable');
  draw();
  return table;
}

// report.md: its tables become sortable tables; headings and other text stay text.
function renderMarkdown(md) {
  const out = [];
  const lines = md.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.startsWith('|') && i + 1 < lines.length && /^\|[\s:|-]+\|?\s*$/.test(lines[i + 1])) {
      const cells = l => l.replace(/^\|/, '').replace(/\|\s*$/, '').split('|').map(c => c.trim().replace(/\*\*/g, ''));
      const header = cells(line);
      const rows = [];
      i += 2;
      while (i < lines.length && lines[i].startsWith('|')) rows.push(cells(lines[i++]));
      i--;
      out.push(sortableTable(el('table'), header, rows));
    } else if (/^#+ /.test(line)) {
      out.push(el('h' + Math.min(6, line.match(/^#+/)[0].length + 2), {}, line.replace(/^#+ /, '')));
    } else if (line.startsWith('![')) {
      continue;  // figures are shown below
    } else if (line.trim()) {
      out.push(el('p', {}, line));
    }
  }
  return out;
}

function renderBenchmarkList(list) {
  fill(document.querySelector('#benchmark-list tbody'), list.map(b => {
    const row = el('tr', { class: 'clickable benchmark-row' + (b.name === state.benchmark ? ' selected' : '') },
      el('td', {}, b.name), el('td', {}, b.runs), el('td', {}, b.ok), el('td', {}, b.figures.length));
    row.onclick = () => { state.benchmark = b.name; renderBenchmark(); };
    return row;
  }));
}

async function renderBenchmark() {
  const b = await api(`/api/benchmarks/${encodeURIComponent(state.benchmark)}`);
  document.getElementById('benchmark-detail').hidden = false;
  document.getElementById('benchmark-title').textContent = b.name + (b.error ? ' — ' + b.error : '');
  document.getElementById('benchmark-report').replaceChildren(...renderMarkdown(b.report_md || ''));
  document.getElementById('benchmark-figures').replaceChildren(...b.figures.map(f =>
    el('img', { src: `/api/benchmarks/${encodeURIComponent(b.name)}/figures/${encodeURIComponent(f)}`, alt: f, title: f })));
  const keys = [];
  for (const r of b.records) for (const [k, v] of Object.entries(r)) if (typeof v !== 'object' && !keys.includes(k)) keys.push(k);
  sortableTable(document.getElementById('benchmark-records'), keys, b.records.map(r => keys.map(k => fmt(r[k]))));
}

let busy = false;
async function refresh() {
  if (busy || document.hidden) return;
  busy = true;
  try {
    const o = await api('/api/overview');
    renderCluster(o.cluster);
    renderExperimentList(o.experiments);
    renderDdp(o.ddp);
    renderBenchmarkList(o.benchmarks);
    if (state.tab === 'experiments' || state.tab === 'cluster') await renderTrials();
    document.getElementById('updated').textContent = 'updated ' + new Date().toLocaleTimeString();
  } catch (e) {
    document.getElementById('updated').textContent = String(e.message || e);
  } finally {
    busy = false;
  }
}

// #TAB, or #experiments/NAME and #benchmarks/NAME to open one (links, screenshots).
function showTab() {
  const [tab, name] = (location.hash || '#cluster').slice(1).split('/');
  state.tab = tab;
  if (name && tab === 'experiments') { state.experiment = decodeURIComponent(name); state.offset = 0; }
  if (name && tab === 'benchmarks') { state.benchmark = decodeURIComponent(name); renderBenchmark().catch(() => {}); }
  for (const s of document.querySelectorAll('.tab')) s.classList.toggle('shown', s.id === state.tab || (state.tab === 'cluster' && s.id === 'experiments'));
  for (const a of document.querySelectorAll('#tabs a')) a.classList.toggle('active', a.dataset.tab === state.tab);
}

window.addEventListener('hashchange', () => { showTab(); refresh(); });
document.addEventListener('visibilitychange', refresh);
document.getElementById('prev').onclick = () => { state.offset = Math.max(0, state.offset - state.limit); refresh(); };
document.getElementById('next').onclick = () => { state.offset += state.limit; refresh(); };
document.getElementById('status-filter').onchange = e => { state.status = e.target.value; state.offset = 0; refresh(); };
for (const th of document.querySelectorAll('#trials th[data-sort]')) {
  th.onclick = () => { const k = th.dataset.sort; state.order = state.sort === k && state.order === 'asc' ? 'desc' : 'asc'; state.sort = k; refresh(); };
}
showTab();
refresh();
setInterval(refresh, 2000);
