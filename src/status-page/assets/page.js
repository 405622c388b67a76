// The ClawMatrix status page: draws the topology and keeps the tables current by polling
// GET /clawmatrix/view. Every value from the node is set with textContent or setAttribute,
// never parsed as HTML.
'use strict'

;(function () {
  const SVG = 'http://www.w3.org/2000/svg'
  const body = document.body
  // the drawing's room is kept only when there is a script to draw it
  body.classList.add('js')
  const pollMs = Number(body.dataset.pollMs) || 2000
  const viewUrl = (body.dataset.page || '/clawmatrix/') + 'view'
  const NODE_W = 230
  const NODE_H = 84
  const COL_GAP = 140
  const ROW_GAP = 22
  const PAD = 16
  const LINE = 15

  let previous = null

  function el (name, attrs, text) {
    const e = document.createElement(name)
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v))
    if (text != null) e.textContent = String(text)
    return e
  }

  function svg (name, attrs, text) {
    const e = document.createElementNS(SVG, name)
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v))
    if (text != null) e.textContent = String(text)
    return e
  }

  function cut (value, max) {
    const s = String(value)
    return s.length > max ? s.slice(0, max - 1) + '…' : s
  }

  function listText (values) {
    return values.length === 0 ? 'none' : values.join(', ')
  }

  /** this node first, then its peers, as the server renders the table */
  function rowsOf (view) {
    const self = view.node
    return [{
      nodeId: self.nodeId, peerId: self.peerId, path: 'this node', via: null, latencyMs: null,
      models: self.models, agents: self.agents, tags: self.tags, toolProxy: self.toolProxy, lastError: null, standing: 'ok'
    }].concat(view.peers.map(function (p) {
      return {
        nodeId: p.nodeId, peerId: p.peerId, path: p.path, via: p.reachableVia, latencyMs: p.latencyMs,
        models: p.models, agents: p.agents, tags: p.tags, toolProxy: p.toolProxy, lastError: p.lastError, standing: p.standing
      }
    }))
  }

  function modelNames (models) {
    return models.map(function (m) { return m.available ? m.id : m.id + ' (unavailable)' })
  }

  function td (className, value) {
    const cell = el('td', { class: className })
    if (value == null || value === '') cell.appendChild(el('span', { class: 'muted' }, '-'))
    else cell.textContent = String(value)
    return cell
  }

  function listCell (className, values) {
    return values.length === 0 ? td(className, null) : td(className, values.join(', '))
  }

  function renderNodes (view) {
    const tbody = document.querySelector('#nodes tbody')
    const rows = rowsOf(view).map(function (r) {
      const tr = el('tr', { 'data-node': r.nodeId, class: r.path === 'this node' ? 'self' : r.path })
      tr.appendChild(td('node', r.nodeId))
      const peer = td('peer', r.peerId)
      peer.setAttribute('title', r.peerId || '')
      tr.appendChild(peer)
      // a node id another peer claims too: the router sends nothing to it by that name
      tr.appendChild(td('path', r.standing === 'ok' ? r.path : r.path + ' · ' + r.standing))
      tr.appendChild(td('via', r.via))
      tr.appendChild(td('latency', r.latencyMs != null ? r.latencyMs + ' ms' : null))
      tr.appendChild(listCell('models', modelNames(r.models)))
      tr.appendChild(listCell('agents', r.agents.map(function (a) { return a.id })))
      tr.appendChild(listCell('tags', r.tags))
      tr.appendChild(td('tools', r.toolProxy ? 'on' : 'off'))
      tr.appendChild(td('error', r.lastError))
      return tr
    })
    tbody.replaceChildren.apply(tbody, rows)
  }

  function renderErrors (view) {
    const tbody = document.querySelector('#errors tbody')
    const errors = view.activity.errors.slice().reverse()
    if (errors.length === 0) {
      const tr = el('tr', { class: 'empty' })
      const cell = el('td', { colspan: 5, class: 'muted' }, 'No failed requests since the node started.')
      tr.appendChild(cell)
      tbody.replaceChildren(tr)
      return
    }
    tbody.replaceChildren.apply(tbody, errors.map(function (e) {
      const tr = el('tr')
      tr.appendChild(td('time', new Date(e.at).toISOString().slice(11, 19)))
      tr.appendChild(td('plane', e.plane))
      tr.appendChild(td('node', e.node))
      tr.appendChild(td('code', e.code))
      tr.appendChild(td('message', e.message))
      return tr
    }))
  }

  function perSecond (now, before, seconds) {
    if (before == null || seconds <= 0) return null
    return Math.max(0, now - before) / seconds
  }

  function rateText (rate) {
    return rate == null ? '-' : rate.toFixed(rate < 10 ? 2 : 1)
  }

  /** requests per second to each node, from two successive views; null until there are two */
  function nodeRates (view) {
    const out = new Map()
    if (previous == null) return out
    const seconds = (view.at - previous.at) / 1000
    for (const [node, counts] of Object.entries(view.activity.byNode)) {
      const before = previous.activity.byNode[node]
      let sum = 0
      for (const plane of ['model', 'handoff', 'tool']) {
        sum += perSecond(counts[plane].requests, before ? before[plane].requests : 0, seconds) || 0
      }
      out.set(node, sum)
    }
    return out
  }

  function renderRates (view) {
    const seconds = previous != null ? (view.at - previous.at) / 1000 : 0
    for (const plane of ['model', 'handoff', 'tool']) {
      const row = document.querySelector('#rates tr[data-plane="' + plane + '"]')
      if (row == null) continue
      const now = view.activity.totals[plane]
      const before = previous != null ? previous.activity.totals[plane] : null
      row.querySelector('.rate').textContent = rateText(before && perSecond(now.requests, before.requests, seconds))
      row.querySelector('.error-rate').textContent = rateText(before && perSecond(now.errors, before.errors, seconds))
      row.querySelector('.total').textContent = String(now.requests)
      row.querySelector('.errors').textContent = String(now.errors)
    }
  }

  /**
   * Columns from left to right: this node; the nodes it reaches directly (relays among them);
   * the nodes it reaches through a relay, each beside its relay; the unreachable ones.
   */
  function layout (view) {
    const self = { key: 'self', nodeId: view.node.nodeId, path: 'self', models: view.node.models, agents: view.node.agents, tags: view.node.tags, toolProxy: view.node.toolProxy, relay: false }
    const peers = view.peers.map(function (p, i) {
      return { key: 'peer-' + i, nodeId: p.nodeId, peerId: p.peerId, path: p.path, via: p.reachableVia, latencyMs: p.latencyMs, models: p.models, agents: p.agents, tags: p.tags, toolProxy: p.toolProxy, standing: p.standing, relay: false }
    })
    // a peer on the LAN (mDNS) is drawn with the direct ones; its link is marked `lan`
    const direct = peers.filter(function (p) { return p.path === 'direct' || p.path === 'lan' })
    const relayed = peers.filter(function (p) { return p.path === 'relayed' })
    const unreachable = peers.filter(function (p) { return p.path === 'unreachable' })
    const byName = new Map()
    for (const p of direct) {
      byName.set(p.nodeId, p)
      if (p.peerId) byName.set(p.peerId, p)
    }
    for (const p of relayed) {
      let relay = p.via != null ? byName.get(p.via) : undefined
      if (relay == null) {
        // a relay this node has no record of: drawn under the name status gives it
        relay = { key: 'relay-' + byName.size, nodeId: p.via || 'unknown relay', path: 'direct', models: [], agents: [], tags: [], toolProxy: false, relay: true, unknown: true }
        direct.push(relay)
        byName.set(relay.nodeId, relay)
      }
      relay.relay = true
      p.relayNode = relay
    }
    // relayed nodes in the order of their relays, so their links do not cross
    relayed.sort(function (a, b) { return direct.indexOf(a.relayNode) - direct.indexOf(b.relayNode) })
    const columns = [[self], direct, relayed, unreachable].filter(function (c, i) { return i === 0 || c.length > 0 })
    const tallest = Math.max.apply(null, columns.map(function (c) { return c.length }))
    const height = PAD * 2 + tallest * NODE_H + (tallest - 1) * ROW_GAP
    columns.forEach(function (column, ci) {
      const columnHeight = column.length * NODE_H + (column.length - 1) * ROW_GAP
      column.forEach(function (n, ri) {
        n.x = PAD + ci * (NODE_W + COL_GAP)
        n.y = (height - columnHeight) / 2 + ri * (NODE_H + ROW_GAP)
      })
    })
    const width = PAD * 2 + columns.length * NODE_W + (columns.length - 1) * COL_GAP
    return { self: self, direct: direct, relayed: relayed, unreachable: unreachable, all: [self].concat(direct, relayed, unreachable), width: Math.max(width, 960), height: height }
  }

  function right (n) { return { x: n.x + NODE_W, y: n.y + NODE_H / 2 } }
  function left (n) { return { x: n.x, y: n.y + NODE_H / 2 } }

  /** `below`: under the line, clear of a relayed curve drawn above it */
  function linkLabel (g, x, y, label, below) {
    if (label == null) return
    const t = svg('text', { x: x, y: below ? y + 17 : y - 7, class: 'link-label', 'text-anchor': 'middle' }, label)
    g.appendChild(t)
  }

  function drawTopology (view, rates) {
    const box = document.getElementById('topology')
    if (box == null) return
    const l = layout(view)
    box.setAttribute('viewBox', '0 0 ' + l.width + ' ' + l.height)
    const links = svg('g', { class: 'links' })
    for (const p of l.direct) {
      const a = right(l.self)
      const b = left(p)
      const line = svg('path', { d: 'M' + a.x + ' ' + a.y + ' L' + b.x + ' ' + b.y, class: p.path === 'lan' ? 'link direct lan' : 'link direct', 'data-from': l.self.nodeId, 'data-to': p.nodeId })
      links.appendChild(line)
      linkLabel(links, (a.x + b.x) / 2, (a.y + b.y) / 2, p.latencyMs != null ? p.latencyMs + ' ms' : null, p.relay)
    }
    for (const p of l.relayed) {
      const relay = p.relayNode
      const a = right(l.self)
      const r1 = left(relay)
      const r2 = right(relay)
      const b = left(p)
      // through the relay: a curve above the direct line into it (whose label goes below), then on to the relayed node
      const bend = (a.y + r1.y) / 2 - 30
      const d = 'M' + a.x + ' ' + a.y + ' Q' + ((a.x + r1.x) / 2) + ' ' + bend + ' ' + r1.x + ' ' + r1.y +
        ' M' + r2.x + ' ' + r2.y + ' L' + b.x + ' ' + b.y
      links.appendChild(svg('path', { d: d, class: 'link relayed', 'data-from': l.self.nodeId, 'data-to': p.nodeId, 'data-via': relay.nodeId }))
      linkLabel(links, (r2.x + b.x) / 2, (r2.y + b.y) / 2, (p.latencyMs != null ? p.latencyMs + ' ms ' : '') + 'via ' + relay.nodeId)
    }
    const nodes = svg('g', { class: 'nodes' })
    for (const n of l.all) nodes.appendChild(drawNode(n, rates))
    box.replaceChildren(links, nodes)
  }

  function drawNode (n, rates) {
    const classes = ['node', n.path === 'self' ? 'self' : n.path]
    if (n.relay) classes.push('relay')
    const g = svg('g', { class: classes.join(' '), 'data-node': n.nodeId, transform: 'translate(' + n.x + ' ' + n.y + ')' })
    g.appendChild(svg('title', {}, n.nodeId + (n.peerId ? ' (' + n.peerId + ')' : '')))
    g.appendChild(svg('rect', { width: NODE_W, height: NODE_H, rx: 8, ry: 8, class: 'box' }))
    g.appendChild(svg('text', { x: 10, y: 19, class: 'name' }, cut(n.nodeId, n.relay ? 20 : 26)))
    if (n.relay) g.appendChild(svg('text', { x: NODE_W - 10, y: 19, class: 'badge', 'text-anchor': 'end' }, 'relay'))
    else if (n.path === 'self') g.appendChild(svg('text', { x: NODE_W - 10, y: 19, class: 'badge', 'text-anchor': 'end' }, 'this node'))
    else if (n.standing != null && n.standing !== 'ok') g.appendChild(svg('text', { x: NODE_W - 10, y: 19, class: 'badge standing', 'text-anchor': 'end' }, n.standing))
    else if (n.path === 'unreachable') g.appendChild(svg('text', { x: NODE_W - 10, y: 19, class: 'badge', 'text-anchor': 'end' }, 'unreachable'))
    const lines = [
      'models: ' + listText(modelNames(n.models)),
      'agents: ' + listText(n.agents.map(function (a) { return a.id })),
      'tags: ' + listText(n.tags) + ' · tools ' + (n.toolProxy ? 'on' : 'off')
    ]
    lines.forEach(function (line, i) {
      g.appendChild(svg('text', { x: 10, y: 19 + (i + 1) * LINE + 2, class: 'detail' }, cut(line, 36)))
    })
    const rate = rates.get(n.nodeId)
    if (rate != null && n.path !== 'self') g.appendChild(svg('text', { x: NODE_W - 10, y: NODE_H - 8, class: 'rate', 'text-anchor': 'end' }, rateText(rate) + ' req/s'))
    return g
  }

  function setUpdated (text, failed) {
    const updated = document.getElementById('updated')
    if (updated == null) return
    updated.textContent = text
    updated.classList.toggle('stale', failed === true)
  }

  function render (view) {
    const rates = nodeRates(view)
    drawTopology(view, rates)
    renderRates(view)
    renderNodes(view)
    renderErrors(view)
    previous = view
    setUpdated('live, updated ' + new Date(view.at).toISOString().slice(11, 19) + ' UTC', false)
  }

  async function poll () {
    try {
      const res = await fetch(viewUrl, { credentials: 'same-origin', cache: 'no-store' })
      if (res.status === 401) {
        setUpdated('the session ended: reload the page to log in again', true)
        return
      }
      if (!res.ok) throw new Error('HTTP ' + res.status)
      render(await res.json())
    } catch (err) {
      setUpdated('cannot reach the node (' + (err && err.message ? err.message : String(err)) + '), retrying', true)
    }
    setTimeout(poll, pollMs)
  }

  poll()
})()
