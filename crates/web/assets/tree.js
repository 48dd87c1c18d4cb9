// The org tree: children are fetched one level at a time, so a province's 400 thousand
// orgs are never loaded at once. No other script runs on any page.
(function () {
  "use strict";
  function node(o) {
    var li = document.createElement("li");
    if (o.children > 0) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = "toggle";
      b.setAttribute("data-id", String(o.id));
      b.setAttribute("aria-expanded", "false");
      b.setAttribute("aria-label", "展开");
      b.textContent = "+";
      li.appendChild(b);
    } else {
      var s = document.createElement("span");
      s.className = "leaf";
      li.appendChild(s);
    }
    var a = document.createElement("a");
    a.href = "/orgs/" + o.id;
    a.textContent = o.name;
    li.appendChild(a);
    var c = document.createElement("span");
    c.className = "count";
    c.textContent = o.kind_label + " · " + o.members + "人" + (o.dissolved ? " · 已撤销" : "");
    li.appendChild(c);
    return li;
  }
  function toggle(b) {
    var li = b.parentNode;
    var open = b.getAttribute("aria-expanded") === "true";
    var sub = li.querySelector(":scope > ul");
    if (open) {
      if (sub) { sub.hidden = true; }
      b.setAttribute("aria-expanded", "false");
      b.textContent = "+";
      return;
    }
    b.setAttribute("aria-expanded", "true");
    b.textContent = "−";
    if (sub) { sub.hidden = false; return; }
    b.disabled = true;
    fetch("/orgs/" + b.getAttribute("data-id") + "/children.json", { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); })
      .then(function (list) {
        var ul = document.createElement("ul");
        list.forEach(function (o) { ul.appendChild(node(o)); });
        li.appendChild(ul);
      })
      .catch(function () {
        var e = document.createElement("div");
        e.className = "error";
        e.textContent = "加载下级组织失败，请刷新重试";
        li.appendChild(e);
      })
      .then(function () { b.disabled = false; });
  }
  document.addEventListener("click", function (ev) {
    var t = ev.target;
    if (t && t.classList && t.classList.contains("toggle")) { toggle(t); }
  });
})();
