// Dashboard helpers shared by every page: copy buttons, CSRF header for fetch calls.
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="csrf-token"]');
  window.leadrailCsrf = meta ? meta.getAttribute("content") : "";
  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest ? ev.target.closest("[data-copy]") : null;
    if (!btn) return;
    var el = document.querySelector(btn.getAttribute("data-copy"));
    if (!el) return;
    var text = "value" in el && el.value !== undefined ? el.value : el.textContent;
    var done = function () { btn.textContent = "Copied"; setTimeout(function () { btn.textContent = "Copy"; }, 1500); };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () { fallback(el); done(); });
    } else { fallback(el); done(); }
  });
  function fallback(el) {
    var ta = document.createElement("textarea");
    ta.value = "value" in el && el.value !== undefined ? el.value : el.textContent;
    document.body.appendChild(ta); ta.select();
    try { document.execCommand("copy"); } catch (e) { /* nothing more to try */ }
    document.body.removeChild(ta);
  }
})();
