/* Follows a background import: polls its progress and updates the bar; reloads the page
 * once the import has finished so the counts and the report appear.
 * Without JavaScript a <noscript> meta refresh reloads the page instead. */
(function () {
  "use strict";
  var box = document.getElementById("import-progress");
  if (!box || box.dataset.finished === "1") return;
  var bar = box.querySelector("progress");
  var statusText = box.querySelector("[data-progress-status]");
  var text = box.querySelector("[data-progress-text]");

  function poll() {
    fetch(box.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (data) {
        bar.value = data.percent;
        bar.textContent = data.percent + " %";
        statusText.textContent = data.status_label;
        if (text && data.total) text.textContent = "— " + data.done + " lignes sur " + data.total;
        if (data.finished) {
          window.location.reload();
        } else {
          window.setTimeout(poll, 1500);
        }
      })
      .catch(function () {
        window.setTimeout(poll, 5000);
      });
  }
  window.setTimeout(poll, 1000);
})();
