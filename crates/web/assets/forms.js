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
