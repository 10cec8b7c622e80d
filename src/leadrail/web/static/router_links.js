// The link builder: the links and the button snippet follow the UTM fields as they are typed.
// Values are encoded like the server does (encodeURIComponent) and the snippet is escaped.
(function () {
  "use strict";
  var form = document.getElementById("link-form");
  if (!form) return;
  var base = form.getAttribute("data-base");
  var style = form.getAttribute("data-style");
  var UTM = ["utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content"];
  function escapeHtml(s) {
    return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;").replace(/'/g, "&#x27;");
  }
  function link(tags) {
    var parts = Object.keys(tags).map(function (k) { return k + "=" + tags[k]; });
    UTM.forEach(function (k) {
      var v = form.elements[k].value.trim();
      if (v) parts.push(k + "=" + encodeURIComponent(v));
    });
    return base + (parts.length ? "?" + parts.join("&") : "");
  }
  function update() {
    var plain = link({});
    document.getElementById("link-plain").textContent = plain;
    document.querySelectorAll("code[data-tags]").forEach(function (code) {
      code.textContent = link(JSON.parse(code.getAttribute("data-tags")));
    });
    var label = form.elements.label.value.trim() || "Book a meeting";
    document.getElementById("snippet").value =
      '<a href="' + escapeHtml(plain) + '" style="' + style + '">' + escapeHtml(label) + "</a>";
  }
  form.addEventListener("input", update);
  update(); // fields typed before this script ran, or restored by the browser (Back)
})();
