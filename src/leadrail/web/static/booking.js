// The booking page's shortcuts. The page works without this script (every day's times listed,
// the calendar's days jump to them, a select and a button for the zone, links for dates); the
// script only saves taps: one day's times at a time, the chosen time in words beside Book,
// the visitor's own timezone. Every move is the same visit (step=view): no new decision.
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

  // The calendar: pick a day, see its times.
  var days = Array.prototype.slice.call(book.querySelectorAll(".day[data-day]"));
  var links = Array.prototype.slice.call(book.querySelectorAll("a.cal-day"));
  function showDay(key) {
    days.forEach(function (d) { d.hidden = d.getAttribute("data-day") !== key; });
    links.forEach(function (a) {
      if (a.getAttribute("data-day") === key) a.setAttribute("aria-current", "date");
      else a.removeAttribute("aria-current");
    });
  }
  links.forEach(function (a) {
    a.addEventListener("click", function (ev) {
      ev.preventDefault();
      showDay(a.getAttribute("data-day"));
      var shown = document.getElementById("d-" + a.getAttribute("data-day"));
      if (shown && shown.scrollIntoView) shown.scrollIntoView({ block: "nearest" });
    });
  });
  var checked = book.querySelector("input[name=start]:checked");
  var firstDay = checked ? checked.closest(".day") : days[0];
  if (firstDay) showDay(firstDay.getAttribute("data-day"));

  // The confirm step: the chosen time in words, beside the Book button.
  var chosen = document.getElementById("chosen");
  function say() {
    var picked = book.querySelector("input[name=start]:checked");
    if (!chosen) return;
    chosen.textContent = picked
      ? picked.getAttribute("data-words") + " (" + chosen.getAttribute("data-tz") + ")"
      : chosen.getAttribute("data-empty");
    chosen.parentNode.classList.toggle("ready", !!picked);
  }
  book.addEventListener("change", function (ev) {
    if (ev.target && ev.target.name === "start") say();
  });
  say();

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
