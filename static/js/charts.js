// Draws a Chart.js chart above every <table data-chart="bar|line"> from the table's own cells.
// The table stays on the page: it is the accessible, printable form of the same numbers.
(function () {
  "use strict";
  if (typeof Chart === "undefined") { return; }
  // Okabe-Ito palette: distinguishable with the common colour-vision deficiencies.
  var palette = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"];

  function number(text) {
    var value = Number(String(text).replace(/[^0-9.-]/g, ""));
    return isNaN(value) ? 0 : value;
  }

  function readTable(table) {
    var headers = Array.prototype.map.call(table.tHead.rows[0].cells, function (c) { return c.textContent.trim(); });
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    var labels = rows.map(function (r) { return r.cells[0].textContent.trim(); });
    var datasets = headers.slice(1).map(function (header, i) {
      return {
        label: header,
        data: rows.map(function (r) { return number(r.cells[i + 1].textContent); }),
        backgroundColor: palette[i % palette.length],
        borderColor: palette[i % palette.length],
        borderWidth: 2
      };
    });
    return { labels: labels, datasets: datasets };
  }

  Array.prototype.forEach.call(document.querySelectorAll("table[data-chart]"), function (table) {
    if (!table.tBodies.length || !table.tBodies[0].rows.length) { return; }
    var figure = document.createElement("div");
    figure.className = "chart";
    var canvas = document.createElement("canvas");
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", table.getAttribute("data-chart-label") || "");
    figure.appendChild(canvas);
    table.parentNode.insertBefore(figure, table);
    var stacked = table.getAttribute("data-chart-stacked") === "true";
    new Chart(canvas, {
      type: table.getAttribute("data-chart"),
      data: readTable(table),
      options: {
        animation: false,
        maintainAspectRatio: false,
        plugins: { legend: { display: table.tHead.rows[0].cells.length > 2 } },
        scales: { x: { stacked: stacked }, y: { stacked: stacked, beginAtZero: true, ticks: { precision: 0 } } }
      }
    });
  });
})();
