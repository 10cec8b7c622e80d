// Show times in the visitor's own timezone: the page works without this script (a select
// and a button), it only saves a tap.
(function () {
  var select = document.getElementById("tz");
  var form = document.getElementById("tzform");
  if (!select || !form) return;
  select.addEventListener("change", function () { form.submit(); });
  var params = new URLSearchParams(window.location.search);
  if (params.has("tz")) return;
  var zone = "";
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { return; }
  if (!zone || zone === select.dataset.current) return;
  var known = Array.prototype.some.call(select.options, function (o) { return o.value === zone; });
  if (!known) return;
  select.value = zone;
  form.submit();
})();
