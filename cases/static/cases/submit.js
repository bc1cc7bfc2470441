// The request form: show the expedited reason only when expedited is chosen, and
// disable Submit after the first click (the server's idempotency token is the real guard).
(function () {
  "use strict";
  var form = document.getElementById("submit-form");
  if (!form) { return; }
  var reason = document.getElementById("expedited-reason-row");
  function syncUrgency() {
    var chosen = form.querySelector("input[name=urgency]:checked");
    if (reason) { reason.classList.toggle("hidden", !chosen || chosen.value !== "expedited"); }
  }
  form.querySelectorAll("input[name=urgency]").forEach(function (input) {
    input.addEventListener("change", syncUrgency);
  });
  syncUrgency();
  form.addEventListener("submit", function () {
    var button = document.getElementById("submit-button");
    window.setTimeout(function () {
      button.disabled = true;
      button.textContent = "Submitting…";
    }, 0);
  });
})();
