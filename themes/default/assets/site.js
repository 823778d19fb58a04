// On every page: `/` or Ctrl-K (Cmd-K on a Mac) moves the focus to search,
// unless the reader is typing in a field.
(function () {
  "use strict";
  document.addEventListener("keydown", function (e) {
    var slash = e.key === "/" && !e.ctrlKey && !e.metaKey && !e.altKey;
    var k = (e.key === "k" || e.key === "K") && (e.ctrlKey || e.metaKey) && !e.altKey;
    if (!slash && !k) return;
    var t = e.target;
    var typing = t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
    if (typing && !k) return;
    var box = document.getElementById("search-input") || document.getElementById("site-search");
    if (!box) return;
    e.preventDefault();
    // Hidden (a narrow screen): go to the search page instead.
    if (!box.offsetParent && box.form) { window.location.href = box.form.action; return; }
    box.focus();
    if (box.select) box.select();
  });
})();
