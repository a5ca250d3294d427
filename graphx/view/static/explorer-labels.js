/* graphx explorer: text on the canvas, placed as a map places its labels.
 *
 * The caller hands over candidate labels in priority order (area names, then sub-area names, then the
 * most central papers); each is placed at the first of its anchor positions whose box overlaps no label
 * already placed and lies inside the view, or dropped. Boxes live in screen space (CSS pixels), so labels
 * keep their size (>= MIN_FONT_PX) at every zoom, and a coarse grid keeps the overlap test cheap.
 */
(function () {
  "use strict";

  var MIN_FONT_PX = 12;
  var PAD_PX = 2;          // free space kept around each label box
  var CELL_PX = 96;        // grid cell of the overlap index
  var LINE_GAP = 1.2;      // line height as a share of the font size
  var FAMILY = 'system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif';

  var widths = new Map();
  function measure(ctx, font, text) {
    var key = font + "\u0000" + text;
    var w = widths.get(key);
    if (w === undefined) { ctx.font = font; w = ctx.measureText(text).width; widths.set(key, w); }
    return w;
  }

  // A label's lines: its name (``c.lines``, one or more lines in its own font, else ``c.text``), then
  // ``c.sub`` (a smaller, plain line such as "120 papers") if any.
  function linesOf(c) { var main = c.lines || [c.text]; return c.sub ? main.concat([c.sub]) : main; }
  function isMain(c, line) { return line < (c.lines ? c.lines.length : 1); }
  function lineSize(c, line) { return isMain(c, line) ? c.size : c.subSize || MIN_FONT_PX; }
  function fontOf(c, line) {
    var size = Math.max(lineSize(c, line), MIN_FONT_PX);
    return (isMain(c, line) && c.bold ? "600 " : "") + size + "px " + FAMILY;
  }

  // Candidate: {text, lines?, sub?, x, y, r (node radius px, 0 for areas), size, bold, color, kind}
  // Anchors: an area label is centred on its point; a paper label goes below, above, right or left.
  function anchors(c, w, h) {
    // An area name may slide up or down by its own height to make room for a neighbour's.
    if (!c.r) return [[c.x - w / 2, c.y - h / 2], [c.x - w / 2, c.y - 1.5 * h], [c.x - w / 2, c.y + 0.5 * h]];
    var gap = c.r + 2;
    return [[c.x - w / 2, c.y + gap], [c.x - w / 2, c.y - gap - h], [c.x + gap, c.y - h / 2], [c.x - gap - w, c.y - h / 2],
            [c.x + gap * 0.7, c.y + gap * 0.7], [c.x - gap * 0.7 - w, c.y + gap * 0.7],
            [c.x + gap * 0.7, c.y - gap * 0.7 - h], [c.x - gap * 0.7 - w, c.y - gap * 0.7 - h]];
  }

  // ``obstacles``: boxes labels should not cover ({x, y, w, h, id}: the overview's area discs); a label
  // goes where it covers neither a placed label nor another obstacle, else (rather than be dropped) where
  // it covers no placed label.
  function place(ctx, candidates, width, height, limits, obstacles) {
    var grid = new Map(), blocked = new Map(), placed = [], perKind = {};
    function cells(b, fn) {
      for (var gx = Math.floor(b[0] / CELL_PX); gx <= Math.floor((b[0] + b[2]) / CELL_PX); gx++)
        for (var gy = Math.floor(b[1] / CELL_PX); gy <= Math.floor((b[1] + b[3]) / CELL_PX); gy++)
          if (fn(gx + ":" + gy) === false) return false;
      return true;
    }
    function freeIn(index, b, own) {
      return cells(b, function (key) {
        var list = index.get(key);
        if (!list) return true;
        for (var i = 0; i < list.length; i++) {
          var o = list[i];
          if (own !== undefined && o.id === own) continue;
          if (b[0] < o[0] + o[2] + PAD_PX && o[0] < b[0] + b[2] + PAD_PX && b[1] < o[1] + o[3] + PAD_PX && o[1] < b[1] + b[3] + PAD_PX) return false;
        }
        return true;
      });
    }
    (obstacles || []).forEach(function (o) {
      var b = [o.x, o.y, o.w, o.h];
      b.id = o.id;
      cells(b, function (key) { if (!blocked.has(key)) blocked.set(key, []); blocked.get(key).push(b); });
    });
    for (var i = 0; i < candidates.length; i++) {
      var c = candidates[i];
      var limit = limits ? limits[c.kind] : undefined;
      if (typeof limit === "number" && (perKind[c.kind] || 0) >= limit) continue;
      var lines = linesOf(c);
      var w = 0, h = 0;
      lines.forEach(function (t, k) { w = Math.max(w, measure(ctx, fontOf(c, k), t)); h += lineSize(c, k) * LINE_GAP; });
      var spots = anchors(c, w, h);
      for (var t = 0; t < 2 * spots.length; t++) {
        var s = t % spots.length, strict = t < spots.length;
        var b = [spots[s][0], spots[s][1], w, h];
        if (b[0] < 0 || b[1] < 0 || b[0] + w > width || b[1] + h > height) continue;
        if (!freeIn(grid, b) || (strict && !freeIn(blocked, b, c.id))) continue;
        cells(b, function (key) { if (!grid.has(key)) grid.set(key, []); grid.get(key).push(b); });
        placed.push({ text: c.text, sub: c.sub || null, kind: c.kind, x: b[0], y: b[1], w: w, h: h,
                      size: Math.max(c.size, MIN_FONT_PX), color: c.color, lines: lines, cand: c });
        perKind[c.kind] = (perKind[c.kind] || 0) + 1;
        break;
      }
    }
    return placed;
  }

  function draw(ctx, placed, ratio) {
    ctx.save();
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.textBaseline = "top";
    ctx.textAlign = "center";
    ctx.lineJoin = "round";
    placed.forEach(function (p) {
      var y = p.y;
      p.lines.forEach(function (t, k) {
        var c = p.cand;
        ctx.font = fontOf(c, k);
        ctx.lineWidth = Math.max(3, (isMain(c, k) ? c.size : MIN_FONT_PX) / 4);
        ctx.strokeStyle = "rgba(255,255,255,0.92)";
        ctx.strokeText(t, p.x + p.w / 2, y);
        ctx.fillStyle = isMain(c, k) ? p.color : "#4a5360";
        ctx.fillText(t, p.x + p.w / 2, y);
        y += lineSize(c, k) * LINE_GAP;
      });
    });
    ctx.restore();
  }

  // ``text`` cut at a word boundary to at most ``max`` characters, with an ellipsis.
  function shorten(text, max) {
    if (text.length <= max) return text;
    var cut = text.slice(0, max - 1), space = cut.lastIndexOf(" ");
    return (space > max / 2 ? cut.slice(0, space) : cut).replace(/[,;: ]+$/, "") + "…";
  }

  // An area's name on the map: whole terms of its label ("a, b, c") on at most ``maxLines`` lines of
  // ``maxChars``, never a term cut in the middle ("representation learning," / "graph neural networks");
  // the terms that do not fit are left to the side panel, which lists the whole label. Only a first term
  // longer than a line is shortened.
  function nameLines(label, maxChars, maxLines) {
    var terms = label.split(", "), lines = [];
    for (var i = 0; i < terms.length; i++) {
      var last = lines.length - 1, sep = i < terms.length - 1 ? "," : "";
      if (last >= 0 && (lines[last] + " " + terms[i] + sep).length <= maxChars) lines[last] += " " + terms[i] + sep;
      else if (lines.length < maxLines && (terms[i] + sep).length <= maxChars) lines.push(terms[i] + sep);
      else if (lines.length === 0) lines.push(shorten(terms[i], maxChars));
      else break;
    }
    lines[lines.length - 1] = lines[lines.length - 1].replace(/,$/, "");
    return lines;
  }

  window.GraphxLabels = {
    MIN_FONT_PX: MIN_FONT_PX,
    shorten: shorten,
    nameLines: nameLines,
    place: place,
    draw: draw,
    // The records tests read back: screen boxes in CSS pixels relative to the canvas.
    public: function (placed) {
      return placed.map(function (p) { return { text: p.text, sub: p.sub, kind: p.kind, x: p.x, y: p.y, w: p.w, h: p.h, size: p.size }; });
    },
  };
})();
