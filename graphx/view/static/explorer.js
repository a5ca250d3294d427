/* graphx explorer: draws the page data written by graphx.view with vis-network.
 *
 * Every piece of paper text reaches the page through textContent (never innerHTML), so titles and
 * abstracts holding markup or script show as text. Positions come from the stored layout and physics is
 * off, so the view opens still; physics runs only when asked for.
 */
(function () {
  "use strict";

  var DATA = JSON.parse(document.getElementById("graphx-data").textContent);
  var KINDS = DATA.kinds;
  var KIND_COLORS = ["#5f6b7a", "#d4a017", "#8e44ad", "#16a085"];
  var KIND_LABELS = { cites: "cites", similar: "similar", cocited: "co-cited", coupled: "coupled" };
  var YEAR_STOPS = ["#440154", "#3b528b", "#21918c", "#5ec962", "#fde725"];
  var NO_YEAR = "#b0b4ba";
  // vis-network's fit() stops at scale 1 by default; one area of a 2,000-unit map needs more.
  var MAX_ZOOM = 20;
  var FIT = { animation: false, maxZoomLevel: MAX_ZOOM };

  var nodes = DATA.nodes;
  var byId = new Map();
  nodes.forEach(function (n, i) { n.idx = i; byId.set(n.id, n); });
  var areaById = new Map(DATA.areas.map(function (a) { return [a.id, a]; }));
  var subById = new Map(DATA.subareas.map(function (a) { return [a.id, a]; }));
  // Stray papers in tiny areas sit far out in the stored layout; fitting to them shrinks the map.
  var mainAreas = new Set(DATA.overview.nodes.map(function (a) { return a.area; }));

  // ?view=overview or ?view=papers overrides the default (overview for big graphs).
  var asked = new URLSearchParams(window.location.search).get("view");
  var state = {
    mode: asked === "overview" || asked === "papers" ? asked : DATA.start_in_overview ? "overview" : "papers",
    drill: null,       // area shown alone (drill-down from the overview), or null for all areas
    focus: null,       // {kind: "area"|"sub", id} focused from the legend
    colorBy: "area",
    physics: false,
    pinned: null,      // a searched paper stays visible whatever the filters
    filters: null,
  };
  var visible = new Uint8Array(nodes.length);

  function $(id) { return document.getElementById(id); }
  function el(tag, props) {
    var e = document.createElement(tag);
    if (props) {
      Object.keys(props).forEach(function (k) {
        var v = props[k];
        if (k === "text") e.textContent = v;
        else if (k === "class") e.className = v;
        else if (k.slice(0, 2) === "on") e.addEventListener(k.slice(2), v);
        else e.setAttribute(k, v);
      });
    }
    for (var i = 2; i < arguments.length; i++) {
      var c = arguments[i];
      if (c !== null && c !== undefined) e.append(c);
    }
    return e;
  }
  function fmt(n) { return Number(n).toLocaleString("en-US"); }

  // ------------------------------------------------------------------------------------- colours
  function hexToRgb(h) { return [1, 3, 5].map(function (i) { return parseInt(h.slice(i, i + 2), 16); }); }
  function rgbToHex(c) { return "#" + c.map(function (v) { return Math.round(v).toString(16).padStart(2, "0"); }).join(""); }
  function yearColor(year) {
    if (year === undefined || !DATA.years) return NO_YEAR;
    var span = DATA.years[1] - DATA.years[0];
    var t = span > 0 ? (year - DATA.years[0]) / span : 1;
    var pos = Math.max(0, Math.min(1, t)) * (YEAR_STOPS.length - 1);
    var i = Math.min(Math.floor(pos), YEAR_STOPS.length - 2);
    var a = hexToRgb(YEAR_STOPS[i]), b = hexToRgb(YEAR_STOPS[i + 1]), f = pos - i;
    return rgbToHex(a.map(function (v, k) { return v + (b[k] - v) * f; }));
  }
  function nodeColor(n) {
    var c = state.colorBy === "year" ? yearColor(n.year) : n.color;
    return { background: c, border: c, highlight: { background: c, border: "#111" }, hover: { background: c, border: "#111" } };
  }

  // ---------------------------------------------------------------------------------- data sets
  var paperNodes = null, paperEdges = null, nodeView = null, edgeView = null;
  function ensurePapers() {
    if (paperNodes) return;
    paperNodes = new vis.DataSet(nodes.map(function (n) {
      return { id: n.id, x: n.x, y: n.y, size: n.size, color: nodeColor(n) };
    }));
    paperEdges = new vis.DataSet(DATA.edges.map(function (e, i) {
      var item = { id: i, from: nodes[e[0]].id, to: nodes[e[1]].id, kind: e[2], w: e[3],
                   color: { color: KIND_COLORS[e[2]], opacity: e[2] === 0 ? 0.45 : 0.35 } };
      if (e[2] === 0) item.arrows = { to: { enabled: true, scaleFactor: 0.3 } };
      return item;
    }));
    nodeView = new vis.DataView(paperNodes, { filter: function (item) { return visible[byId.get(item.id).idx] === 1; } });
    edgeView = new vis.DataView(paperEdges, { filter: edgeVisible });
  }

  var areaNodes = new vis.DataSet(DATA.overview.nodes.map(function (a) {
    var label = a.label.length > 42 ? a.label.slice(0, 40) + "…" : a.label;
    return { id: "area:" + a.area, area: a.area, x: a.x, y: a.y, size: a.size, label: label + "\n" + fmt(a.papers) + " papers",
             color: { background: a.color, border: a.color, highlight: { background: a.color, border: "#111" } },
             font: { size: DATA.overview.font_size, color: "#1d232b", strokeWidth: DATA.overview.font_size / 5, strokeColor: "#ffffff" } };
  }));
  var maxLink = Math.max.apply(null, [1].concat(DATA.overview.edges.map(function (e) { return e[2]; })));
  var areaEdges = new vis.DataSet(DATA.overview.edges.map(function (e, i) {
    return { id: i, from: "area:" + e[0], to: "area:" + e[1], width: (DATA.overview.font_size / 14) * (0.5 + 6 * Math.sqrt(e[2] / maxLink)),
             color: { color: "#8a94a3", opacity: 0.5 }, links: e[2] };
  }));

  // ------------------------------------------------------------------------------------ filters
  function defaultFilters() {
    return {
      kinds: new Set(KINDS.map(function (_, i) { return i; })),
      yearMin: DATA.years ? DATA.years[0] : null,
      yearMax: DATA.years ? DATA.years[1] : null,
      minCites: 0,
      minSim: 0,
      hiddenAreas: new Set(),
    };
  }
  state.filters = defaultFilters();

  function computeVisible() {
    var f = state.filters;
    for (var i = 0; i < nodes.length; i++) {
      var n = nodes[i], ok = true;
      if (state.drill !== null && n.area !== state.drill) ok = false;
      else if (f.hiddenAreas.has(n.area)) ok = false;
      else if (n.year !== undefined && f.yearMin !== null && (n.year < f.yearMin || n.year > f.yearMax)) ok = false;
      else if (n.citations < f.minCites) ok = false;
      if (n.id === state.pinned) ok = true;
      visible[i] = ok ? 1 : 0;
    }
  }
  function edgeVisible(e) {
    var f = state.filters;
    if (!f.kinds.has(e.kind)) return false;
    if (e.kind === 1 && e.w < f.minSim) return false;
    return visible[byId.get(e.from).idx] === 1 && visible[byId.get(e.to).idx] === 1;
  }
  function readFilters() {
    var f = state.filters;
    f.kinds = new Set();
    document.querySelectorAll("#gx-kinds input").forEach(function (box) { if (box.checked) f.kinds.add(Number(box.value)); });
    var y0 = parseInt($("gx-year-min").value, 10), y1 = parseInt($("gx-year-max").value, 10);
    if (DATA.years) { f.yearMin = isNaN(y0) ? DATA.years[0] : y0; f.yearMax = isNaN(y1) ? DATA.years[1] : y1; }
    f.minCites = Math.max(0, parseInt($("gx-min-cites").value, 10) || 0);
    f.minSim = parseFloat($("gx-min-sim").value) || 0;
    f.hiddenAreas = new Set();
    document.querySelectorAll("#gx-areas input.gx-area-shown").forEach(function (box) { if (!box.checked) f.hiddenAreas.add(Number(box.value)); });
  }
  function applyFilters() {
    readFilters();
    if (state.mode === "overview") { updateStatus(); return; }
    computeVisible();
    nodeView.refresh();
    edgeView.refresh();
    updateStatus();
  }
  function writeFilters() {
    var f = state.filters;
    document.querySelectorAll("#gx-kinds input").forEach(function (box) { box.checked = f.kinds.has(Number(box.value)); });
    $("gx-year-min").value = f.yearMin === null ? "" : f.yearMin;
    $("gx-year-max").value = f.yearMax === null ? "" : f.yearMax;
    $("gx-min-cites").value = f.minCites;
    $("gx-min-sim").value = f.minSim;
    $("gx-min-sim-out").textContent = f.minSim;
    document.querySelectorAll("#gx-areas input.gx-area-shown").forEach(function (box) { box.checked = !f.hiddenAreas.has(Number(box.value)); });
  }

  // ------------------------------------------------------------------------------------ network
  var container = $("gx-network");
  var network;
  function initialData() {
    if (state.mode === "overview") return { nodes: areaNodes, edges: areaEdges };
    ensurePapers(); computeVisible();
    return { nodes: nodeView, edges: edgeView };
  }
  network = new vis.Network(container, initialData(), DATA.vis_options);
  if (state.mode === "overview") fitOverview(); else fitPapers();
  network.once("afterDrawing", function () {
    window.graphxReadyMs = performance.now();
    window.graphxReady = true;
    document.body.setAttribute("data-ready", state.mode);
  });

  // Labels hang below area nodes and fit() only sees the nodes: leave a margin.
  function fitOverview() { network.fit(FIT); network.moveTo({ scale: network.getScale() * 0.85, animation: false }); }
  function showOverview() {
    state.mode = "overview"; state.drill = null; state.focus = null; state.pinned = null;
    network.setData({ nodes: areaNodes, edges: areaEdges });
    fitOverview();
    updateChrome();
  }
  function fitPapers() {
    var ids = nodes.filter(function (n) { return visible[n.idx] && (state.drill !== null || mainAreas.has(n.area)); })
                   .map(function (n) { return n.id; });
    network.fit(ids.length ? { nodes: ids, animation: false, maxZoomLevel: MAX_ZOOM } : FIT);
  }
  function showPapers(area) {
    ensurePapers();
    state.mode = "papers"; state.drill = area; state.focus = area === null ? null : { kind: "area", id: area };
    computeVisible();
    network.setData({ nodes: nodeView, edges: edgeView });
    fitPapers();
    updateChrome();
  }
  function focusGroup(kind, id) {
    if (state.mode === "overview") { if (kind === "area") return showPapers(id); showPapers(subById.get(id).parent); }
    if (state.drill !== null) {
      var parent = kind === "area" ? id : subById.get(id).parent;
      if (parent !== state.drill) showPapers(parent);
    }
    state.focus = { kind: kind, id: id };
    var ids = nodes.filter(function (n) { return visible[n.idx] && (kind === "area" ? n.area === id : n.sub === id); })
                   .map(function (n) { return n.id; });
    if (ids.length) {
      network.fit({ nodes: ids, animation: false, maxZoomLevel: MAX_ZOOM });
      network.selectNodes(ids, false);
    }
    updateChrome();
  }
  function currentArea() {
    if (!state.focus) return null;
    return state.focus.kind === "area" ? state.focus.id : subById.get(state.focus.id).parent;
  }

  function selectPaper(id) {
    var n = byId.get(id);
    if (!n) return;
    if (state.mode === "overview" || (state.drill !== null && state.drill !== n.area)) {
      state.pinned = id;
      showPapers(state.mode === "overview" || state.drill !== null ? n.area : null);
    }
    if (!visible[n.idx]) { state.pinned = id; computeVisible(); nodeView.refresh(); edgeView.refresh(); }
    network.selectNodes([id]);
    // Show the paper among its drawn neighbours, not alone at a fixed zoom: a 500-citation paper
    // at scale 2 filled the canvas with its own disc.
    network.fit(FIT);
    var whole = network.getScale();
    var around = network.getConnectedNodes(id).slice(0, 200);
    network.fit({ nodes: [id].concat(around), animation: false, maxZoomLevel: 1.5 });
    // At least 4x the whole map, so the paper stands out even when its neighbours span the map.
    var scale = Math.min(Math.max(network.getScale(), whole * 4), 1.5);
    network.moveTo({ position: network.getPosition(id), scale: scale, animation: false });
    openDetails(id);
    updateStatus();
  }

  // ------------------------------------------------------------------------------------ tooltip
  var tooltip = $("gx-tooltip");
  function paperLine(n) {
    var bits = [];
    if (n.year !== undefined) bits.push(String(n.year));
    if (n.venue) bits.push(n.venue);
    bits.push(fmt(n.citations) + " citations");
    return bits.join(" · ");
  }
  function authorsText(n) {
    if (!n.authors.length) return "";
    return n.authors.join(", ") + (n.more_authors ? " +" + n.more_authors + " more" : "");
  }
  network.on("hoverNode", function (params) {
    tooltip.replaceChildren();
    if (state.mode === "overview") {
      var a = areaById.get(areaNodes.get(params.node).area);
      var o = areaNodes.get(params.node);
      tooltip.append(el("strong", { text: a ? a.label : o.label }),
                     el("div", { text: o.label.split("\n").pop() + " · click to open" }));
    } else {
      var n = byId.get(params.node);
      var area = areaById.get(n.area), sub = subById.get(n.sub);
      tooltip.append(el("strong", { class: "gx-tt-title", text: n.title }),
                     el("div", { class: "gx-tt-authors", text: authorsText(n) }),
                     el("div", { text: paperLine(n) }),
                     el("div", { class: "gx-tt-area", text: (area ? area.label : "") + (sub ? " › " + sub.label : "") }));
    }
    var p = params.pointer.DOM;
    tooltip.style.left = Math.min(p.x + 14, container.clientWidth - 320) + "px";
    tooltip.style.top = (p.y + 14) + "px";
    tooltip.hidden = false;
  });
  network.on("blurNode", function () { tooltip.hidden = true; });
  network.on("dragStart", function () { tooltip.hidden = true; });
  network.on("zoom", function () { tooltip.hidden = true; });

  network.on("click", function (params) {
    tooltip.hidden = true;
    if (!params.nodes || !params.nodes.length) return;
    var id = params.nodes[0];
    if (state.mode === "overview") { showPapers(areaNodes.get(id).area); return; }
    openDetails(id);
  });

  // ------------------------------------------------------------------------------------ details
  var detailCache = new Map();
  function getDetails(id) {
    if (DATA.details) return Promise.resolve(DATA.details[id]);
    if (detailCache.has(id)) return Promise.resolve(detailCache.get(id));
    return fetch(DATA.api + "/papers/" + encodeURIComponent(id), { headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
      .then(function (d) { detailCache.set(id, d); return d; });
  }
  function paperList(title, items, total) {
    var sec = el("section", { class: "gx-list" }, el("h4", { text: title + " (" + fmt(total) + ")" }));
    if (!items.length) { sec.append(el("p", { class: "gx-muted", text: "none in this graph" })); return sec; }
    var ul = el("ul");
    items.forEach(function (p) {
      var known = byId.get(p.id) || {};
      var title = p.title !== undefined ? p.title : known.title || p.id;
      var year = p.year !== undefined ? p.year : known.year;
      var label = title + (year !== undefined ? " (" + year + ")" : "") + (p.score !== undefined ? " · " + p.score.toFixed(2) : "");
      ul.append(el("li", null, el("button", { type: "button", class: "gx-link", "data-paper": p.id, text: label,
                                               onclick: function () { selectPaper(p.id); } })));
    });
    sec.append(ul);
    if (total > items.length) sec.append(el("p", { class: "gx-muted", text: "and " + fmt(total - items.length) + " more" }));
    return sec;
  }
  function openDetails(id) {
    var panel = $("gx-details"), body = $("gx-details-body");
    var n = byId.get(id);
    panel.hidden = false;
    body.replaceChildren(el("h2", { class: "gx-d-title", text: n ? n.title : id }), el("p", { class: "gx-muted", text: "Loading…" }));
    panel.setAttribute("data-paper", id);
    getDetails(id).then(function (d) {
      if (panel.getAttribute("data-paper") !== id) return;
      var p = d.paper;
      var authors = (p.authors || []).join(", ");
      var meta = [p.year, p.venue, fmt(p.citation_count || 0) + " citations", (p.in_citations || 0) + " in this graph"]
        .filter(function (x) { return x !== undefined && x !== null && x !== ""; }).join(" · ");
      var parts = [
        el("h2", { class: "gx-d-title", text: p.title || id }),
        el("p", { class: "gx-d-authors", text: authors }),
        el("p", { class: "gx-muted", text: meta }),
        el("p", { class: "gx-d-area", text: (p.community_label || "") + (p.subcommunity_label ? " › " + p.subcommunity_label : "") }),
      ];
      var links = el("p", { class: "gx-d-links" });
      Object.keys(d.links).forEach(function (name) {
        var url = d.links[name];
        if (/^https?:\/\//.test(url)) links.append(el("a", { href: url, target: "_blank", rel: "noopener noreferrer", text: name }), " ");
      });
      parts.push(links);
      if (p.tldr) parts.push(el("p", { class: "gx-d-tldr" }, el("strong", { text: "TLDR " }), p.tldr));
      if (p.abstract) parts.push(el("p", { class: "gx-d-abstract", text: p.abstract }));
      parts.push(paperList("References", d.references, d.references_total),
                 paperList("Cited by", d.citers, d.citers_total),
                 paperList("Most similar", d.similar, d.similar.length));
      body.replaceChildren.apply(body, parts);
    }).catch(function (err) {
      body.replaceChildren(el("p", { class: "gx-error", text: "Could not load this paper: " + err.message }));
    });
  }
  $("gx-details-close").addEventListener("click", function () { $("gx-details").hidden = true; network.unselectAll(); });

  // ------------------------------------------------------------------------------------- search
  var searchBox = $("gx-search"), results = $("gx-results");
  var searchIndex = null;
  function runSearch() {
    var q = searchBox.value.trim().toLowerCase();
    results.replaceChildren();
    if (q.length < 2) { results.hidden = true; return []; }
    if (!searchIndex) searchIndex = nodes.map(function (n) { return (n.title + " | " + n.authors.join(", ")).toLowerCase(); });
    var hits = [];
    for (var i = 0; i < nodes.length && hits.length < 12; i++) if (searchIndex[i].indexOf(q) !== -1) hits.push(nodes[i]);
    hits.forEach(function (n) {
      results.append(el("li", null, el("button", { type: "button", "data-paper": n.id, onclick: function () { pick(n.id); } },
        el("span", { class: "gx-r-title", text: n.title }), el("span", { class: "gx-r-meta", text: authorsText(n) + (n.year ? " · " + n.year : "") }))));
    });
    if (!hits.length) results.append(el("li", { class: "gx-muted", text: "No paper matches" }));
    results.hidden = false;
    return hits;
  }
  function pick(id) { results.hidden = true; selectPaper(id); }
  searchBox.addEventListener("input", runSearch);
  searchBox.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter") { var hits = runSearch(); if (hits.length) pick(hits[0].id); }
    if (ev.key === "Escape") results.hidden = true;
  });

  // ------------------------------------------------------------------------------ side panel
  function buildAreas() {
    var list = $("gx-areas");
    DATA.areas.forEach(function (a) {
      var subs = DATA.subareas.filter(function (s) { return s.parent === a.id; });
      var inner = el("div", { class: "gx-area-more", hidden: "" });
      if (subs.length > 1) {
        var sl = el("ul", { class: "gx-subs" });
        subs.forEach(function (s) {
          sl.append(el("li", null, el("button", { type: "button", class: "gx-link gx-sub", "data-sub": s.id,
            text: s.label + " (" + fmt(s.size) + ")", onclick: function () { focusGroup("sub", s.id); } })));
        });
        inner.append(el("h5", { text: "Sub-areas" }), sl);
      }
      var tl = el("ol", { class: "gx-top" });
      a.top_papers.slice(0, 5).forEach(function (pid) {
        var n = byId.get(pid);
        if (n) tl.append(el("li", null, el("button", { type: "button", class: "gx-link", "data-paper": pid, text: n.title,
          onclick: function () { selectPaper(pid); } })));
      });
      inner.append(el("h5", { text: "Top papers" }), tl);
      var toggle = el("button", { type: "button", class: "gx-toggle", "aria-label": "More", text: "▸",
        onclick: function () { inner.hidden = !inner.hidden; toggle.textContent = inner.hidden ? "▸" : "▾"; } });
      var years = a.years ? " · " + a.years[0] + "–" + a.years[1] : "";
      list.append(el("li", { class: "gx-area", "data-area": a.id },
        el("div", { class: "gx-area-row" },
          el("input", { type: "checkbox", class: "gx-area-shown", value: a.id, checked: "", title: "Show this area",
                        onchange: applyFilters }),
          el("span", { class: "gx-swatch", style: "background:" + (/^#[0-9a-fA-F]{6}$/.test(a.color) ? a.color : "#999") }),
          el("button", { type: "button", class: "gx-link gx-area-name", "data-area": a.id, text: a.label,
                         onclick: function () { focusGroup("area", a.id); } }),
          el("span", { class: "gx-muted gx-area-size", text: fmt(a.size) + years }),
          toggle),
        inner));
    });
  }
  function buildKinds() {
    var box = $("gx-kinds");
    KINDS.forEach(function (k, i) {
      box.append(el("label", { class: "gx-kind" },
        el("input", { type: "checkbox", value: i, checked: "", "data-kind": k, onchange: applyFilters }),
        el("span", { class: "gx-kind-line", style: "background:" + KIND_COLORS[i] }),
        KIND_LABELS[k] + " (" + fmt(DATA.kind_counts[k] || 0) + ")"));
    });
  }
  function buildDownloads() {
    var box = $("gx-download-links");
    box.replaceChildren();
    if (!DATA.exports.length) { $("gx-downloads").hidden = true; return; }
    var area = currentArea();
    var close = function () { $("gx-downloads").removeAttribute("open"); };
    box.append(el("div", { class: "gx-dl-head", text: "Whole graph" }));
    DATA.exports.forEach(function (x) { box.append(el("a", { href: x.url, download: "", "data-format": x.format, text: x.format.toUpperCase(), onclick: close })); });
    if (area !== null) {
      var a = areaById.get(area);
      box.append(el("div", { class: "gx-dl-head", text: "This area: " + (a ? a.label : area) }));
      DATA.exports.forEach(function (x) {
        box.append(el("a", { href: x.url + "?area=" + encodeURIComponent(area), download: "", "data-format": x.format, "data-area": area,
                             text: x.format.toUpperCase(), onclick: close }));
      });
    }
  }

  function updateStatus() {
    var text;
    if (state.mode === "overview") {
      text = fmt(DATA.overview.nodes.length) + " areas of " + fmt(nodes.length) + " papers · click an area to open it";
      if (DATA.overview.small_areas) text += " · " + fmt(DATA.overview.small_areas) + " small areas (" + fmt(DATA.overview.small_area_papers) + " papers) only in All papers";
    } else {
      var n = 0;
      for (var i = 0; i < visible.length; i++) n += visible[i];
      text = fmt(n) + " papers · " + fmt(edgeView.getIds().length) + " edges shown";
      if (DATA.edges_total > DATA.edges.length) text += " (strongest " + fmt(DATA.edges.length) + " of " + fmt(DATA.edges_total) + ")";
    }
    $("gx-status").textContent = text;
  }
  function updateChrome() {
    $("gx-overview").classList.toggle("active", state.mode === "overview");
    $("gx-all").classList.toggle("active", state.mode === "papers" && state.drill === null);
    var f = $("gx-area-focus");
    f.replaceChildren();
    if (state.focus) {
      var label = state.focus.kind === "area" ? areaById.get(state.focus.id) : subById.get(state.focus.id);
      f.append("focus: " + (label ? label.label : state.focus.id) + " ",
               el("button", { type: "button", class: "gx-link", id: "gx-unfocus", text: "clear",
                              onclick: function () { if (state.drill !== null) showPapers(null); else { state.focus = null; network.unselectAll(); network.fit(FIT); updateChrome(); } } }));
    }
    document.querySelectorAll("#gx-areas li.gx-area").forEach(function (li) {
      li.classList.toggle("focused", currentArea() === Number(li.getAttribute("data-area")));
    });
    buildDownloads();
    updateStatus();
  }

  // ------------------------------------------------------------------------------ toolbar
  $("gx-overview").addEventListener("click", showOverview);
  $("gx-all").addEventListener("click", function () { showPapers(null); });
  $("gx-fit").addEventListener("click", function () { if (state.mode === "overview") fitOverview(); else fitPapers(); });
  $("gx-apply").addEventListener("click", applyFilters);
  $("gx-reset").addEventListener("click", function () { state.filters = defaultFilters(); writeFilters(); applyFilters(); });
  $("gx-min-sim").addEventListener("input", function () { $("gx-min-sim-out").textContent = $("gx-min-sim").value; });
  $("gx-min-sim").addEventListener("change", applyFilters);
  ["gx-year-min", "gx-year-max", "gx-min-cites"].forEach(function (id) { $(id).addEventListener("change", applyFilters); });
  $("gx-color").addEventListener("change", function () {
    state.colorBy = $("gx-color").value;
    $("gx-year-legend").hidden = state.colorBy !== "year";
    if (paperNodes) paperNodes.update(nodes.map(function (n) { return { id: n.id, color: nodeColor(n) }; }));
    if (state.mode === "overview" && state.colorBy === "year") showPapers(null);
  });
  $("gx-physics").addEventListener("click", function () {
    state.physics = !state.physics;
    network.setOptions({ physics: { enabled: state.physics } });
    $("gx-physics").textContent = state.physics ? "Physics on" : "Physics off";
    $("gx-physics").classList.toggle("active", state.physics);
  });
  document.addEventListener("click", function (ev) {
    if (!ev.target.closest(".gx-search")) results.hidden = true;
    if (!ev.target.closest("#gx-downloads")) $("gx-downloads").removeAttribute("open");
  });

  if (DATA.years) {
    $("gx-y0").textContent = DATA.years[0]; $("gx-y1").textContent = DATA.years[1];
    document.querySelector(".gx-gradient").style.background = "linear-gradient(to right," + YEAR_STOPS.join(",") + ")";
  }
  buildAreas();
  buildKinds();
  writeFilters();
  updateChrome();

  // For tests and benchmarks: the page's state, read-only.
  window.graphx = {
    network: network, state: state,
    visibleNodeCount: function () { return state.mode === "overview" ? areaNodes.length : nodeView.getIds().length; },
    visibleEdgeCount: function () { return state.mode === "overview" ? areaEdges.length : edgeView.getIds().length; },
  };
})();
