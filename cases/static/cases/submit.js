// The request form: look the member up as soon as number and birth date are given (the
// members API, with the page's session), show the expedited reason only when expedited
// is chosen, and disable Submit after the first click (the server's idempotency token is
// the real guard against a double submit).
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

  var check = document.getElementById("member-check");
  var number = document.getElementById("id_member_number");
  var birth = document.getElementById("id_member_date_of_birth");
  var firstDay = document.getElementById("id_lines-0-start_date");
  var lastQuery = "";
  function lookUp() {
    if (!check || !number.value.trim() || !birth.value) { return; }
    var params = new URLSearchParams({ member_number: number.value.trim(), date_of_birth: birth.value });
    if (firstDay && firstDay.value) { params.set("on", firstDay.value); }
    var query = params.toString();
    if (query === lastQuery) { return; }
    lastQuery = query;
    check.textContent = "Looking the member up…";
    fetch(check.dataset.url + "?" + query, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (body) {
        var member = body.results && body.results[0];
        if (!member) {
          check.textContent = body.detail || "No member matches this member number and date of birth.";
          check.className = "help error-message";
          return;
        }
        var e = member.eligibility;
        check.textContent = member.name + ": " + (e.eligible ? "eligible" : "NOT eligible") + " on " + e.on +
          (e.plan ? " (" + e.plan + ")" : "") + ".";
        check.className = e.eligible ? "help due-ok" : "help error-message";
      })
      .catch(function () { check.textContent = ""; });
  }
  [number, birth, firstDay].forEach(function (input) {
    if (input) { input.addEventListener("change", lookUp); }
  });
  lookUp();

  form.addEventListener("submit", function () {
    var button = document.getElementById("submit-button");
    window.setTimeout(function () {
      button.disabled = true;
      button.textContent = "Submitting…";
    }, 0);
  });
})();
