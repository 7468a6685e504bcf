// The import's progress bar (templates/data/preview.html): asks the server how far checking or
// committing has got, every second, and shows the preview once the work is done. Without
// JavaScript the page says to reload it.
(function () {
  "use strict";
  var box = document.querySelector(".import-progress");
  if (!box) { return; }
  var bar = box.querySelector("progress");
  var text = box.querySelector(".import-progress__text");
  var url = box.getAttribute("data-progress-url");
  function update() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (state) {
        if (state.status !== "checking" && state.status !== "committing") {
          window.location.reload();
          return;
        }
        var done = state.done || 0;
        var total = state.total || 1;
        bar.max = total;
        bar.value = done;
        text.textContent = state.text;
        window.setTimeout(update, 1000);
      })
      .catch(function () { window.setTimeout(update, 3000); });
  }
  window.setTimeout(update, 1000);
})();
