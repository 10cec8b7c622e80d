// Show times in the visitor's own timezone, and move between dates, without losing what they
// typed. The page works without this script (a select, a button, links); it only saves taps.
// Every move is the same visit (the form carries step=view): no second click, no new decision.
(function () {
  var select = document.getElementById("tz");
  var form = document.getElementById("tzform");
  var book = document.getElementById("book");
  if (!select || !form || !book) return;

  function field(name, value) {
    var input = form.elements.namedItem(name);
    if (!input) {
      input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      form.appendChild(input);
    }
    input.value = value;
  }

  function go(extra) {
    ["name", "notes"].forEach(function (name) {
      var typed = book.elements.namedItem(name);
      if (typed && "value" in typed) field(name, typed.value);
    });
    var picked = book.querySelector("input[name=start]:checked");
    if (picked) field("start", picked.value);
    Object.keys(extra).forEach(function (k) { field(k, extra[k]); });
    form.submit();
  }

  select.addEventListener("change", function () { go({}); });
  Array.prototype.forEach.call(document.querySelectorAll(".pager a[data-from]"), function (a) {
    a.addEventListener("click", function (ev) {
      ev.preventDefault();
      go({ from: a.getAttribute("data-from") });
    });
  });

  var params = new URLSearchParams(window.location.search);
  if (params.has("tz")) return;
  var zone = "";
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { return; }
  if (!zone || zone === select.dataset.current) return;
  var known = Array.prototype.some.call(select.options, function (o) { return o.value === zone; });
  if (!known) return;
  select.value = zone;
  go({});
})();
