// Progressive enhancement for the traceability tree: filter by team and quarter.
// Without JavaScript the whole tree is shown and the filters stay hidden.
(function () {
  "use strict";
  var form = document.getElementById("trace-filters");
  if (!form) return;
  form.hidden = false;
  var team = document.getElementById("filter-team"), quarter = document.getElementById("filter-quarter");
  var status = document.getElementById("filter-status");
  var nodes = Array.prototype.slice.call(document.querySelectorAll(".tree li[data-id]"));
  function matches(li) {
    return (!team.value || li.getAttribute("data-team") === team.value) &&
           (!quarter.value || li.getAttribute("data-quarter") === quarter.value);
  }
  function apply() {
    var filtering = team.value || quarter.value, shown = 0;
    nodes.forEach(function (li) { li.hidden = !!filtering; });
    if (!filtering) { status.textContent = ""; return; }
    nodes.forEach(function (li) {
      if (!matches(li)) return;
      shown++;
      // Show the match, everything under it, and the chain above it.
      li.hidden = false;
      li.querySelectorAll("li").forEach(function (c) { c.hidden = false; });
      for (var p = li.parentElement; p; p = p.parentElement) {
        if (p.tagName === "LI") p.hidden = false;
        if (p.tagName === "DETAILS") p.open = true;
      }
    });
    status.textContent = shown + (shown === 1 ? " match" : " matches");
  }
  team.addEventListener("change", apply);
  quarter.addEventListener("change", apply);
  var expand = document.getElementById("expand-all"), collapse = document.getElementById("collapse-all");
  expand.addEventListener("click", function () { document.querySelectorAll(".tree details").forEach(function (d) { d.open = true; }); });
  collapse.addEventListener("click", function () { document.querySelectorAll(".tree details").forEach(function (d) { d.open = false; }); });
})();
