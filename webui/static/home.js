/* graphx home page: start builds without leaving the page and show their live progress. */
(function () {
  "use strict";
  var form = document.getElementById("build-form");
  var list = document.getElementById("builds");
  var card = document.getElementById("builds-card");
  var errorBox = document.getElementById("build-error");
  var polling = new Map();
  // The server refuses state-changing requests without its token (webui/security.py).
  var token = document.querySelector('meta[name="graphx-token"]').content;
  var SEND = { Accept: "application/json", "X-Graphx-Token": token };

  function el(tag, props) {
    var e = document.createElement(tag);
    Object.keys(props || {}).forEach(function (k) {
      if (k === "text") e.textContent = props[k];
      else if (k === "class") e.className = props[k];
      else e.setAttribute(k, props[k]);
    });
    for (var i = 2; i < arguments.length; i++) if (arguments[i] != null) e.append(arguments[i]);
    return e;
  }

  function render(b) {
    var li = list.querySelector('li[data-build-id="' + CSS.escape(b.id) + '"]');
    if (!li) { li = el("li", { class: "build", "data-build-id": b.id }); list.prepend(li); }
    card.hidden = false;
    li.setAttribute("data-state", b.state);
    var head = el("div", { class: "build-head" }, el("strong", { text: b.name }), el("span", { class: "build-state", text: b.state }));
    if (b.state === "running" || b.state === "queued") {
      var cancel = el("button", { type: "button", class: "build-cancel", text: "Cancel" });
      cancel.addEventListener("click", function () {
        fetch(b.cancel_url, { method: "POST", headers: SEND });
        cancel.disabled = true; cancel.textContent = "Cancelling…";
      });
      head.append(cancel);
    }
    if (b.graph_url) head.append(el("a", { href: b.graph_url, class: "build-open", text: "Open the explorer →" }));
    var bar = el("div", { class: "bar" }, el("div", { style: "width:" + b.percent + "%" }));
    var detail = [b.position ? "position " + b.position + " in the queue" : (b.stage ? "stage: " + b.stage : "starting"), b.papers != null ? b.papers.toLocaleString("en-US") + " papers" : null,
                  b.elapsed_s + " s", b.source].filter(Boolean).join(" · ");
    var parts = [head, bar, el("div", { class: "build-detail", text: detail })];
    b.notes.forEach(function (n) { parts.push(el("div", { class: "build-detail", text: n })); });
    if (b.error) parts.push(el("div", { class: "build-error", role: "alert", text: b.error }));
    li.replaceChildren.apply(li, parts);
  }

  function poll(id) {
    if (polling.has(id)) return;
    polling.set(id, true);
    (function tick() {
      fetch("/api/builds/" + encodeURIComponent(id), { headers: { Accept: "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (b) {
          if (b.error && !b.state) { polling.delete(id); return; }
          render(b);
          if (b.state === "running" || b.state === "queued") setTimeout(tick, 500);
          else polling.delete(id);
        })
        .catch(function () { setTimeout(tick, 2000); });
    })();
  }

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    errorBox.hidden = true;
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    fetch(form.action, { method: "POST", body: new FormData(form), headers: SEND })
      .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); })
      .then(function (res) {
        if (!res.ok) { errorBox.textContent = res.body.error || "The build could not start."; errorBox.hidden = false; return; }
        render(res.body); poll(res.body.id);
      })
      .catch(function (err) { errorBox.textContent = "The build could not start: " + err.message; errorBox.hidden = false; })
      .finally(function () { button.disabled = false; });
  });

  list.querySelectorAll("li[data-build-id]").forEach(function (li) { poll(li.getAttribute("data-build-id")); });
  var params = new URLSearchParams(location.search);
  if (params.get("build")) poll(params.get("build"));
})();
