// The request form: look the member up as soon as number and birth date are given (the
// members API, with the page's session), show the expedited reason only when expedited
// is chosen, and disable Submit after the first click (the server's idempotency token is
// the real guard against a double submit).
(function () {
  "use strict";
  var form = document.getElementById("submit-form");
  if (!form) { return; }

  // The error summary (issue 22, item 3): focus it when the page comes back with
  // problems, and let each of its links move focus to the field it names.
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
    summary.querySelectorAll("a[data-focus]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        var target = document.getElementById(link.dataset.focus);
        if (!target) { return; }
        event.preventDefault();
        target.scrollIntoView({ block: "center" });
        target.focus();
      });
    });
  }

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
  var asked = 0;  // a reply to an earlier question is ignored (the answers may arrive out of order)
  function lookUp() {
    if (!check) { return; }
    if (!number.value.trim() || !birth.value) {
      asked++;  // an answer still on its way is about numbers no longer there
      lastQuery = "";
      check.textContent = "";
      return;
    }
    var params = new URLSearchParams({ member_number: number.value.trim(), date_of_birth: birth.value });
    if (firstDay && firstDay.value) { params.set("on", firstDay.value); }
    var query = params.toString();
    if (query === lastQuery) { return; }
    lastQuery = query;
    check.textContent = "Looking the member up…";
    check.className = "help";
    var mine = ++asked;
    fetch(check.dataset.url + "?" + query, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (body) {
        if (mine !== asked) { return; }
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
      .catch(function () { if (mine === asked) { check.textContent = ""; } });
  }
  [number, birth, firstDay].forEach(function (input) {
    if (input) { input.addEventListener("change", lookUp); }
  });
  lookUp();

  // Criteria checklists for the codes entered (the criteria API), keeping ticked boxes.
  var checklist = document.getElementById("criteria-checklist");
  var lastCodes = "";
  var drawn = 0;  // as for the member check: only the latest codes' answers are drawn
  function drawChecklists() {
    if (!checklist) { return; }
    var codes = [];
    // ICD-10-CM codes: each typed code's description from the CMS code set, or plainly that
  // it is not a code (issue 22, item 3).
  (function () {
    var input = document.getElementById("id_diagnosis_codes");
    if (!input || !form.dataset.diagnosesUrl) { return; }
    lookUpAsTyped(input, "id_diagnosis_codes-descriptions", function (codes) {
      return form.dataset.diagnosesUrl + "?" + new URLSearchParams({ codes: codes }).toString();
    }, function (body) {
      return (body.results || []).map(function (row) {
        return row.known && row.billable ? row.code + ": " + row.message : row.message;
      }).join("\n");
    });
  })();
  form.querySelectorAll("input[name$='-code']").forEach(function (input) {
      var code = input.value.trim().toUpperCase();
      if (code && codes.indexOf(code) < 0) { codes.push(code); }
    });
    var on = firstDay && firstDay.value ? firstDay.value : "";
    var key = codes.join(",") + "|" + on;
    if (key === lastCodes) { return; }
    lastCodes = key;
    var mine = ++drawn;
    var ticked = {};
    checklist.querySelectorAll("input[name=checklist]:checked").forEach(function (box) { ticked[box.value] = true; });
    Promise.all(codes.map(function (code) {
      var params = new URLSearchParams({ code: code });
      if (on) { params.set("on", on); }
      return fetch(checklist.dataset.url + "?" + params.toString(), {
        credentials: "same-origin", headers: { Accept: "application/json" }
      }).then(function (response) { return response.ok ? response.json() : []; }).catch(function () { return []; });
    })).then(function (lists) {
      if (mine !== drawn) { return; }
      checklist.querySelectorAll("fieldset.checklist").forEach(function (old) { old.remove(); });
      var seen = {};
      lists.forEach(function (versions) {
        versions.forEach(function (version) {
          if (seen[version.id]) { return; }
          seen[version.id] = true;
          var set = document.createElement("fieldset");
          set.className = "checklist";
          set.dataset.version = version.id;
          var legend = document.createElement("legend");
          legend.textContent = version.name + " (version " + version.version + ")";
          set.appendChild(legend);
          version.indications.forEach(function (text, index) {
            var label = document.createElement("label");
            var box = document.createElement("input");
            box.type = "checkbox";
            box.name = "checklist";
            box.value = version.id + ":" + index;
            box.checked = !!ticked[box.value];
            label.appendChild(box);
            label.appendChild(document.createTextNode(" " + text));
            set.appendChild(label);
          });
          checklist.appendChild(set);
        });
      });
    });
  }
  form.querySelectorAll("input[name$='-code'], input[name$='-start_date']").forEach(function (input) {
    input.addEventListener("change", drawChecklists);
  });
  if (checklist && !checklist.querySelector("fieldset.checklist")) { drawChecklists(); }

  // As typed (issue 22, item 3): an NPI shows whose it is, a CPT/HCPCS code the service
  // the plan lists for it. Each field keeps only the answer to its latest value.
  function hintFor(input, id) {
    var hint = document.getElementById(id);
    if (!hint) {
      hint = document.createElement("p");
      hint.id = id;
      hint.className = "help";
      hint.setAttribute("aria-live", "polite");
      input.insertAdjacentElement("afterend", hint);
    }
    return hint;
  }
  function lookUpAsTyped(input, id, url, show) {
    var latest = 0;
    function run() {
      var value = input.value.trim().toUpperCase();
      var hint = hintFor(input, id);
      var mine = ++latest;
      if (!value) { hint.textContent = ""; return; }
      fetch(url(value), { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (body) { if (mine === latest) { hint.textContent = body ? show(body, value) : ""; } })
        .catch(function () { if (mine === latest) { hint.textContent = ""; } });
    }
    input.addEventListener("change", run);
    if (input.value) { run(); }
  }
  ["id_requesting_provider_npi", "id_servicing_provider_npi"].forEach(function (id) {
    var input = document.getElementById(id);
    if (!input || !form.dataset.providersUrl) { return; }
    lookUpAsTyped(input, id + "-name", function (npi) {
      return form.dataset.providersUrl + "?" + new URLSearchParams({ npi: npi }).toString();
    }, function (body, npi) {
      var org = body.results && body.results[0];
      if (!org) { return "No provider with NPI " + npi + " in the plan's directory."; }
      var who = (org.practitioners || []).filter(function (p) { return p.npi === npi; })[0];
      var name = who ? who.name + ", " + org.name : org.name;
      return name + (org.contracted ? "" : " (not contracted with the plan)");
    });
  });
  form.querySelectorAll("input[name$='-code']").forEach(function (input) {
    if (!form.dataset.requirementsUrl) { return; }
    lookUpAsTyped(input, input.id + "-service", function (code) {
      return form.dataset.requirementsUrl + "?" + new URLSearchParams({ code: code }).toString();
    }, function (body) {
      var match = body.requirements && body.requirements[0];
      return match ? match.service : "";
    });
  });

  form.addEventListener("submit", function () {
    var button = document.getElementById("submit-button");
    window.setTimeout(function () {
      button.disabled = true;
      button.textContent = "Submitting…";
    }, 0);
  });
})();
