// The menu collapses behind a "Menu" button on narrow screens (issue 22, item 7); on wide
// screens the button is hidden by CSS and the menu always shows.
(function () {
  "use strict";
  var toggle = document.getElementById("menu-toggle");
  var nav = document.getElementById("mainnav");
  if (!toggle || !nav) { return; }
  toggle.addEventListener("click", function () {
    var open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    nav.classList.toggle("open", open);
  });
})();
