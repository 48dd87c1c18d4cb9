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
// `ul[data-roster]` of the record form: shows the members a meeting of the kind, group
// and date chosen expects (the committee for a 支委会, the group's members for a 党小组会,
// where the records name them; nobody who joined after the date), as the server decides
// on saving.
document.querySelectorAll("ul[data-roster]").forEach(function (ul) {
  var form = ul.closest("form");
  var items = Array.prototype.slice.call(ul.querySelectorAll("li[data-member]"));
  var update = function () {
    var kind = form.querySelector('input[name="kind"]:checked');
    kind = kind ? kind.value : "";
    var groupSel = form.querySelector('select[name="group"]');
    var group = groupSel ? groupSel.value : "";
    var date = form.querySelector('input[name="date"]');
    date = date ? date.value : "";
    var committee = kind === "CommitteeMeeting" && items.some(function (li) {
      return li.getAttribute("data-committee") === "1";
    });
    var inGroup = kind === "GroupMeeting" && group !== "" && items.some(function (li) {
      return li.getAttribute("data-group") === group;
    });
    items.forEach(function (li) {
      var show = (!date || li.getAttribute("data-joined") <= date) &&
        (!committee || li.getAttribute("data-committee") === "1") &&
        (!inGroup || li.getAttribute("data-group") === group);
      li.hidden = !show;
    });
  };
  form.addEventListener("change", function (e) {
    var n = e.target.name;
    if (n === "kind" || n === "group" || n === "date") {
      update();
    }
  });
});
