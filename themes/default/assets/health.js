// The health page's filter: rule, severity, team and owner, over the data
// attributes of each finding. The form is hidden in the HTML and shown here,
// so without JavaScript the page simply lists everything.
(function () {
  var form = document.getElementById("health-filter");
  if (!form) return;
  var shown = document.getElementById("health-shown");
  form.hidden = false;
  function value(name) {
    var el = form.elements[name];
    return el ? el.value : "";
  }
  function apply() {
    var rule = value("rule"), sev = value("sev"), team = value("team"), owner = value("owner");
    var narrowed = sev || team || owner;
    var total = 0;
    document.querySelectorAll("section[data-rule]").forEach(function (section) {
      var n = 0;
      section.querySelectorAll("tr[data-sev]").forEach(function (row) {
        var ok = (!sev || row.dataset.sev === sev) &&
          (!team || row.dataset.team === team) &&
          (!owner || row.dataset.owner === owner);
        row.hidden = !ok;
        if (ok) n++;
      });
      var hide = (rule && section.dataset.rule !== rule) || (narrowed && n === 0);
      section.hidden = !!hide;
      if (!hide) total += n;
      // A filtered group opens, so what matches is in view.
      var details = section.querySelector("details");
      if (details && (rule || narrowed) && !hide) details.open = true;
    });
    shown.textContent = (rule || narrowed) ? total + " shown on this page" : "";
  }
  form.addEventListener("change", apply);
  form.addEventListener("submit", function (e) { e.preventDefault(); });
})();
