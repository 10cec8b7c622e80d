// Dashboard forms: a route shows only the fields of the kind picked (a team, one user,
// broadcast, a lead category). Without this script every field is listed.
(function () {
  "use strict";
  function sync(fieldset) {
    var picked = fieldset.querySelector("input[type=radio][name$='.kind']:checked");
    if (!picked) return;
    Array.prototype.forEach.call(fieldset.querySelectorAll("[data-kinds]"), function (box) {
      box.hidden = box.getAttribute("data-kinds").split(" ").indexOf(picked.value) < 0;
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("fieldset.route"), function (fs) {
      sync(fs);
      fs.addEventListener("change", function (ev) {
        if (ev.target && /\.kind$/.test(ev.target.name || "")) sync(fs);
      });
    });
  });
})();
