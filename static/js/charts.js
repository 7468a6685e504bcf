// Draws a Chart.js chart above every <table data-chart="bar|line"> from the table's own cells.
// The table stays on the page: it is the accessible, printable form of the same numbers.
// Rows marked data-chart-skip stay in the table only (the sums that would dwarf the rest);
// a bar whose cell holds a link leads to that link (the list behind it).
(function () {
  "use strict";
  // Okabe-Ito palette: distinguishable with the common colour-vision deficiencies.
  var palette = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"];

  function number(text) {
    var value = Number(String(text).replace(/[^0-9-]/g, ""));
    return isNaN(value) ? 0 : value;
  }

  function chartRows(table) {
    return Array.prototype.filter.call(table.tBodies[0].rows, function (r) {
      return !r.hasAttribute("data-chart-skip");
    });
  }

  function readTable(table) {
    var headers = Array.prototype.map.call(table.tHead.rows[0].cells, function (c) { return c.textContent.trim(); });
    var rows = chartRows(table);
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

  function linkOf(table, rowIndex, datasetIndex) {
    var row = chartRows(table)[rowIndex];
    var cell = row && row.cells[datasetIndex + 1];
    var link = cell && cell.querySelector("a[href]");
    return link ? link.href : null;
  }

  function drawCharts() {
    if (typeof Chart === "undefined") { return; }
    Array.prototype.forEach.call(document.querySelectorAll("table[data-chart]"), function (table) {
      if (!table.tBodies.length || !chartRows(table).length) { return; }
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
          onClick: function (event, elements) {
            if (!elements.length) { return; }
            var href = linkOf(table, elements[0].index, elements[0].datasetIndex);
            if (href) { window.location.href = href; }
          },
          onHover: function (event, elements) {
            var target = event.native && event.native.target;
            if (target) { target.style.cursor = elements.length ? "pointer" : "default"; }
          },
          plugins: { legend: { display: table.tHead.rows[0].cells.length > 2 } },
          scales: { x: { stacked: stacked }, y: { stacked: stacked, beginAtZero: true, ticks: { precision: 0 } } }
        }
      });
    });
  }

  // The map as PNG: the SVG download drawn on a canvas (a data: URL, which the page's
  // Content-Security-Policy allows for images).
  function addPngLinks() {
    Array.prototype.forEach.call(document.querySelectorAll("a[data-map-png]"), function (svgLink) {
      var png = document.createElement("a");
      png.href = "#";
      png.textContent = svgLink.getAttribute("data-map-png");
      png.addEventListener("click", function (event) {
        event.preventDefault();
        fetch(svgLink.href, { credentials: "same-origin" }).then(function (r) { return r.text(); }).then(function (svg) {
          var image = new Image();
          image.onload = function () {
            var canvas = document.createElement("canvas");
            canvas.width = image.naturalWidth * 2 || 1920;
            canvas.height = image.naturalHeight * 2 || 1000;
            canvas.getContext("2d").drawImage(image, 0, 0, canvas.width, canvas.height);
            canvas.toBlob(function (blob) {
              var a = document.createElement("a");
              a.href = URL.createObjectURL(blob);
              a.download = "map.png";
              document.body.appendChild(a);
              a.click();
              a.remove();
            }, "image/png");
          };
          image.src = "data:image/svg+xml;base64," + btoa(unescape(encodeURIComponent(svg)));
        });
      });
      svgLink.parentNode.insertBefore(document.createTextNode(" · "), svgLink.nextSibling);
      svgLink.parentNode.insertBefore(png, svgLink.nextSibling.nextSibling);
    });
  }

  drawCharts();
  addPngLinks();
})();
