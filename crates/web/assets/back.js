// The error page's "返回上一页": back in the history when there is one, else the link's
// own target (the home page). A file, not an inline handler: the CSP allows no inline script.
document.querySelectorAll("a[data-back]").forEach(function (a) {
  a.addEventListener("click", function (e) {
    if (window.history.length > 1) {
      e.preventDefault();
      window.history.back();
    }
  });
});
