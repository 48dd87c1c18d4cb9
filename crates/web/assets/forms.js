// What a form may ask of the browser, without inline handlers (the CSP allows no inline
// script): `data-confirm` asks before a form is sent; `data-print` prints the page.
document.querySelectorAll("form[data-confirm]").forEach(function (f) {
  f.addEventListener("submit", function (e) {
    if (!window.confirm(f.getAttribute("data-confirm"))) {
      e.preventDefault();
    }
  });
});
document.querySelectorAll("[data-print]").forEach(function (b) {
  b.addEventListener("click", function () {
    window.print();
  });
});
// `table[data-sortable]`: a click on a column's head sorts the rows by it (numbers by
// their `data-value`, text by the Chinese collation), again to reverse.
document.querySelectorAll("table[data-sortable]").forEach(function (t) {
  var heads = t.querySelectorAll("thead th");
  heads.forEach(function (th, col) {
    th.style.cursor = "pointer";
    th.setAttribute("title", "点击排序");
    th.addEventListener("click", function () {
      var body = t.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      var asc = th.getAttribute("data-dir") !== "asc";
      heads.forEach(function (h) { h.removeAttribute("data-dir"); });
      th.setAttribute("data-dir", asc ? "asc" : "desc");
      var value = function (r) {
        var c = r.cells[col];
        return c ? (c.getAttribute("data-value") || c.textContent) : "";
      };
      rows.sort(function (a, b) {
        var x = value(a), y = value(b);
        var nx = parseFloat(x), ny = parseFloat(y);
        var d = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y, "zh-CN");
        return asc ? d : -d;
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
});
// `button[data-confirm]`: asks before the button sends its form (one form, two actions).
document.querySelectorAll("button[data-confirm]").forEach(function (b) {
  b.addEventListener("click", function (e) {
    if (!window.confirm(b.getAttribute("data-confirm"))) {
      e.preventDefault();
    }
  });
});
// `input[data-check-all=NAME]`: ticks or clears every box named NAME of its form.
document.querySelectorAll("input[data-check-all]").forEach(function (all) {
  all.addEventListener("change", function () {
    var name = all.getAttribute("data-check-all");
    all.form.querySelectorAll('input[type=checkbox][name="' + name + '"]').forEach(function (c) {
      c.checked = all.checked;
    });
  });
});
