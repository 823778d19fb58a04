// Search over the index in search/ (see src/render/search.rs): a manifest,
// term shards by a word's first two characters, and fragments of documents.
// Nothing loads until the box is used; then each part is added as a script,
// which works from file:// as well as over HTTP. Results are DOM nodes
// built from text, never HTML.
(function () {
  "use strict";
  var input = document.getElementById("search-input");
  var list = document.getElementById("search-results");
  var status = document.getElementById("search-status");
  var kindSelect = document.getElementById("search-kind");
  var more = document.getElementById("search-more");
  if (!input || !list || !status) return;
  var root = document.documentElement.getAttribute("data-root") || "";
  var PAGE = 20;
  // The results a phone shows before scrolling, and more: they are shown as
  // soon as their documents are in (a few fragments, not the 15 or so the
  // first page needs), and the rest follow below them.
  var FIRST = 5;
  var manifest = null, shards = {}, docs = {}, loading = {}, shown = PAGE, generation = 0;
  // Where each document's entry is: its fragment's name and its place there
  // (the manifest lists the fragments in order, with how many each holds).
  var fragmentOf = null, placeIn = null;

  // The callbacks the index scripts call.
  window.THROUGHLINE_SEARCH = {
    manifest: function (m) {
      manifest = m; fragmentOf = []; placeIn = [];
      m.sizes.forEach(function (size, f) {
        for (var i = 0; i < size; i++) { fragmentOf.push(m.fragments[f]); placeIn.push(i); }
      });
    },
    terms: function (key, words) { shards[key] = words; },
    docs: function (name, entries) { docs[name] = entries; }
  };

  /** Adds the script at `path` once; the promise settles when it ran. */
  function load(path) {
    if (!loading[path]) {
      loading[path] = new Promise(function (ok, fail) {
        var s = document.createElement("script");
        s.src = root + "search/" + path;
        s.onload = ok;
        s.onerror = function () { fail(new Error(path)); };
        document.head.appendChild(s);
      });
    }
    return loading[path];
  }

  // The words of a query, split and lowercased as the index splits them.
  var WORD = /[\p{Alphabetic}\p{N}]+/gu;
  function words(text) { return (text.toLowerCase().match(WORD) || []).filter(function (w) { return Array.from(w).length <= 40; }); }
  function keyOf(word) { return Array.from(word).slice(0, 2).join(""); }
  function fileOf(key) {
    return Array.from(key).map(function (c) { return /[a-z0-9]/.test(c) ? c : "_" + c.codePointAt(0).toString(16); }).join("") + ".js";
  }

  /**
   * Documents matching every word of the query, best first. A word matches
   * a word of the index that it starts; for each query word a document
   * scores by where it occurs best (title 3, heading 2, body 1), doubled,
   * plus one for an exact match: a title's exact word beats a title's
   * prefix, which beats a heading's exact word, and so on down to the body.
   */
  function rank(ws) {
    var total = null;
    for (var i = 0; i < ws.length; i++) {
      var w = ws[i], shard = shards[keyOf(w)] || {}, best = new Map();
      for (var word in shard) {
        if (!Object.prototype.hasOwnProperty.call(shard, word) || word.lastIndexOf(w, 0) !== 0) continue;
        var exact = word === w ? 1 : 0, postings = shard[word], v = 0;
        for (var j = 0; j < postings.length; j++) {
          v += postings[j];
          var doc = Math.floor(v / 3), s = ((v % 3) + 1) * 2 + exact;
          if ((best.get(doc) || 0) < s) best.set(doc, s);
        }
      }
      if (total === null) total = best;
      else {
        var both = new Map();
        total.forEach(function (s, doc) { if (best.has(doc)) both.set(doc, s + best.get(doc)); });
        total = both;
      }
    }
    var hits = [];
    (total || new Map()).forEach(function (s, doc) { hits.push([s, doc]); });
    hits.sort(function (a, b) { return b[0] - a[0] || a[1] - b[1]; });
    return hits;
  }

  /** `text` as nodes in `parent`, each word that starts with a query word marked. */
  function highlight(parent, text, ws) {
    var at = 0, m;
    WORD.lastIndex = 0;
    while ((m = WORD.exec(text))) {
      var lower = m[0].toLowerCase();
      if (!ws.some(function (w) { return lower.lastIndexOf(w, 0) === 0; })) continue;
      parent.appendChild(document.createTextNode(text.slice(at, m.index)));
      var mark = document.createElement("mark");
      mark.textContent = m[0];
      parent.appendChild(mark);
      at = m.index + m[0].length;
    }
    parent.appendChild(document.createTextNode(text.slice(at)));
  }

  /** About 180 characters of `text` around the first query word in it. */
  function snippet(text, ws) {
    var lower = text.toLowerCase(), at = -1;
    for (var i = 0; i < ws.length && at < 0; i++) {
      var re = new RegExp("(^|[^\\p{Alphabetic}\\p{N}])" + ws[i].replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), "u");
      var m = re.exec(lower);
      if (m) at = m.index + m[1].length;
    }
    var start = Math.max(0, at - 60);
    // Start and end on a word boundary.
    if (start > 0) { var sp = text.indexOf(" ", start); if (sp >= 0 && sp < Math.max(at, start + 1)) start = sp + 1; }
    var end = Math.min(text.length, start + 180);
    if (end < text.length) { var cut = text.lastIndexOf(" ", end); if (cut > start) end = cut; }
    return (start > 0 ? "… " : "") + text.slice(start, end) + (end < text.length ? " …" : "");
  }

  function kindLabel(name) {
    if (!kindSelect) return name;
    for (var i = 0; i < kindSelect.options.length; i++) if (kindSelect.options[i].value === name) return kindSelect.options[i].getAttribute("data-label") || name;
    return name;
  }

  function keepInUrl(q, kind) {
    var params = new URLSearchParams(window.location.search);
    if (q) params.set("q", q); else params.delete("q");
    if (kind) params.set("kind", kind); else params.delete("kind");
    var search = params.toString();
    history.replaceState(null, "", window.location.pathname + (search ? "?" + search : "") + window.location.hash);
  }

  function run() {
    var q = input.value, ws = words(q), kind = kindSelect ? kindSelect.value : "", mine = ++generation;
    keepInUrl(q.trim(), kind);
    if (!ws.length) {
      list.textContent = ""; status.textContent = ""; if (more) more.hidden = true;
      settled();
      // No query, no counts: the kinds' own names again.
      if (kindSelect) for (var i = 0; i < kindSelect.options.length; i++) {
        var o = kindSelect.options[i];
        if (o.getAttribute("data-label")) o.textContent = o.getAttribute("data-label");
      }
      return;
    }
    status.textContent = "Searching…";
    load("manifest.js").then(function () {
      var need = ws.map(keyOf).filter(function (k) { return manifest.shards.indexOf(k) >= 0; });
      return Promise.all(need.map(function (k) { return load("terms/" + fileOf(k)); }));
    }).then(function () {
      if (mine !== generation) return;
      var hits = rank(ws), counts = {};
      hits.forEach(function (h) { var k = manifest.kinds[manifest.kind[h[1]]]; counts[k] = (counts[k] || 0) + 1; });
      if (kindSelect) {
        for (var i = 0; i < kindSelect.options.length; i++) {
          var o = kindSelect.options[i], label = o.getAttribute("data-label");
          if (!label) { label = o.textContent; o.setAttribute("data-label", label); }
          var n = o.value ? counts[o.value] || 0 : hits.length;
          o.textContent = label + " (" + n + ")";
        }
      }
      if (kind) hits = hits.filter(function (h) { return manifest.kinds[manifest.kind[h[1]]] === kind; });
      var page = hits.slice(0, shown);
      var first = shown === PAGE ? page.slice(0, FIRST) : page;
      function fragments(of) {
        return Promise.all(of.map(function (h) { return fragmentOf[h[1]]; })
          .filter(function (name, i, a) { return a.indexOf(name) === i; })
          .map(function (name) { return load("docs/" + name + ".js"); }));
      }
      return fragments(first).then(function () {
        if (mine !== generation) return;
        show(first, 0, hits.length, ws, first.length === page.length);
        if (first.length === page.length) return;
        // The rest loads once the first results are painted: a dozen
        // fragments arriving and running first would hold that paint back
        // on a slow phone.
        return afterPaint().then(function () { return fragments(page); }).then(function () {
          if (mine !== generation) return;
          show(page.slice(first.length), first.length, hits.length, ws, true);
        });
      });
    }).catch(function () {
      if (mine === generation) { status.textContent = "The search index could not be loaded."; settled(); }
    });
  }

  /** Settles once the browser has painted what the page shows now. */
  function afterPaint() {
    return new Promise(function (done) { requestAnimationFrame(function () { setTimeout(done, 0); }); });
  }

  /** The space kept for the results of the address's query (see search.html) is no longer needed. */
  function settled() { document.documentElement.classList.remove("searching"); }

  /**
   * Shows the hits `page`, the results from `from` on: the list is replaced
   * from the first result, added to after it. `last`: no more to come.
   */
  function show(page, from, count, ws, last) {
    if (!from) list.textContent = "";
    status.textContent = count + (count === 1 ? " result" : " results");
    page.forEach(function (h) {
      var entry = docs[fragmentOf[h[1]]][placeIn[h[1]]];
      var li = document.createElement("li"), a = document.createElement("a"), kind = document.createElement("span"), p = document.createElement("p");
      a.href = root + entry[1] + "/index.html";
      highlight(a, entry[0], ws);
      kind.className = "badge kind";
      kind.textContent = kindLabel(manifest.kinds[manifest.kind[h[1]]]);
      highlight(p, snippet(entry[2], ws), ws);
      li.appendChild(a); li.appendChild(document.createTextNode(" ")); li.appendChild(kind);
      // Status, quarter and owner: what a reader decides to open it by.
      if (entry[3]) {
        var st = document.createElement("span");
        st.className = "badge status-" + entry[3];
        st.textContent = entry[3];
        li.appendChild(document.createTextNode(" ")); li.appendChild(st);
      }
      var facts = [entry[4], entry[5] ? "owner " + entry[5] : ""].filter(Boolean).join(" · ");
      if (facts) {
        var f = document.createElement("span");
        f.className = "muted result-facts";
        highlight(f, facts, ws);
        li.appendChild(document.createTextNode(" ")); li.appendChild(f);
      }
      li.appendChild(p);
      list.appendChild(li);
    });
    if (more) more.hidden = !last || count <= from + page.length;
    if (last) settled();
  }

  function again() { shown = PAGE; run(); }
  input.addEventListener("input", again);
  if (kindSelect) kindSelect.addEventListener("change", again);
  if (more) more.addEventListener("click", function () { shown += PAGE; run(); });
  // The index starts loading when the box is used, not with the page.
  input.addEventListener("focus", function () { load("manifest.js").catch(function () {}); });
  var form = input.form;
  if (form) form.addEventListener("submit", function (e) { e.preventDefault(); again(); });
  var params = new URLSearchParams(window.location.search);
  if (params.get("q")) input.value = params.get("q");
  if (kindSelect && params.get("kind")) kindSelect.value = params.get("kind");
  if (input.value) run();
})();
