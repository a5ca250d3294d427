/* graphx explorer: draws the page data written by graphx.view with vis-network.
 *
 * Every piece of paper text reaches the page through textContent (never innerHTML), so titles and
 * abstracts holding markup or script show as text. Positions come from the stored layout and physics is
 * off, so the view opens still; physics runs only when asked for. Labels on the canvas come from
 * explorer-labels.js, ranked search from explorer-search.js, server-backed panels from explorer-panels.js.
 *
 * A map stored as tables (DATA.tables: too big to send whole) opens on its overview of areas with no papers
 * in the page; opening an area loads that area's page from the server (?area=K, or ?area=K&sub=S inside an
 * area too big to draw), and search asks the server (DATA.search_url).
 */
(function () {
  "use strict";

  // The standalone file inlines the page data; the web app's page fetches its stored page file (started
  // in the page head) and adds the links of this server from a small inline block.
  var inline = document.getElementById("graphx-data");
  if (inline) { start(JSON.parse(inline.textContent)); return; }
  var links = JSON.parse(document.getElementById("graphx-links").textContent);
  (window.graphxPageData || fetch(links.api + "/page"))
    .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
    .then(function (data) { start(Object.assign(data, links)); })
    .catch(function (err) {
      var status = document.getElementById("gx-status");
      if (status) status.textContent = "The map's data could not be loaded (" + err.message + "): reload the page.";
    });

  function start(DATA) {
  var KINDS = DATA.kinds;
  var KIND_COLORS = ["#5f6b7a", "#d4a017", "#8e44ad", "#16a085"];
  // Edge colours with their opacity baked in: one string per edge, not an object vis-network re-blends.
  // Links between two areas are drawn fainter than links inside one, so that areas read as groups rather
  // than as one tangle (on a text-only page most of the drawn links cross areas).
  var ACROSS_AREAS_OPACITY = 0.12;
  function rgba(h, alpha) {
    return "rgba(" + [1, 3, 5].map(function (i) { return parseInt(h.slice(i, i + 2), 16); }).join(",") + "," + alpha + ")";
  }
  var KIND_RGBA = KIND_COLORS.map(function (h, k) { return rgba(h, k === 0 ? 0.45 : 0.35); });
  var KIND_RGBA_ACROSS = KIND_COLORS.map(function (h) { return rgba(h, ACROSS_AREAS_OPACITY); });
  // Arrowheads cost more to draw than the lines (a filled path each): on big maps they are drawn only
  // inside a drilled-in area, and only when it has at most this many citation edges.
  var ARROWS_MAX_EDGES = 3000;
  var ARROW = { to: { enabled: true, scaleFactor: 0.3 } }, NO_ARROW = { to: { enabled: false } };
  var KIND_LABELS = { cites: "cites", similar: "similar", cocited: "co-cited", coupled: "coupled" };
  var YEAR_STOPS = ["#440154", "#3b528b", "#21918c", "#5ec962", "#fde725"];
  var NO_YEAR = "#b0b4ba";
  var DIM_MIX = 0.82;               // share of the background mixed into a dimmed paper's colour
  var BACKGROUND = [251, 252, 253];
  // Canvas labels: font sizes (px on screen), how many paper labels at the fitted zoom, and growth with zoom.
  var AREA_FONT = 15, SUB_FONT = 13, PAPER_FONT = 12;
  var PAPER_LABELS_AT_FIT = 14, ALL_LABELS_MAX_PAPERS = 150, MAX_PAPER_LABELS = 400;
  var LABEL_MAX_CHARS = 34, NAME_LINES = 2;
  var SEARCH_SHOWN = 20, MAX_EXPORT_IDS = 2000;
  // vis-network's fit() stops at scale 1 by default; one area of a 2,000-unit map needs more.
  var MAX_ZOOM = 20;
  var FIT = { animation: false, maxZoomLevel: MAX_ZOOM };

  var TABLES = DATA.tables || null;
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
    drill: TABLES && nodes.length ? TABLES.area : null,  // area shown alone (drill-down), or null for all
    focus: TABLES && nodes.length ? { kind: "area", id: TABLES.area } : null,  // {kind: "area"|"sub", id} from the legend
    colorBy: "area",
    physics: false,
    pinned: null,      // a searched paper stays visible whatever the filters
    filters: null,
    years: DATA.years ? DATA.years.slice() : null,   // the timeline's range: papers outside it are dimmed
    topic: null,       // {query, label, ids: Set} from the topic search: other papers are dimmed
    search: { query: "", hits: [], pos: -1 },
    compareFrom: null, // a paper waiting for a second one to explain their link
  };
  var visible = new Uint8Array(nodes.length);
  var dimmed = new Uint8Array(nodes.length);

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
  var NUMBERS = new Intl.NumberFormat("en-US");   // toLocaleString builds one per call: ~10 us each
  function fmt(n) { return NUMBERS.format(Number(n)); }
  function readJson(r) {
    return r.json().catch(function () { return {}; }).then(function (body) {
      if (!r.ok) { var err = new Error(body.error || "HTTP " + r.status); err.status = r.status; throw err; }
      return body;
    });
  }
  function apiGet(path) { return fetch(DATA.api + path, { headers: { Accept: "application/json" } }).then(readJson); }
  // A state-changing request: a form POST to the graph's page URL, with the page's token when it has one.
  function apiPost(action, fields) {
    var form = new FormData();
    Object.keys(fields).forEach(function (k) { form.append(k, fields[k]); });
    var headers = { Accept: "application/json" };
    var meta = document.querySelector('meta[name="graphx-token"]');  // the server's token (webui/security.py)
    var token = meta ? meta.content : "";
    if (token) { form.append("csrf_token", token); headers["X-Graphx-Token"] = token; }
    return fetch(DATA.page_url + "/" + action, { method: "POST", body: form, headers: headers }).then(readJson);
  }
  // Tables maps: another area (or sub-area, or a paper in it) is another page of this explorer.
  function openStored(area, sub, paper, topic) {
    var q = area === null ? "" : "?area=" + encodeURIComponent(area) + (sub === null || sub === undefined ? "" : "&sub=" + encodeURIComponent(sub));
    if (paper) q += (q ? "&" : "?") + "paper=" + encodeURIComponent(paper);
    // The topic goes along: the area's page runs it again, so its papers stay bright there.
    if (topic) q += (q ? "&" : "?") + "topic=" + encodeURIComponent(topic);
    window.location.assign(DATA.page_url + q);
  }
  var app = { DATA: DATA, byId: byId, el: el, fmt: fmt, apiGet: apiGet, apiPost: apiPost,
              selectPaper: function (id) { selectPaper(id); } };

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
  function mix(hex, rgb, f) { return rgbToHex(hexToRgb(hex).map(function (v, k) { return v + (rgb[k] - v) * f; })); }
  function subColor(n) { var s = subById.get(n.sub); return s ? s.color : n.color; }
  var colorObjects = new Map();   // one colour object per colour, shared by the papers wearing it
  function nodeColor(n) {
    var c = state.colorBy === "year" ? yearColor(n.year) : state.drill !== null ? subColor(n) : n.color;
    if (dimmed[n.idx]) c = mix(c, BACKGROUND, DIM_MIX);
    var obj = colorObjects.get(c);
    if (!obj) {
      obj = { background: c, border: c, highlight: { background: c, border: "#111" }, hover: { background: c, border: "#111" } };
      colorObjects.set(c, obj);
    }
    return obj;
  }
  function computeDimmed() {
    var y = state.years, full = !y || (y[0] <= DATA.years[0] && y[1] >= DATA.years[1]), t = state.topic;
    for (var i = 0; i < nodes.length; i++) {
      var n = nodes[i], dim = false;
      // Papers without a year stay as they are: the timeline cannot place them.
      if (!full && n.year !== undefined && (n.year < y[0] || n.year > y[1])) dim = true;
      if (t && !t.ids.has(n.id)) dim = true;
      dimmed[i] = dim ? 1 : 0;
    }
  }
  var coloredDrilled = false;   // whether the paper nodes now wear their sub-area shades
  function refreshColors() {
    computeDimmed();
    coloredDrilled = state.drill !== null;
    if (paperNodes) paperNodes.update(nodes.map(function (n) { return { id: n.id, color: nodeColor(n) }; }));
  }

  // ---------------------------------------------------------------------------------- data sets
  var paperNodes = null, paperEdges = null, nodeView = null, edgeView = null;
  // The all-papers view draws the first edges_drawn edges (the strongest of each kind); a drilled-in
  // area adds the rest of its own.
  var drawnEdges = DATA.edges_drawn === undefined ? DATA.edges.length : DATA.edges_drawn;
  function edgeItem(e, i, arrows) {
    var item = { id: i, from: nodes[e[0]].id, to: nodes[e[1]].id, fi: e[0], ti: e[1], kind: e[2], w: e[3],
                 color: (nodes[e[0]].area === nodes[e[1]].area ? KIND_RGBA : KIND_RGBA_ACROSS)[e[2]] };
    if (arrows && e[2] === 0) item.arrows = ARROW;
    return item;
  }
  function ensurePapers() {
    if (paperNodes) return;
    coloredDrilled = state.drill !== null;
    paperNodes = new vis.DataSet(nodes.map(function (n) {
      return { id: n.id, idx: n.idx, x: n.x, y: n.y, size: n.size, color: nodeColor(n) };
    }));
    var arrows = drawnEdges <= ARROWS_MAX_EDGES;
    paperEdges = new vis.DataSet(DATA.edges.slice(0, drawnEdges).map(function (e, i) { return edgeItem(e, i, arrows); }));
    nodeView = new vis.DataView(paperNodes, { filter: function (item) { return visible[item.idx] === 1; } });
    edgeView = new vis.DataView(paperEdges, { filter: edgeVisible });
  }

  // Area names are drawn by the label layer (screen-sized, never overlapping), not by vis-network.
  var areaNodes = new vis.DataSet(DATA.overview.nodes.map(function (a) {
    return { id: "area:" + (a.sub === undefined ? a.area : a.sub), area: a.area, sub: a.sub, x: a.x, y: a.y, size: a.size, name: a.label, papers: a.papers,
             color: { background: a.color, border: a.color, highlight: { background: a.color, border: "#111" } } };
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
      else if (n.citations < f.minCites) ok = false;
      if (n.id === state.pinned) ok = true;
      visible[i] = ok ? 1 : 0;
    }
  }
  function edgeVisible(e) {
    var f = state.filters;
    if (!f.kinds.has(e.kind)) return false;
    if (e.kind === 1 && e.w < f.minSim) return false;
    return visible[e.fi] === 1 && visible[e.ti] === 1;
  }
  function readFilters() {
    var f = state.filters;
    f.kinds = new Set();
    document.querySelectorAll("#gx-kinds input").forEach(function (box) { if (box.checked) f.kinds.add(Number(box.value)); });
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
  network.on("afterDrawing", drawLabels);
  var fitScale = 1, subCentres = null;
  if (state.mode === "overview") fitOverview(); else fitPapers();
  fitScale = network.getScale();
  network.once("afterDrawing", function () {
    window.graphxReadyMs = performance.now();
    window.graphxReady = true;
    document.body.setAttribute("data-ready", state.mode);
  });

  // Labels hang below area nodes and fit() only sees the nodes: leave a margin.
  function fitOverview() { network.fit(FIT); network.moveTo({ scale: network.getScale() * 0.85, animation: false }); }
  function showOverview() {
    if (TABLES && (TABLES.area !== null)) { openStored(null); return; }
    state.mode = "overview"; state.drill = null; state.focus = null; state.pinned = null;
    network.setData({ nodes: areaNodes, edges: areaEdges });
    fitOverview();
    fitScale = network.getScale();
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
    if ((area !== null) !== coloredDrilled) refreshColors();
    syncAreaEdges();
    subCentres = null;
    network.setData({ nodes: nodeView, edges: edgeView });
    fitPapers();
    fitScale = network.getScale();
    updateChrome();
  }
  var areaEdgeIds = [];   // edges beyond the all-papers set, added for the drilled-in area
  var arrowIds = [];      // citation edges wearing arrowheads on a big map (those of the drilled-in area)
  function syncAreaEdges() {
    var inArea = [], extra = [];
    if (state.drill !== null) {
      DATA.edges.forEach(function (e, i) {
        if (nodes[e[0]].area === state.drill && nodes[e[1]].area === state.drill) { inArea.push(i); if (i >= drawnEdges) extra.push(i); }
      });
    }
    if (areaEdgeIds.length) paperEdges.remove(areaEdgeIds);
    var citations = inArea.filter(function (i) { return DATA.edges[i][2] === 0; });
    var arrows = drawnEdges > ARROWS_MAX_EDGES && citations.length <= ARROWS_MAX_EDGES;
    if (extra.length) paperEdges.add(extra.map(function (i) { return edgeItem(DATA.edges[i], i, arrows); }));
    areaEdgeIds = extra;
    if (drawnEdges <= ARROWS_MAX_EDGES) return;   // every citation edge has them from the start
    var want = arrows ? citations.filter(function (i) { return i < drawnEdges; }) : [];
    var keep = new Set(want), had = new Set(arrowIds);
    var changes = arrowIds.filter(function (i) { return !keep.has(i) && i < drawnEdges; }).map(function (i) { return { id: i, arrows: NO_ARROW }; });
    want.forEach(function (i) { if (!had.has(i)) changes.push({ id: i, arrows: ARROW }); });
    if (changes.length) paperEdges.update(changes);
    arrowIds = want;
  }
  function focusGroup(kind, id) {
    if (TABLES) {
      // Another area, or a sub-area of one not drawn here, is another page; an area too big to draw
      // opens on its sub-areas, so its sub-areas open alone.
      var area = kind === "area" ? id : subById.get(id).parent;
      var here = nodes.length > 0 && area === TABLES.area && (TABLES.sub === null || (kind === "sub" && id === TABLES.sub));
      var whole = areaById.get(area), big = whole && whole.size > DATA.max_area_papers;
      if (!here) return openStored(area, kind === "sub" && big ? id : null);
    }
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

  // ------------------------------------------------------------------------------ canvas labels
  var shorten = GraphxLabels.shorten;
  function nameLines(label) { return GraphxLabels.nameLines(label, LABEL_MAX_CHARS, NAME_LINES); }
  function paperLabel(n) {
    if (n.short === undefined) {
      var first = n.authors.length ? n.authors[0].trim().split(/\s+/).pop() : "";
      n.short = first ? first + (n.authors.length > 1 ? " et al." : "") + (n.year !== undefined ? " " + n.year : "")
                      : shorten(n.title, 24);
    }
    return n.short;
  }
  function darker(hex) { return mix(/^#[0-9a-fA-F]{6}$/.test(hex) ? hex : "#666666", [0, 0, 0], 0.45); }
  // Centres of the drilled-in area's sub-areas (mean of their drawn papers), computed once per drill.
  function subareaCentres() {
    if (subCentres) return subCentres;
    var acc = new Map();
    nodes.forEach(function (n) {
      if (n.area !== state.drill) return;
      var c = acc.get(n.sub) || { x: 0, y: 0, n: 0 };
      c.x += n.x; c.y += n.y; c.n++; acc.set(n.sub, c);
    });
    subCentres = [];
    acc.forEach(function (c, id) { var sub = subById.get(id); if (sub && c.n > 1) subCentres.push({ sub: sub, x: c.x / c.n, y: c.y / c.n, n: c.n }); });
    subCentres.sort(function (a, b) { return b.n - a.n; });
    return subCentres;
  }
  function drawLabels(ctx) {
    var w = container.clientWidth, h = container.clientHeight;
    var scale = network.getScale(), view = network.getViewPosition();
    function toDom(x, y) { return { x: (x - view.x) * scale + w / 2, y: (y - view.y) * scale + h / 2 }; }
    var cands = [];
    if (state.mode === "overview") {
      DATA.overview.nodes.slice().sort(function (a, b) { return b.papers - a.papers; }).forEach(function (a) {
        var p = toDom(a.x, a.y);
        // Below its disc (or above, or beside), so the name never hides the area it names.
        var lines = nameLines(a.label);
        cands.push({ kind: "area", text: lines.join(" "), lines: lines, sub: fmt(a.papers) + " papers", x: p.x, y: p.y, r: a.size * scale,
                     size: AREA_FONT, subSize: PAPER_FONT, bold: true, color: darker(a.color), id: a.area });
      });
    } else {
      if (state.drill === null) {
        DATA.overview.nodes.slice().sort(function (a, b) { return b.papers - a.papers; }).forEach(function (a) {
          if (state.filters.hiddenAreas.has(a.area)) return;
          var p = toDom(a.x, a.y);
          var lines = nameLines(a.label);
          cands.push({ kind: "area", text: lines.join(" "), lines: lines, x: p.x, y: p.y, r: 0, size: AREA_FONT, bold: true,
                       color: darker(a.color), id: a.area });
        });
      } else {
        subareaCentres().forEach(function (c) {
          var p = toDom(c.x, c.y);
          var lines = nameLines(c.sub.label);
          cands.push({ kind: "sub", text: lines.join(" "), lines: lines, x: p.x, y: p.y, r: 0, size: SUB_FONT, bold: true,
                       color: darker(c.sub.color), id: c.sub.id });
        });
      }
      // The most central papers first; more of them as the view zooms in past the fitted scale.
      var all = nodes.length <= ALL_LABELS_MAX_PAPERS;
      var budget = all ? nodes.length : Math.min(MAX_PAPER_LABELS, Math.round(PAPER_LABELS_AT_FIT * Math.pow(Math.max(scale / fitScale, 1), 2)));
      var order = DATA.label_order, tried = 0;
      for (var k = 0; k < order.length && tried < budget * 4; k++) {
        var n = nodes[order[k]];
        if (!visible[n.idx] || dimmed[n.idx]) continue;
        var p = toDom(n.x, n.y);
        if (p.x < 0 || p.y < 0 || p.x > w || p.y > h) continue;
        tried++;
        cands.push({ kind: "paper", text: paperLabel(n), x: p.x, y: p.y, r: n.size * scale, size: PAPER_FONT, color: "#1d232b", id: n.id });
      }
    }
    var limits = state.mode === "overview" ? null : { paper: all ? undefined : budget };
    // On the overview, names keep off the other areas' discs.
    var discs = state.mode !== "overview" ? [] : DATA.overview.nodes.map(function (a) {
      var p = toDom(a.x, a.y), r = a.size * scale;
      return { x: p.x - r, y: p.y - r, w: 2 * r, h: 2 * r, id: a.area };
    });
    var placed = GraphxLabels.place(ctx, cands, w, h, limits, discs);
    GraphxLabels.draw(ctx, placed, ctx.canvas.width / Math.max(w, 1));
    window.graphxLabels = GraphxLabels.public(placed);
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
      tooltip.append(el("strong", { text: a ? a.label : o.name }),
                     el("div", { text: fmt(o.papers) + " papers · click to open" }));
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
    if (state.mode === "overview") {
      if (!params.nodes || !params.nodes.length) return;
      var o = areaNodes.get(params.nodes[0]);
      if (TABLES) openStored(o.area, o.sub === undefined ? null : o.sub); else showPapers(o.area);
      return;
    }
    if (params.nodes && params.nodes.length) {
      var id = params.nodes[0];
      if (state.compareFrom && state.compareFrom !== id) { var a = state.compareFrom; state.compareFrom = null; updateStatus(); openLink(a, id); return; }
      openDetails(id);
      return;
    }
    if (params.edges && params.edges.length) {
      var e = paperEdges.get(params.edges[0]);
      if (e) openLink(e.from, e.to);
    }
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
    panel.removeAttribute("data-link");
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
      parts.push(el("p", null, el("button", { type: "button", class: "gx-compare", id: "gx-compare", text: "Why linked with… (click a second paper)",
        onclick: function () { state.compareFrom = id; updateStatus(); } })));
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
  // Every edge of the page data between two papers, for the link panel (built on first use).
  var pairEdges = null;
  function edgesBetween(a, b) {
    if (!pairEdges) {
      pairEdges = new Map();
      DATA.edges.forEach(function (e) {
        var key = Math.min(e[0], e[1]) + "|" + Math.max(e[0], e[1]);
        if (!pairEdges.has(key)) pairEdges.set(key, []);
        pairEdges.get(key).push({ from: nodes[e[0]].id, to: nodes[e[1]].id, kind: KINDS[e[2]], w: e[3] });
      });
    }
    var i = byId.get(a).idx, j = byId.get(b).idx;
    return pairEdges.get(Math.min(i, j) + "|" + Math.max(i, j)) || [];
  }
  function openLink(a, b) {
    var panel = $("gx-details");
    panel.hidden = false;
    panel.setAttribute("data-paper", "");
    panel.setAttribute("data-link", a + " " + b);
    network.selectNodes([a, b]);
    GraphxPanels.linkPanel(app, $("gx-details-body"), a, b, edgesBetween(a, b));
  }
  $("gx-details-close").addEventListener("click", function () { $("gx-details").hidden = true; network.unselectAll(); });

  // ------------------------------------------------------------------------------------- search
  var searchBox = $("gx-search"), results = $("gx-results"), counter = $("gx-search-count"), modeBox = $("gx-search-mode");
  var searchIndex = new GraphxSearch.Index(nodes);
  window.graphxSearchReady = false;
  // Abstracts are not in the page data (they would double it): they come after the first frame.
  function loadAbstracts() {
    if (DATA.details) {
      searchIndex.setAbstracts(nodes.map(function (n) { var d = DATA.details[n.id]; return d && d.paper.abstract || ""; }));
      window.graphxSearchReady = true;
      return;
    }
    if (!DATA.texts_url) { window.graphxSearchReady = true; return; }
    fetch(DATA.texts_url, { headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
      .then(function (t) {
        searchIndex.setAbstracts(nodes.map(function (n) { return t.abstracts[n.id] || ""; }));
        if (state.search.query) runSearch(true);
      })
      .catch(function () { searchBox.placeholder = "Search title or author (abstracts unavailable)"; })
      .finally(function () { window.graphxSearchReady = true; });
  }
  function showCount(text) { counter.textContent = text; counter.hidden = !text; }
  function runSearch(force) {
    var q = searchBox.value.trim();
    if (modeBox.value === "topic") return [];
    if (q === state.search.query && !force) return state.search.hits;
    results.replaceChildren();
    state.search = { query: q, hits: [], pos: -1 };
    if (q.length < 2) { results.hidden = true; showCount(""); return []; }
    var hits = searchIndex.search(q).map(function (i) { return nodes[i]; });
    state.search.hits = hits;
    results.append(el("li", { class: "gx-r-head", text: fmt(hits.length) + (hits.length === 1 ? " match" : " matches") +
      (hits.length ? ", best first · Enter steps through them" : "") + (searchIndex.hasAbstracts ? "" : " (titles and authors; abstracts loading)") }));
    hits.slice(0, SEARCH_SHOWN).forEach(function (n) { results.append(pageHit(n)); });
    if (hits.length > SEARCH_SHOWN) results.append(el("li", { class: "gx-muted gx-r-more", text: "and " + fmt(hits.length - SEARCH_SHOWN) + " more: press Enter to step through all" }));
    showCount(hits.length ? fmt(hits.length) : "0");
    results.hidden = false;
    return hits;
  }
  function pick(id) {
    results.hidden = true;
    var at = state.search.hits.findIndex(function (n) { return n.id === id; });
    if (at !== -1) { state.search.pos = at; showCount((at + 1) + " / " + fmt(state.search.hits.length)); }
    selectPaper(id);
  }
  function step(delta) {
    var hits = runSearch();
    if (!hits.length) return;
    var pos = state.search.pos === -1 ? 0 : (state.search.pos + delta + hits.length) % hits.length;
    pick(hits[pos].id);
  }
  // Topic mode: the server finds the papers of a topic; they stay bright and the rest of the map dims.
  function runTopic() {
    var q = searchBox.value.trim();
    results.replaceChildren();
    if (q.length < 2) return Promise.resolve();
    if (!DATA.api) { showTopicError("Topic search needs the graphx server (graphx serve)."); return Promise.resolve(); }
    showCount("…");
    return apiGet("/topic?q=" + encodeURIComponent(q)).then(function (d) {
      var ids = (d.papers || []).filter(function (id) { return byId.has(id); });
      var naming = new Set(d.naming || []);
      state.topic = { query: q, label: d.label || "", area: d.area, ids: new Set(ids), order: ids };
      if (state.mode === "overview" && !TABLES) showPapers(null);
      refreshColors();
      var total = (d.papers || []).length;
      showCount(fmt(total) + " in topic");
      var head = "Topic “" + q + "”: " + fmt(total) + " papers, " + fmt(naming.size) + " naming it" + (d.label ? " · " + d.label : "");
      // A map stored as tables shows one area at a time: the topic's papers are listed, each opening the
      // page that shows it, and those on this page stay bright.
      head += TABLES ? " · mostly in “" + (d.area || "?") + "” (searched " + fmt(d.areas_searched.length) + " areas, " +
        fmt(d.papers_searched) + " papers)" : "; the rest of the map is dimmed";
      results.append(el("li", { class: "gx-r-head", text: head }),
                     el("li", null, el("button", { type: "button", id: "gx-topic-clear", text: "Clear the topic", onclick: clearTopic })));
      // The topic's papers, best first; those whose title or abstract names the topic are marked (the
      // others are in it by their links and text).
      if (TABLES) (d.hits || []).slice(0, SEARCH_SHOWN).forEach(function (h) { results.append(serverHit(h, q, naming.has(h.id))); });
      else ids.slice(0, SEARCH_SHOWN).forEach(function (id) { results.append(pageHit(byId.get(id), naming.has(id))); });
      if (total > SEARCH_SHOWN) results.append(el("li", { class: "gx-muted gx-r-more", text: "and " + fmt(total - SEARCH_SHOWN) + " more, bright on the map" }));
      results.hidden = false;
      updateChrome();
    }).catch(function (err) {
      showTopicError(err.status === 404 ? "Topic search is not available from this server (HTTP 404)." : "Topic search failed: " + err.message);
    });
  }
  function showTopicError(text) { showCount(""); results.replaceChildren(el("li", { class: "gx-error gx-topic-error", text: text })); results.hidden = false; }
  function clearTopic() { state.topic = null; refreshColors(); showCount(""); results.hidden = true; updateChrome(); }
  // Tables maps: the server searches the whole map; a hit outside this page opens the page that shows it.
  var serverSearch = { timer: null, seq: 0 };
  var SEARCH_DELAY_MS = 250;
  function runServerSearch() {
    var q = searchBox.value.trim();
    clearTimeout(serverSearch.timer);
    if (q === state.search.query) return;
    results.replaceChildren();
    state.search = { query: q, hits: [], pos: -1 };
    if (q.length < 2) { results.hidden = true; showCount(""); return; }
    var seq = ++serverSearch.seq;
    showCount("…");
    fetch(DATA.search_url + "?q=" + encodeURIComponent(q) + "&limit=" + SEARCH_SHOWN, { headers: { Accept: "application/json" } })
      .then(readJson).then(function (d) {
        if (seq !== serverSearch.seq) return;
        state.search.hits = d.papers;
        results.replaceChildren(el("li", { class: "gx-r-head", text: fmt(d.total) + (d.total === 1 ? " match" : " matches") + " in the whole map" +
          (d.papers.length ? ", best first · Enter steps through them" : "") }));
        d.papers.forEach(function (h) { results.append(serverHit(h)); });
        if (d.total > d.papers.length) results.append(el("li", { class: "gx-muted gx-r-more", text: "and " + fmt(d.total - d.papers.length) + " more: add words to narrow the search" }));
        showCount(fmt(d.total));
        results.hidden = false;
      }).catch(function (err) {
        if (seq !== serverSearch.seq) return;
        showCount("");
        results.replaceChildren(el("li", { class: "gx-error", text: "Search failed: " + err.message }));
        results.hidden = false;
      });
  }
  // One paper of a results list: its title, then its meta line (with a "names it" tag when its title or
  // abstract names the topic); a click calls open.
  function hitItem(id, title, meta, names, open) {
    var tag = names ? el("span", { class: "gx-r-names", text: "names it", title: "Its title or abstract names the topic" }) : null;
    return el("li", null, el("button", { type: "button", "data-paper": id, onclick: open },
      el("span", { class: "gx-r-title", text: title }), el("span", { class: "gx-r-meta" }, tag, meta)));
  }
  // A paper of this page (search or topic): its authors and year; a click selects it.
  function pageHit(n, names) {
    return hitItem(n.id, n.title, authorsText(n) + (n.year ? " · " + n.year : ""), names, function () { pick(n.id); });
  }
  // A paper the server found (search or topic, tables maps): its area and year; a click opens it.
  function serverHit(h, topic, names) {
    var a = areaById.get(h.area);
    return hitItem(h.id, h.title, (a ? a.label : "area " + h.area) + (h.year ? " · " + h.year : ""), names,
                   function () { pickServer(h, topic); });
  }
  function pickServer(h, topic) {
    if (byId.has(h.id)) { pick(h.id); return; }
    results.hidden = true;
    openStored(h.open.area, h.open.sub, h.id, topic);
  }
  searchBox.addEventListener("input", function () {
    if (modeBox.value !== "papers") return;
    if (TABLES) { clearTimeout(serverSearch.timer); serverSearch.timer = setTimeout(runServerSearch, SEARCH_DELAY_MS); }
    else runSearch();
  });
  modeBox.addEventListener("change", function () {
    searchBox.placeholder = modeBox.value === "topic" ? "Topic, then Enter: highlights its papers" : "Search titles, authors, abstracts";
    state.search = { query: "", hits: [], pos: -1 }; results.hidden = true; showCount("");
    if (modeBox.value === "papers" && state.topic) clearTopic();
  });
  searchBox.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter") {
      ev.preventDefault();
      if (modeBox.value === "topic") runTopic();
      else if (TABLES && searchBox.value.trim() !== state.search.query) runServerSearch();
      else if (TABLES && state.search.hits.length) {
        var hits = state.search.hits, pos = (state.search.pos + (ev.shiftKey ? -1 : 1) + hits.length) % hits.length;
        state.search.pos = pos; pickServer(hits[pos]);
      } else if (!TABLES) step(ev.shiftKey ? -1 : 1);
    }
    if (ev.key === "Escape") results.hidden = true;
  });

  // ------------------------------------------------------------------------------ side panel
  function buildAreas() {
    var list = $("gx-areas");
    DATA.areas.forEach(function (a) {
      if (a.small) return;
      var subs = DATA.subareas.filter(function (s) { return s.parent === a.id; });
      var inner = el("div", { class: "gx-area-more", hidden: "" });
      var chart = null;
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
        onclick: function () {
          inner.hidden = !inner.hidden; toggle.textContent = inner.hidden ? "▸" : "▾";
          if (!chart) { chart = GraphxPanels.areaYears(app, a); inner.prepend(chart); }
        } });
      var years = a.years ? " · " + a.years[0] + "–" + a.years[1] : "";
      list.append(el("li", { class: "gx-area", "data-area": a.id },
        el("div", { class: "gx-area-row" },
          el("input", { type: "checkbox", class: "gx-area-shown", value: a.id, checked: "", title: "Show this area",
                        onchange: applyFilters }),
          el("span", { class: "gx-swatch", style: "background:" + (/^#[0-9a-fA-F]{6}$/.test(a.color) ? a.color : "#999") }),
          // The name takes the row's width; its size and years go on a line below (beside it, they
          // squeezed a three-term name onto four lines of the 300-px panel).
          el("div", { class: "gx-area-text" },
            el("button", { type: "button", class: "gx-link gx-area-name", "data-area": a.id, text: a.label,
                           onclick: function () { focusGroup("area", a.id); } }),
            el("span", { class: "gx-muted gx-area-size", text: fmt(a.size) + " papers" + years })),
          toggle),
        inner));
    });
    var c = DATA.area_counts;
    if (c.small_areas) list.append(el("li", { class: "gx-muted gx-small-areas", text: "+ " + fmt(c.small_areas) + " small group" + (c.small_areas === 1 ? "" : "s") +
      " (" + fmt(c.small_area_papers) + " paper" + (c.small_area_papers === 1 ? "" : "s") + "), grey on the map" }));
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
    var refs = DATA.references || [];
    if (!DATA.exports.length && !refs.length) { $("gx-downloads").hidden = true; return; }
    var close = function () { $("gx-downloads").removeAttribute("open"); };
    function links(list, query, scope, extra) {
      var row = el("div", { class: "gx-dl-row", "data-scope": scope });
      list.forEach(function (x) {
        var props = { href: x.url + query, download: "", "data-format": x.format, "data-scope": scope, text: x.label || x.format.toUpperCase(), onclick: close };
        Object.keys(extra || {}).forEach(function (k) { props[k] = extra[k]; });
        row.append(el("a", props));
      });
      return row;
    }
    function idsQuery(ids) { return "?ids=" + ids.slice(0, MAX_EXPORT_IDS).map(encodeURIComponent).join(","); }
    function section(head, graphFormats, query, scope, extra) {
      box.append(el("div", { class: "gx-dl-head", text: head }));
      if (graphFormats) box.append(links(DATA.exports, query, scope, extra));
      if (refs.length) box.append(links(refs, query, scope, extra));
    }
    if (!TABLES) section("Whole map (" + fmt(nodes.length) + " papers)", true, "", "map");
    var area = currentArea();
    if (area !== null) {
      var a = areaById.get(area);
      var subQuery = TABLES && TABLES.sub !== null ? "&sub=" + encodeURIComponent(TABLES.sub) : "";
      section("This area: " + (a ? a.label : area) + (a ? " (" + fmt(a.size) + ")" : ""), true, "?area=" + encodeURIComponent(area) + subQuery, "area", { "data-area": area });
    }
    if (!refs.length) return;
    if (state.search.hits.length) {
      var ids = state.search.hits.map(function (n) { return n.id; });
      section("Search “" + state.search.query + "” (" + fmt(ids.length) + (ids.length > MAX_EXPORT_IDS ? ", first " + fmt(MAX_EXPORT_IDS) : "") + ")", false, idsQuery(ids), "search");
    }
    if (state.topic) section("Topic “" + state.topic.query + "” (" + fmt(state.topic.order.length) + ")", false, idsQuery(state.topic.order), "topic");
    var selected = state.mode === "papers" ? network.getSelectedNodes() : [];
    if (selected.length) section("Selected papers (" + fmt(selected.length) + ")", false, idsQuery(selected), "selection");
  }

  function updateStatus() {
    var text;
    var inArea = TABLES && TABLES.area !== null ? areaById.get(TABLES.area) : null;
    if (state.mode === "overview" && inArea) {
      text = fmt(DATA.overview.nodes.length) + " sub-areas of “" + inArea.label + "” (" + fmt(inArea.size) + " papers, too many to draw at once) · click one to open it";
    } else if (state.mode === "overview") {
      text = fmt(DATA.area_counts.areas) + " areas of " + fmt(TABLES ? TABLES.papers : nodes.length) + " papers · click an area to open it";
      if (DATA.area_counts.small_areas) text += " · " + fmt(DATA.area_counts.small_areas) + " small groups (" + fmt(DATA.area_counts.small_area_papers) + " papers) only in All papers";
    } else {
      var n = 0;
      for (var i = 0; i < visible.length; i++) n += visible[i];
      text = fmt(n) + " papers · " + fmt(edgeView.getIds().length) + " edges shown";
      var sent = state.drill === null ? drawnEdges : DATA.edges.length;
      if (DATA.edges_total > sent) text += " (strongest " + fmt(sent) + " of " + fmt(DATA.edges_total) + ")";
      if (inArea) {
        var part = TABLES.sub !== null && subById.get(TABLES.sub) ? " › “" + subById.get(TABLES.sub).label + "”" : "";
        text = "“" + inArea.label + "”" + part + ": " + text + " · one area of a map of " + fmt(TABLES.papers) + " papers";
      }
      if (state.compareFrom) text = "Click a second paper to see how it is linked to “" + byId.get(state.compareFrom).title + "” · Esc cancels";
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
    var area = currentArea(), a = area === null ? null : areaById.get(area);
    $("gx-missing-show").textContent = "Find for " + (a ? "this area: " + shorten(a.label, 28) : "the whole map");
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
  $("gx-min-cites").addEventListener("change", applyFilters);
  $("gx-color").addEventListener("change", function () {
    state.colorBy = $("gx-color").value;
    $("gx-year-legend").hidden = state.colorBy !== "year";
    refreshColors();
    if (state.mode === "overview" && state.colorBy === "year") showPapers(null);
  });
  $("gx-physics").addEventListener("click", function () {
    state.physics = !state.physics;
    network.setOptions({ physics: { enabled: state.physics } });
    $("gx-physics").textContent = state.physics ? "Physics on" : "Physics off";
    $("gx-physics").classList.toggle("active", state.physics);
  });
  document.addEventListener("keydown", function (ev) {
    if (ev.key === "Escape" && state.compareFrom) { state.compareFrom = null; updateStatus(); }
  });
  $("gx-downloads").addEventListener("toggle", function () { if ($("gx-downloads").open) buildDownloads(); });
  $("gx-missing-show").addEventListener("click", function () { GraphxPanels.missingPanel(app, $("gx-missing"), currentArea()); });

  // ------------------------------------------------------------------------------ timeline
  var yearFrom = $("gx-year-from"), yearTo = $("gx-year-to"), allYears = null, pendingYears = false;
  function drawTimeline() {
    var y = state.years;
    $("gx-time-chart").replaceChildren(GraphxPanels.yearChart(allYears, DATA.years[0], DATA.years[1], "#4a6a8a", y));
    var inside = 0;
    Object.keys(allYears).forEach(function (k) { if (k >= y[0] && k <= y[1]) inside += allYears[k]; });
    $("gx-time-range").textContent = y[0] + "–" + y[1] + " · " + fmt(inside) + " papers";
  }
  function onYears() {
    var a = Number(yearFrom.value), b = Number(yearTo.value);
    state.years = [Math.min(a, b), Math.max(a, b)];
    drawTimeline();
    if (pendingYears) return;
    pendingYears = true;
    requestAnimationFrame(function () { pendingYears = false; refreshColors(); updateStatus(); });
  }
  function buildTimeline() {
    var note = $("gx-time-note");
    if (!DATA.years) {
      $("gx-timeline").hidden = true;
      note.textContent = "No publication years in this graph, so there is no timeline and no colour by year.";
      var opt = document.querySelector("#gx-color option[value=year]");
      opt.disabled = true; opt.textContent = "by year (no years)";
      return;
    }
    allYears = GraphxPanels.countByYear(nodes);
    [yearFrom, yearTo].forEach(function (box, k) {
      box.min = DATA.years[0]; box.max = DATA.years[1]; box.step = 1; box.value = DATA.years[k];
      box.addEventListener("input", onYears);
    });
    $("gx-time-reset").addEventListener("click", function () { yearFrom.value = DATA.years[0]; yearTo.value = DATA.years[1]; onYears(); });
    note.textContent = DATA.undated ? fmt(DATA.undated) + " paper" + (DATA.undated === 1 ? " has" : "s have") + " no year; they are never dimmed." : "";
    drawTimeline();
  }

  document.addEventListener("click", function (ev) {
    if (!ev.target.closest(".gx-search")) results.hidden = true;
    if (!ev.target.closest("#gx-downloads")) $("gx-downloads").removeAttribute("open");
  });

  if (DATA.years) {
    $("gx-y0").textContent = DATA.years[0]; $("gx-y1").textContent = DATA.years[1];
    document.querySelector(".gx-gradient").style.background = "linear-gradient(to right," + YEAR_STOPS.join(",") + ")";
  }
  if (TABLES) {
    // The whole map is never in this page: the missing-papers panel, which needs every paper, is off
    // (the topic lens runs on the server, on the areas holding the query's matches).
    document.querySelector(".gx-missing-box").hidden = true;
    $("gx-all").hidden = !nodes.length;
    $("gx-time").hidden = !nodes.length;
    if (state.drill !== null) syncAreaEdges();
  }
  buildAreas();
  buildKinds();
  buildTimeline();
  writeFilters();
  updateChrome();

  // For tests and benchmarks: the page's state, read-only.
  window.graphx = {
    network: network, state: state,
    visibleNodeCount: function () { return state.mode === "overview" ? areaNodes.length : nodeView.getIds().length; },
    visibleEdgeCount: function () { return state.mode === "overview" ? areaEdges.length : edgeView.getIds().length; },
    dimmedCount: function () { var n = 0; for (var i = 0; i < dimmed.length; i++) n += dimmed[i]; return n; },
    labels: function () { return window.graphxLabels || []; },
  };
  // After the first frame, so the map is not kept waiting for text only search needs (8 MB of JSON to
  // fetch and parse on a 6,545-paper map).
  var askedPaper = new URLSearchParams(window.location.search).get("paper");
  if (askedPaper && byId.has(askedPaper)) selectPaper(askedPaper);
  // A page opened from a topic's list (a map stored as tables): the topic again, its list closed.
  var askedTopic = new URLSearchParams(window.location.search).get("topic");
  if (askedTopic && DATA.api) {
    modeBox.value = "topic"; searchBox.value = askedTopic;
    runTopic().then(function () { results.hidden = true; });
  }
  if (window.graphxReady) setTimeout(loadAbstracts, 0);
  else network.once("afterDrawing", function () { setTimeout(loadAbstracts, 0); });
}
})();
