// Poll a running simulation and move the progress bar; reload the page when it is done.
(function () {
  const bar = document.getElementById("simulation-progress");
  if (!bar) return;
  const url = bar.dataset.url;
  const label = document.getElementById("simulation-percent");
  async function poll() {
    try {
      const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (response.ok) {
        const body = await response.json();
        bar.value = body.percent;
        if (label) label.textContent = body.percent + " % (" + body.done + " of " + body.total + " cases)";
        if (body.status === "done" || body.status === "failed") {
          window.location.reload();
          return;
        }
      }
    } catch (e) {
      // Network hiccup: try again on the next tick.
    }
    setTimeout(poll, 700);
  }
  poll();
})();
