// The dashboard's navigation on a phone: one Menu button opens and closes it (without this
// script every link is listed, as on a desktop).
(function () {
  "use strict";
  document.documentElement.classList.remove("nojs");
  document.addEventListener("DOMContentLoaded", function () {
    var toggle = document.querySelector(".menu-toggle");
    var links = document.getElementById("nav-links");
    if (!toggle || !links) return;
    toggle.addEventListener("click", function () {
      var open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      links.classList.toggle("open", open);
    });
  });
})();
