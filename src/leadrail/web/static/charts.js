// Analytics charts drawn with uPlot (vendored: static/vendor/): bars per day or week with
// dated axes that never overlap, the values of the bucket under the pointer in the legend
// (the tooltip), and the width of the card it is in. The table under each chart keeps the
// numbers for screen readers and for anyone without this script.
(function () {
  "use strict";
  if (!window.uPlot) return;
  var COLORS = ["#2563eb", "#16a34a", "#d97706", "#9333ea"];
  Array.prototype.forEach.call(document.querySelectorAll(".plot[data-chart]"), function (box) {
    var source = document.getElementById(box.getAttribute("data-chart"));
    if (!source) return;
    var data = JSON.parse(source.textContent);
    var series = [{ label: "date", value: "{YYYY}-{MM}-{DD}" }];
    var columns = [data.x];
    var n = data.series.length;
    data.series.forEach(function (s, i) { // side by side: the first to the left of the date
      var bars = uPlot.paths.bars({ size: [0.8 / n, 30], align: n === 1 ? 0 : i === 0 ? -1 : 1 });
      series.push({ label: s[0], stroke: COLORS[i % 4], fill: COLORS[i % 4] + "cc", width: 1,
                    paths: bars, points: { show: false } });
      columns.push(s[1]);
    });
    function width() { return Math.max(240, box.clientWidth || box.parentNode.clientWidth); }
    var plot = new uPlot({
      width: width(), height: 220, series: series, tzDate: function (ts) {
        return uPlot.tzDate(new Date(ts * 1000), "Etc/UTC");
      },
      scales: { x: { time: true }, y: { range: function (u, min, max) { return [0, Math.max(1, max)]; } } },
      axes: [{ space: 70, size: 40 }, { size: 44, incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000] }],
      legend: { live: true }
    }, columns, box);
    window.addEventListener("resize", function () { plot.setSize({ width: width(), height: 220 }); });
  });
})();
