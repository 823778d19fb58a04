// Progressive enhancement for the traceability tree: filter by text, kind,
// status, team, owner and quarter. A match shows with the chain above it
// and everything below it; rows shown only for context are dimmed. The
// filters are kept in the URL (so a filtered view can be shared) and go
// along to the pages of branches that have their own. Without JavaScript
// the whole tree is shown and the filters stay hidden (a <noscript> style
// in the page's head, so they are laid out from the first paint when
// script runs).
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
    team: document.getElementById("filter-team"),
    owner: document.getElementById("filter-owner"),
    quarter: document.getElementById("filter-quarter")
  };
  var attr = { kind: "data-k", status: "data-s", team: "data-t", owner: "data-o", quarter: "data-q" };
  var count = document.getElementById("filter-count");
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
    if (!filtering) { count.textContent = ""; return; }
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
    if (branches.length) {
      // The deeper branches are on pages of their own: say so, and offer
      // the whole site's search for the words.
      count.appendChild(document.createTextNode("; the branches on pages of their own keep these filters when opened"));
      if (value("q")) {
        var root = document.documentElement.getAttribute("data-root") || "";
        var all = document.createElement("a");
        all.href = root + "search/index.html?q=" + encodeURIComponent(value("q")) + (value("kind") ? "&kind=" + encodeURIComponent(value("kind")) : "");
        all.textContent = "search the whole site";
        count.appendChild(document.createTextNode(", or "));
        count.appendChild(all);
      }
      count.appendChild(document.createTextNode("."));
    }
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
