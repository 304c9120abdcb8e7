// Charts from JSON embedded with Django's json_script; rendered by the vendored Chart.js.
(function () {
  "use strict";
  var palette = ["#0b5e7a", "#e07a1f", "#3c9d5d", "#b02a37", "#6f42c1", "#20a4b8", "#c9a227", "#5a6b7b", "#d63384", "#198754", "#0d6efd", "#795548", "#9e9e9e"];
  function data(id) { var el = document.getElementById(id); return el ? JSON.parse(el.textContent) : null; }
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var source = data(canvas.dataset.source);
    if (!source || typeof Chart === "undefined") { return; }
    var kind = canvas.dataset.chart;
    var config;
    if (kind === "stacked-bar") {
      config = { type: "bar", data: { labels: source.months, datasets: source.series.map(function (s, i) {
        return { label: s.category, data: s.data, backgroundColor: palette[i % palette.length] }; }) },
        options: { responsive: true, maintainAspectRatio: false, scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } } };
    } else if (kind === "bar" || kind === "line") {
      config = { type: kind, data: { labels: source.labels, datasets: source.datasets.map(function (s, i) {
        // A month without data (null) is a gap: never a line drawn across it.
        return { label: s.label, data: s.data, backgroundColor: palette[i % palette.length], borderColor: palette[i % palette.length], fill: false, spanGaps: false }; }) },
        options: { responsive: true, maintainAspectRatio: false, scales: { y: { beginAtZero: !source.notFromZero, suggestedMax: source.suggestedMax,
          // Counts step in whole numbers (no "0.5 findings"); rates and scores keep their decimals.
          ticks: { precision: source.counts ? 0 : undefined } } } } };
    } else { return; }
    new Chart(canvas, config);
  });
})();
