// Progressive enhancement for the traceability tree: filter by text, kind,
// status, standing, team, owner and quarter. A match shows with the chain above it
// and everything below it; rows shown only for context are dimmed. The
// filters are kept in the URL (so a filtered view can be shared) and go
// along to the pages of branches that have their own. Without JavaScript
// the whole tree is shown and the filters stay hidden (a <noscript> style
// in the page's head, so they are laid out from the first paint when
// script runs). When the tree is split over several pages, the filters
// also load the whole forest's index (forest.js, written beside the trace
// page) and list the matches on other pages, each linked to its page and
// to the place in the tree that shows it.
(function () {
  "use strict";
  var form = document.getElementById("trace-filters");
  if (!form) return;
  // A theme's own trace.html may still hide the form until now.
  form.hidden = false;
  // The form only filters in place; submitting it (Enter in the text box)
  // would reload the page without the filters' state.
  form.addEventListener("submit", function (e) { e.preventDefault(); });
  var fields = {
    q: document.getElementById("filter-text"),
    kind: document.getElementById("filter-kind"),
    status: document.getElementById("filter-status"),
    standing: document.getElementById("filter-standing"),
    team: document.getElementById("filter-team"),
    owner: document.getElementById("filter-owner"),
    quarter: document.getElementById("filter-quarter")
  };
  var attr = { kind: "data-k", status: "data-s", standing: "data-v", team: "data-t", owner: "data-o", quarter: "data-q" };
  var count = document.getElementById("filter-count");
  var results = document.getElementById("forest-results");
  var nodes = Array.prototype.slice.call(document.querySelectorAll(".tree li"));
  var texts = nodes.map(function (li) {
    var a = li.querySelector(".node-line a");
    return ((a ? a.textContent : "") + " " + (a ? decodeURIComponent(a.getAttribute("href")) : "")).toLowerCase();
  });
  var branches = Array.prototype.slice.call(document.querySelectorAll("a.branch"));
  var branchHrefs = branches.map(function (a) { return a.getAttribute("href"); });
  function value(name) { var f = fields[name]; return f ? f.value.trim() : ""; }
  function matches(li, i) {
    for (var name in attr) {
      var v = value(name);
      if (v && li.getAttribute(attr[name]) !== v) return false;
    }
    var q = value("q").toLowerCase();
    return !q || q.split(/\s+/).every(function (w) { return texts[i].indexOf(w) >= 0; });
  }
  function state() {
    var params = new URLSearchParams();
    for (var name in fields) if (value(name)) params.set(name, value(name));
    return params.toString();
  }
  function apply() {
    var query = state(), filtering = query !== "", shown = 0;
    history.replaceState(null, "", window.location.pathname + (query ? "?" + query : "") + window.location.hash);
    branches.forEach(function (a, i) { a.setAttribute("href", branchHrefs[i] + (query ? "?" + query : "")); });
    nodes.forEach(function (li) { li.hidden = filtering; li.classList.remove("context"); });
    if (!filtering) { count.textContent = ""; if (results) results.hidden = true; return; }
    var matched = nodes.map(matches);
    nodes.forEach(function (li, i) {
      if (!matched[i]) return;
      shown++;
      // Show the match, everything under it, and the chain above it.
      li.hidden = false;
      li.querySelectorAll("li").forEach(function (c) { c.hidden = false; });
      for (var p = li.parentElement; p; p = p.parentElement) {
        if (p.tagName === "LI") p.hidden = false;
        if (p.tagName === "DETAILS") p.open = true;
      }
    });
    nodes.forEach(function (li, i) { if (!li.hidden && !matched[i]) li.classList.add("context"); });
    count.textContent = shown + " of " + nodes.length + (shown === 1 ? " document matches" : " documents match") + " on this page";
    if (form.getAttribute("data-forest")) {
      whole(query);
    } else if (branches.length) {
      count.appendChild(document.createTextNode("; the branches on pages of their own keep these filters when opened."));
    }
  }
  // The whole forest, loaded once, the first time a filter is set.
  var forest = null, loading = false;
  function whole(query) {
    if (!results) return;
    if (!query) { results.hidden = true; return; }
    if (forest) { list(query); return; }
    if (window.throughlineForest) { forest = window.throughlineForest; list(query); return; }
    if (loading) return;
    loading = true;
    var s = document.createElement("script");
    s.src = form.getAttribute("data-forest");
    s.onload = function () { forest = window.throughlineForest || null; if (forest) list(state()); };
    s.onerror = function () { loading = false; };
    document.head.appendChild(s);
  }
  // How many of each, and the first SHOWN matches on other pages.
  var SHOWN = 50;
  function list(query) {
    if (!query) { results.hidden = true; return; }
    var root = document.documentElement.getAttribute("data-root") || "";
    var here = form.getAttribute("data-page") || "";
    // A document this page shows (the levels above a branch's own page
    // show its first rows too) is no match elsewhere.
    var onPage = {};
    if (here) onPage[here] = true;
    nodes.forEach(function (li) {
      var a = li.querySelector(".node-line a"), m = a && /([^\/]+)\/index\.html$/.exec(a.getAttribute("href"));
      if (m) onPage[decodeURIComponent(m[1])] = true;
    });
    var want = {};
    for (var name in attr) if (value(name)) want[name] = value(name);
    var words = value("q").toLowerCase().split(/\s+/).filter(Boolean);
    // Each row: id, title, kind, status, team, owner, quarter, standing,
    // page, link (empty: the id's own page).
    var column = { kind: ["kinds", 2], status: ["statuses", 3], team: ["teams", 4], owner: ["owners", 5], quarter: ["quarters", 6], standing: ["standings", 7] };
    var all = 0, elsewhere = [];
    forest.docs.forEach(function (d) {
      for (var name in want) {
        var c = column[name];
        if (forest[c[0]][d[c[1]]] !== want[name]) return;
      }
      if (words.length) {
        var text = (d[0] + " " + d[1]).toLowerCase();
        for (var i = 0; i < words.length; i++) if (text.indexOf(words[i]) < 0) return;
      }
      all++;
      if (forest.pages[d[8]] !== here && !onPage[d[0]]) elsewhere.push(d);
    });
    var ul = document.getElementById("forest-list"), summary = document.getElementById("forest-summary");
    ul.textContent = "";
    summary.textContent = all + (all === 1 ? " document matches" : " documents match") + " in the whole tree; " +
      elsewhere.length + " of them " + (elsewhere.length === 1 ? "is" : "are") + " on other pages" +
      (elsewhere.length > SHOWN ? ", of which the first " + SHOWN + " are listed." : (elsewhere.length ? ":" : "."));
    elsewhere.slice(0, SHOWN).forEach(function (d) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = /^https?:\/\//i.test(d[9]) ? d[9] : root + (d[9] || d[0] + "/index.html");
      a.textContent = d[1];
      li.appendChild(a);
      var badge = function (className, text) {
        var span = document.createElement("span");
        span.className = "badge " + className;
        span.textContent = text;
        li.appendChild(document.createTextNode(" "));
        li.appendChild(span);
      };
      badge("kind", forest.labels[d[2]]);
      if (d[3]) badge("status-" + forest.statuses[d[3]], forest.statuses[d[3]]);
      if (d[7]) badge("pace-" + forest.standings[d[7]], forest.words[d[7]]);
      var place = document.createElement("a");
      var page = forest.pages[d[8]];
      place.href = root + "trace/" + (page ? page + "/" : "") + "index.html?" + query;
      place.className = "place";
      place.textContent = "in the tree ›";
      // Heard in a list of links, "in the tree" needs the title.
      var hidden = document.createElement("span");
      hidden.className = "visually-hidden";
      hidden.textContent = " (" + d[1] + ")";
      place.appendChild(hidden);
      li.appendChild(document.createTextNode(" "));
      li.appendChild(place);
      ul.appendChild(li);
    });
    results.hidden = false;
  }
  var params = new URLSearchParams(window.location.search);
  for (var name in fields) {
    var f = fields[name];
    if (!f) continue;
    if (params.get(name)) f.value = params.get(name);
    f.addEventListener(f.tagName === "INPUT" ? "input" : "change", apply);
  }
  document.getElementById("clear-filters").addEventListener("click", function () {
    for (var name in fields) if (fields[name]) fields[name].value = "";
    apply();
  });
  var expand = document.getElementById("expand-all"), collapse = document.getElementById("collapse-all");
  expand.addEventListener("click", function () { document.querySelectorAll(".tree details").forEach(function (d) { d.open = true; }); });
  collapse.addEventListener("click", function () { document.querySelectorAll(".tree details").forEach(function (d) { d.open = false; }); });
  if (state()) apply();
})();
