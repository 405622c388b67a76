import { LOGIN_PATH, LOGOUT_PATH, PAGE_PATH, POLL_INTERVAL_MS, SCRIPT_PATH, STYLE_PATH } from './constants.js'
import type { StatusView } from './view.js'

/*
 * The page as the server renders it: complete without JavaScript (the table of nodes and the
 * recent errors); page.js then draws the topology and keeps everything current. Every string
 * that came from elsewhere goes through `text()`.
 */

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

/** `value` as HTML text or attribute value */
export function text (value: string | number): string {
  return String(value).replace(/[&<>"']/g, c => ESCAPES[c])
}

function layout (title: string, body: string, bodyAttrs = ''): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${text(title)}</title>
<link rel="stylesheet" href="${STYLE_PATH}">
</head>
<body${bodyAttrs}>
${body}
</body>
</html>
`
}

/** The login form; `problem` says why the last try failed */
export function renderLogin (nodeId: string, problem?: string): string {
  return layout(`ClawMatrix · ${nodeId}`, `<main class="login">
<h1>ClawMatrix <span class="muted">${text(nodeId)}</span></h1>
<form method="post" action="${LOGIN_PATH}">
<label for="token">API token</label>
<input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
${problem != null ? `<p class="problem" role="alert">${text(problem)}</p>` : ''}
<button type="submit">Log in</button>
<p class="muted">The node's apiToken (the file <code>api-token</code> in its dataDir unless the config sets one) or its admin token.</p>
</form>
</main>`)
}

function list (values: string[]): string {
  return values.length === 0 ? '<span class="muted">-</span>' : values.map(v => text(v)).join(', ')
}

function cell (value: string | null, className: string): string {
  return `<td class="${className}">${value == null || value === '' ? '<span class="muted">-</span>' : text(value)}</td>`
}

export interface NodeRow {
  nodeId: string
  peerId: string | null
  path: string
  via: string | null
  latencyMs: number | null
  models: Array<{ id: string, available: boolean }>
  agents: Array<{ id: string }>
  tags: string[]
  toolProxy: boolean
  lastError: string | null
  /** `conflict` or `impostor` when the node id is claimed by another peer too */
  standing: string
}

/** This node first, then its peers, one row each */
export function nodeRows (view: StatusView): NodeRow[] {
  const self = view.node
  return [
    { nodeId: self.nodeId, peerId: self.peerId, path: 'this node', via: null, latencyMs: null, models: self.models, agents: self.agents, tags: self.tags, toolProxy: self.toolProxy, lastError: null, standing: 'ok' },
    ...view.peers.map(p => ({ nodeId: p.nodeId, peerId: p.peerId, path: p.path, via: p.reachableVia, latencyMs: p.latencyMs, models: p.models, agents: p.agents, tags: p.tags, toolProxy: p.toolProxy, lastError: p.lastError, standing: p.standing }))
  ]
}

function row (r: NodeRow): string {
  const models = r.models.map(m => m.available ? m.id : `${m.id} (unavailable)`)
  return `<tr data-node="${text(r.nodeId)}" class="${r.path === 'this node' ? 'self' : text(r.path)}">` +
    cell(r.nodeId, 'node') +
    `<td class="peer" title="${text(r.peerId ?? '')}">${r.peerId != null ? text(r.peerId) : '<span class="muted">-</span>'}</td>` +
    cell(r.standing === 'ok' ? r.path : `${r.path} · ${r.standing}`, 'path') +
    cell(r.via, 'via') +
    cell(r.latencyMs != null ? `${r.latencyMs} ms` : null, 'latency') +
    `<td class="models">${list(models)}</td>` +
    `<td class="agents">${list(r.agents.map(a => a.id))}</td>` +
    `<td class="tags">${list(r.tags)}</td>` +
    cell(r.toolProxy ? 'on' : 'off', 'tools') +
    cell(r.lastError, 'error') +
    '</tr>'
}

function errorRows (view: StatusView): string {
  const errors = [...view.activity.errors].reverse()
  if (errors.length === 0) return '<tr class="empty"><td colspan="5" class="muted">No failed requests since the node started.</td></tr>'
  return errors.map(e => '<tr>' +
    `<td class="time">${text(new Date(e.at).toISOString().slice(11, 19))}</td>` +
    cell(e.plane, 'plane') + cell(e.node, 'node') + cell(e.code, 'code') + cell(e.message, 'message') +
    '</tr>').join('\n')
}

/** The whole page for a logged-in operator */
export function renderPage (view: StatusView): string {
  const self = view.node
  return layout(`ClawMatrix · ${self.nodeId}`, `<header>
<h1>ClawMatrix <span class="node-name">${text(self.nodeId)}</span></h1>
<p class="muted">version ${text(self.version)} · <span id="updated">as of ${text(new Date(view.at).toISOString().slice(11, 19))} UTC</span></p>
<form method="post" action="${LOGOUT_PATH}"><button type="submit">Log out</button></form>
</header>
<main>
<section id="topology-section">
<h2>Topology <span class="muted">as ${text(self.nodeId)} reaches each node</span></h2>
<svg id="topology" role="img" aria-label="mesh topology" viewBox="0 0 960 240" preserveAspectRatio="xMidYMin meet"></svg>
<p class="legend muted"><span class="key direct"></span> direct <span class="key relayed"></span> relayed through a relay node <span class="key unreachable"></span> unreachable</p>
<noscript><p class="muted">The drawing and the live rates need JavaScript; the table below is as of the time this page was loaded.</p></noscript>
</section>
<section id="rates-section">
<h2>Requests this node sent <span class="muted">per second, live</span></h2>
<table id="rates"><thead><tr><th>plane</th><th>requests/s</th><th>errors/s</th><th>total</th><th>errors</th></tr></thead>
<tbody>${(['model', 'handoff', 'tool'] as const).map(plane => `<tr data-plane="${plane}"><td>${plane}</td><td class="rate">-</td><td class="error-rate">-</td><td class="total">${view.activity.totals[plane].requests}</td><td class="errors">${view.activity.totals[plane].errors}</td></tr>`).join('')}</tbody></table>
</section>
<section id="nodes-section">
<h2>Nodes</h2>
<div class="scroll"><table id="nodes">
<thead><tr><th>node</th><th>peer ID</th><th>path</th><th>via</th><th>latency</th><th>models</th><th>agents</th><th>tags</th><th>tool proxy</th><th>last error</th></tr></thead>
<tbody>
${nodeRows(view).map(row).join('\n')}
</tbody>
</table></div>
</section>
<section id="errors-section">
<h2>Recent errors <span class="muted">of requests this node sent, newest first</span></h2>
<div class="scroll"><table id="errors">
<thead><tr><th>time (UTC)</th><th>plane</th><th>node</th><th>code</th><th>message</th></tr></thead>
<tbody>
${errorRows(view)}
</tbody>
</table></div>
</section>
</main>
<script src="${SCRIPT_PATH}"></script>`, ` data-poll-ms="${POLL_INTERVAL_MS}" data-page="${PAGE_PATH}"`)
}
