// Draws the charts whose data the page embeds with json_script. No data from the page is run as code.
(function () {
  "use strict";
  if (typeof Chart === "undefined") return;
  var rtl = document.documentElement.dir === "rtl";
  var css = getComputedStyle(document.documentElement);
  var accent = css.getPropertyValue("--accent").trim() || "#2f5bd3";
  var poor = css.getPropertyValue("--poor").trim() || "#c62828";
  // Colours by band (healthy / concerning / poor), which the server sets with the same cut as the table;
  // the band's word is in the table under each chart, so colour is never the only sign.
  var bandColour = {
    healthy: css.getPropertyValue("--healthy").trim() || "#2e7d32",
    concerning: css.getPropertyValue("--concerning").trim() || "#9a5b00",
    poor: poor
  };
  function colours(bands) { return bands.map(function (band) { return bandColour[band] || accent; }); }
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.animation = false;

  function data(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }
  function draw(id, config) {
    var canvas = document.getElementById(id);
    if (canvas) new Chart(canvas, config);
  }
  var xAxis = { reverse: rtl };

  var dash = data("dashboard-charts");
  if (dash) {
    draw("chart-distribution", {
      type: "bar",
      data: { labels: dash.distribution.labels, datasets: [{ label: dash.distribution.label, data: dash.distribution.counts, backgroundColor: colours(dash.distribution.bands) }] },
      options: { plugins: { legend: { display: false } }, scales: { x: xAxis, y: { beginAtZero: true, position: rtl ? "right" : "left", ticks: { precision: 0 } } } }
    });
    draw("chart-effort", {
      type: "scatter",
      data: { datasets: [{ data: dash.effort.points, backgroundColor: colours(dash.effort.points.map(function (p) { return p.band; })) }] },
      options: {
        plugins: { legend: { display: false }, tooltip: { callbacks: { label: function (ctx) { var p = ctx.raw; return p.name + ": " + p.x + " h, " + p.y + " (" + p.score + ")"; } } } },
        scales: { x: { reverse: rtl, title: { display: true, text: dash.effort.x } }, y: { position: rtl ? "right" : "left", title: { display: true, text: dash.effort.y } } }
      }
    });
  }
  var client = data("client-charts");
  if (client) {
    draw("chart-trend", {
      type: "line",
      data: { labels: client.trend.labels, datasets: [{ label: client.trend.label, data: client.trend.scores, borderColor: accent, tension: 0.2 }] },
      options: { plugins: { legend: { display: false } }, scales: { x: xAxis, y: { min: 0, max: 100, position: rtl ? "right" : "left" } } }
    });
    draw("chart-delays", {
      type: "bar",
      data: {
        labels: client.delays.points.map(function (p) { return p.x; }),
        datasets: [{ label: client.delays.label, data: client.delays.points.map(function (p) { return p.y; }),
                     backgroundColor: client.delays.points.map(function (p) { return p.unpaid ? poor : accent; }) }]
      },
      options: { plugins: { legend: { display: false } }, scales: { x: xAxis, y: { beginAtZero: true, position: rtl ? "right" : "left" } } }
    });
  }
})();
