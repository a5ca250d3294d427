/* graphx explorer: ranked search over titles, authors and abstracts.
 *
 * Every query word must occur (as a word or word start) in some field of a paper. A paper scores, per
 * word, the word's rarity (idf) times the weight of the best field it occurs in (title > authors >
 * abstract), plus a bonus when the whole query occurs as a phrase in the title or the abstract; ties go
 * to the more cited paper. Abstracts arrive after the map is drawn; until then titles and authors rank.
 */
(function () {
  "use strict";

  var FIELD_WEIGHTS = [3, 2, 1];      // title, authors, abstract
  var PHRASE_BONUS = [4, 0, 1.5];     // the whole query as a phrase in that field, in idf units
  var STOP = new Set("a an and are as at by for from in is of on or the to via with".split(" "));

  function norm(s) {
    return " " + String(s || "").toLowerCase().normalize("NFKD").replace(/[\u0300-\u036f]/g, "")
      .replace(/[^a-z0-9]+/g, " ").trim() + " ";
  }

  function Index(docs) {
    // docs: [{title, authors: [..], citations}]
    this.n = docs.length;
    this.fields = [docs.map(function (d) { return norm(d.title); }),
                   docs.map(function (d) { return norm((d.authors || []).join(" ")); }),
                   docs.map(function () { return " "; })];
    this.citations = docs.map(function (d) { return d.citations || 0; });
    this.hasAbstracts = false;
  }
  Index.prototype.setAbstracts = function (abstracts) {
    this.fields[2] = abstracts.map(norm);
    this.hasAbstracts = true;
  };
  Index.prototype.search = function (query) {
    var raw = norm(query).trim();
    var words = raw.split(" ").filter(Boolean);
    var content = words.filter(function (w) { return !STOP.has(w); });
    if (content.length) words = content;
    if (!words.length) return [];
    var n = this.n, fields = this.fields;
    var score = new Float64Array(n), alive = new Uint8Array(n).fill(1);
    for (var t = 0; t < words.length; t++) {
      var needle = " " + words[t], best = new Uint8Array(n), df = 0;
      for (var i = 0; i < n; i++) {
        if (!alive[i]) continue;
        for (var f = 0; f < 3; f++) {
          if (fields[f][i].indexOf(needle) !== -1) { best[i] = FIELD_WEIGHTS[f]; break; }
        }
        if (best[i]) df++; else alive[i] = 0;
      }
      var idf = Math.log(1 + n / (1 + df));
      for (i = 0; i < n; i++) if (alive[i]) score[i] += idf * best[i];
    }
    var hits = [];
    var phrase = raw.indexOf(" ") !== -1 ? " " + raw + " " : null;
    for (i = 0; i < n; i++) {
      if (!alive[i]) continue;
      if (phrase) for (f = 0; f < 3; f++) if (PHRASE_BONUS[f] && fields[f][i].indexOf(phrase) !== -1) score[i] += PHRASE_BONUS[f];
      hits.push(i);
    }
    var cites = this.citations;
    hits.sort(function (a, b) { return score[b] - score[a] || cites[b] - cites[a] || a - b; });
    return hits;
  };

  window.GraphxSearch = { Index: Index, norm: norm };
})();
