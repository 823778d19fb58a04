// Offline search: the index is a script (search-index.js) so that it loads from file:// too.
(function () {
  "use strict";
  var input = document.getElementById("search-input");
  var list = document.getElementById("search-results");
  var status = document.getElementById("search-status");
  var index = window.THROUGHLINE_SEARCH || [];
  if (!input || !list) return;
  var root = document.documentElement.getAttribute("data-root") || "";
  function terms(q) { return q.toLowerCase().split(/\s+/).filter(Boolean); }
  function score(doc, ts) {
    var title = doc.t.toLowerCase(), text = doc.b.toLowerCase(), s = 0;
    for (var i = 0; i < ts.length; i++) {
      var inTitle = title.indexOf(ts[i]) >= 0, inText = text.indexOf(ts[i]) >= 0;
      if (!inTitle && !inText && doc.i.indexOf(ts[i]) < 0) return 0;
      s += (inTitle ? 10 : 0) + (inText ? 1 : 0);
    }
    return s;
  }
  function snippet(text, ts) {
    var lower = text.toLowerCase(), at = lower.indexOf(ts[0]);
    var start = Math.max(0, at - 60);
    return (start > 0 ? "…" : "") + text.slice(start, start + 180) + (text.length > start + 180 ? "…" : "");
  }
  function run() {
    var ts = terms(input.value);
    list.textContent = "";
    if (!ts.length) { status.textContent = ""; return; }
    var hits = [];
    for (var i = 0; i < index.length; i++) { var s = score(index[i], ts); if (s) hits.push([s, index[i]]); }
    hits.sort(function (a, b) { return b[0] - a[0] || (a[1].t < b[1].t ? -1 : 1); });
    status.textContent = hits.length + (hits.length === 1 ? " result" : " results");
    hits.slice(0, 50).forEach(function (h) {
      var li = document.createElement("li"), a = document.createElement("a"), kind = document.createElement("span"), p = document.createElement("p");
      a.href = root + h[1].u; a.textContent = h[1].t;
      kind.className = "badge kind"; kind.textContent = h[1].k;
      p.textContent = snippet(h[1].b, ts);
      li.appendChild(a); li.appendChild(document.createTextNode(" ")); li.appendChild(kind); li.appendChild(p);
      list.appendChild(li);
    });
  }
  input.addEventListener("input", run);
  var q = new URLSearchParams(window.location.search).get("q");
  if (q) { input.value = q; }
  run();
})();
