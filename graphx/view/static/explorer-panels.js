/* graphx explorer: the panels that ask the server more than the page data holds (papers the map is
 * missing, why two papers are linked) and the small year charts.
 *
 * Each takes the explorer's `app` object: {DATA, byId, el, fmt, selectPaper, apiGet, apiPost}. Server
 * answers reach the page through textContent only. A server without an endpoint (an older graphx, the
 * standalone file) gets a sentence saying what is unavailable, never a broken panel.
 */
(function () {
  "use strict";

  var SVG = "http://www.w3.org/2000/svg";
  var CHART_W = 240, CHART_H = 44;
  var TITLES_SHOWN = 8;

  function svg(tag, attrs) {
    var e = document.createElementNS(SVG, tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    return e;
  }

  // Papers per year as bars, from y0 to y1; `counts` maps year -> papers. Bars outside [lo, hi] are faded.
  function yearChart(counts, y0, y1, color, range) {
    var years = y1 - y0 + 1, max = 1;
    for (var y = y0; y <= y1; y++) max = Math.max(max, counts[y] || 0);
    var chart = svg("svg", { class: "gx-year-chart", viewBox: "0 0 " + CHART_W + " " + CHART_H, width: CHART_W, height: CHART_H,
                             role: "img", "aria-label": "papers per year" });
    var bw = CHART_W / years;
    for (y = y0; y <= y1; y++) {
      var n = counts[y] || 0, h = n ? Math.max(2, (CHART_H - 2) * n / max) : 0;
      var inside = !range || (y >= range[0] && y <= range[1]);
      var bar = svg("rect", { x: ((y - y0) * bw + 0.5).toFixed(1), y: (CHART_H - h).toFixed(1), width: Math.max(bw - 1, 1).toFixed(1),
                              height: h.toFixed(1), fill: color, "fill-opacity": inside ? 0.9 : 0.25, "data-year": y, "data-count": n });
      var title = svg("title");
      title.textContent = y + ": " + n + " paper" + (n === 1 ? "" : "s");
      bar.append(title);
      chart.append(bar);
    }
    return chart;
  }

  function countByYear(nodes, keep) {
    var counts = {};
    nodes.forEach(function (n) { if (n.year !== undefined && (!keep || keep(n))) counts[n.year] = (counts[n.year] || 0) + 1; });
    return counts;
  }

  function areaYears(app, area) {
    var D = app.DATA, el = app.el;
    var box = el("div", { class: "gx-area-years" });
    if (!D.years) { box.append(el("p", { class: "gx-muted", text: "No publication years in this graph." })); return box; }
    var members = D.nodes.filter(function (n) { return n.area === area.id; });
    var undated = members.filter(function (n) { return n.year === undefined; }).length;
    box.append(el("h5", { text: "Papers per year" }),
               yearChart(countByYear(members), D.years[0], D.years[1], area.color),
               el("div", { class: "gx-chart-axis" }, el("span", { text: D.years[0] }), el("span", { text: D.years[1] })));
    if (undated) box.append(el("p", { class: "gx-muted", text: app.fmt(undated) + " without a year" }));
    return box;
  }

  function unavailable(err, what) {
    var status = err && err.status;
    if (status === 404) return what + " is not available from this server (HTTP 404).";
    return what + " could not be loaded: " + (err && err.message ? err.message : err);
  }

  // ------------------------------------------------------------------------- papers you are missing
  function missingPanel(app, box, area) {
    var el = app.el, fmt = app.fmt;
    box.replaceChildren(el("p", { class: "gx-muted", text: "Looking for papers this map cites or is cited by…" }));
    if (!app.DATA.api) { box.replaceChildren(el("p", { class: "gx-muted", text: "Missing papers need the graphx server (graphx serve)." })); return; }
    var q = area === null ? "" : "?area=" + encodeURIComponent(area);
    app.apiGet("/missing" + q).then(function (d) {
      var parts = [];
      [["foundations", "Foundations", "cited by", "papers of this map cite them most"],
       ["follow_ups", "Follow-ups", "cites", "they cite the most papers of this map"]].forEach(function (spec) {
        var items = d[spec[0]] || [];
        parts.push(el("h5", { text: spec[1] + " (" + fmt(items.length) + ")", title: spec[3] }));
        if (!items.length) { parts.push(el("p", { class: "gx-muted", text: "none found" })); return; }
        var ol = el("ol", { class: "gx-missing-list", "data-kind": spec[0] });
        items.forEach(function (p) {
          var note = el("span", { class: "gx-muted gx-missing-note" });
          var add = el("button", { type: "button", class: "gx-add", "data-id": p.id, text: "add to the map" });
          add.addEventListener("click", function () {
            add.disabled = true; note.textContent = " adding…";
            app.apiPost("add", { ids: p.id }).then(function (r) {
              note.textContent = " " + (r.message || ("added " + r.added)); add.textContent = "added";
            }).catch(function (err) { add.disabled = false; note.textContent = " " + unavailable(err, "Adding papers"); });
          });
          ol.append(el("li", { "data-id": p.id },
            el("span", { class: "gx-missing-title", text: p.title || p.id }),
            el("span", { class: "gx-muted", text: (p.year ? " (" + p.year + ")" : "") + " · " + spec[2] + " " + fmt(p.count) }),
            " ", add, note));
        });
        parts.push(ol);
      });
      box.replaceChildren.apply(box, parts);
    }).catch(function (err) {
      box.replaceChildren(el("p", { class: "gx-muted gx-unavailable", text: unavailable(err, "The list of missing papers") }));
    });
  }

  // ------------------------------------------------------------------------------ why two are linked
  var KIND_TEXT = { cites: "cites", similar: "similar abstracts", cocited: "co-cited", coupled: "shared references" };

  function linkPanel(app, body, a, b, localEdges) {
    var el = app.el, fmt = app.fmt, byId = app.byId;
    function paperButton(id) {
      var n = byId.get(id) || { title: id };
      return el("button", { type: "button", class: "gx-link", "data-paper": id, text: n.title + (n.year ? " (" + n.year + ")" : ""),
                            onclick: function () { app.selectPaper(id); } });
    }
    var head = [el("h2", { class: "gx-d-title", text: "Why these two are linked" }),
                el("p", { class: "gx-link-pair" }, paperButton(a), el("span", { class: "gx-muted", text: " and " }), paperButton(b))];
    var local = el("section", { class: "gx-list gx-link-edges" }, el("h4", { text: "Links drawn on this map" }));
    var ul = el("ul");
    localEdges.forEach(function (e) {
      var text = e.kind === "cites" ? (e.from === a ? "first cites second" : "second cites first") : KIND_TEXT[e.kind] + " · weight " + e.w.toFixed(2);
      ul.append(el("li", { "data-kind": e.kind, text: text }));
    });
    if (!localEdges.length) ul.append(el("li", { class: "gx-muted", text: "none drawn (the map shows the strongest edges only)" }));
    local.append(ul);
    var more = el("section", { class: "gx-link-explain" }, el("p", { class: "gx-muted", text: "Loading the full explanation…" }));
    body.replaceChildren.apply(body, head.concat([local, more]));
    if (!app.DATA.api) { more.replaceChildren(el("p", { class: "gx-muted", text: "The full explanation needs the graphx server (graphx serve)." })); return; }
    app.apiGet("/link?a=" + encodeURIComponent(a) + "&b=" + encodeURIComponent(b)).then(function (d) {
      var parts = [];
      var cites = { "a->b": "The first cites the second.", "b->a": "The second cites the first.", both: "They cite each other." }[d.cites];
      parts.push(el("p", { class: "gx-link-cites", text: cites || "Neither cites the other." }));
      [["shared_references", "Shared references"], ["shared_citers", "Cited by both"]].forEach(function (spec) {
        var s = d[spec[0]] || { count: 0, titles: [] };
        var sec = el("section", { class: "gx-list", "data-part": spec[0] },
          el("h4", { text: spec[1] + " (" + fmt(s.count) + ")" + (s.count ? " · strength " + Number(s.strength).toFixed(2) : "") }));
        if (s.titles && s.titles.length) {
          var list = el("ul");
          s.titles.slice(0, TITLES_SHOWN).forEach(function (t) { list.append(el("li", { text: t })); });
          sec.append(list);
          if (s.titles.length > TITLES_SHOWN) sec.append(el("p", { class: "gx-muted", text: "and " + fmt(s.titles.length - TITLES_SHOWN) + " more" }));
        }
        parts.push(sec);
      });
      var terms = d.shared_terms || [];
      parts.push(el("section", { class: "gx-list", "data-part": "shared_terms" }, el("h4", { text: "Distinctive terms both use" }),
        terms.length ? el("p", null, terms.map(function (t) { return el("span", { class: "gx-chip", text: t }); }).reduce(function (p, c) { p.append(c, " "); return p; }, el("span")))
                     : el("p", { class: "gx-muted", text: "none" })));
      var sim = d.similarity || {};
      var bits = ["score " + (sim.score === null || sim.score === undefined ? "–" : Number(sim.score).toFixed(2))];
      if (sim.tfidf !== undefined && sim.tfidf !== null) bits.push("TF-IDF " + Number(sim.tfidf).toFixed(2));
      if (sim.embedding !== undefined && sim.embedding !== null) bits.push("embedding " + Number(sim.embedding).toFixed(2));
      parts.push(el("section", { class: "gx-list", "data-part": "similarity" }, el("h4", { text: "Abstract similarity" }), el("p", { text: bits.join(" · ") })));
      more.replaceChildren.apply(more, parts);
    }).catch(function (err) {
      more.replaceChildren(el("p", { class: "gx-muted gx-unavailable", text: unavailable(err, "The full explanation") }));
    });
  }

  window.GraphxPanels = { yearChart: yearChart, countByYear: countByYear, areaYears: areaYears,
                          missingPanel: missingPanel, linkPanel: linkPanel };
})();
