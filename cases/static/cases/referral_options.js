// In-network options on the request form (issue 20, item 2). For a referral, imaging or
// laboratory request it asks GET /api/v1/referral-options/ (the page's session) for the
// specialty chosen, or the service code on line 1, from the member's ZIP and line of
// business, and lists the options nearest first. It says plainly when the servicing
// provider chosen is out of network and what that means for the member; "Choose" fills
// the servicing provider NPI. The server decides everything; this only shows it.
(function () {
  "use strict";
  var form = document.getElementById("submit-form");
  var panel = document.getElementById("referral-options");
  if (!form || !panel) { return; }
  var CATEGORIES = { specialty_referral: true, imaging: true, laboratory: true };
  var category = document.getElementById("id_service_category");
  var specialty = document.getElementById("id_referral_specialty");
  var number = document.getElementById("id_member_number");
  var birth = document.getElementById("id_member_date_of_birth");
  var servicing = document.getElementById("id_servicing_provider_npi");
  var firstCode = document.getElementById("id_lines-0-code");
  var status = document.getElementById("servicing-network");
  var context = document.getElementById("referral-options-context");
  var list = document.getElementById("referral-options-list");
  var latest = 0;

  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text) { node.textContent = text; }
    if (className) { node.className = className; }
    return node;
  }
  function miles(value) { return value === null || value === undefined ? "distance unknown" : value.toFixed(1) + " mi"; }
  function clear() { status.textContent = ""; status.className = ""; context.textContent = ""; list.textContent = ""; }

  function showServicing(chosen, options) {
    status.textContent = "";
    status.className = "";
    if (!chosen) { return; }
    if (chosen.in_network) {
      status.className = "callout ok";
      status.appendChild(el("p", chosen.name + " is in network (" + chosen.network_label + ")."));
      return;
    }
    status.className = "callout bad";
    var head = el("p"); head.appendChild(el("strong", chosen.name + " is out of network for this member.")); status.appendChild(head);
    status.appendChild(el("p", chosen.meaning));
    var nearer = options.filter(function (o) {
      return o.distance_miles !== null && (chosen.distance_miles === null || o.distance_miles < chosen.distance_miles);
    }).length;
    if (nearer) {
      status.appendChild(el("p", nearer + " in-network option" + (nearer === 1 ? " is" : "s are") +
        " nearer the member (" + miles(chosen.distance_miles) + " to " + chosen.name + "): see the list below."));
    }
  }

  function showOptions(body) {
    var search = body.search || {};
    var what = search.specialty ? search.specialty.name : "service " + search.service_code;
    var where = search.near_zip ? "nearest ZIP " + search.near_zip : "without distance";
    var lob = search.line_of_business_label ? ", " + search.line_of_business_label : "";
    context.textContent = body.results.length + " in-network option" + (body.results.length === 1 ? "" : "s") +
      " for " + what + " (" + where + lob + ")." + (body.notes.length ? " " + body.notes.join(" ") : "");
    list.textContent = "";
    body.results.forEach(function (option, index) {
      var item = el("li", "", "referral-option");
      item.id = "referral-option-" + (index + 1);
      var name = option.practitioner ? option.practitioner + ", " + option.organization : option.organization;
      item.appendChild(el("strong", name));
      item.appendChild(el("span", " · " + miles(option.distance_miles) + " · " +
        (option.network === "plan_medical_center" ? "Plan medical center" : "Contracted network") + " · " +
        (option.accepting_new_patients ? "accepting new patients" : "not accepting new patients") +
        (option.phone ? " · " + option.phone : "")));
      item.appendChild(el("div", option.address + (option.specialties.length ? " — " + option.specialties.join(", ") : ""), "help"));
      var choose = el("button", "Choose", "secondary");
      choose.type = "button";
      choose.id = "referral-option-choose-" + (index + 1);
      choose.setAttribute("aria-label", "Choose " + name + " as the servicing provider");
      choose.addEventListener("click", function () {
        servicing.value = option.npi;
        servicing.dispatchEvent(new Event("change", { bubbles: true }));
        servicing.focus();
      });
      item.appendChild(choose);
      list.appendChild(item);
    });
    showServicing(body.servicing, body.results);
  }

  function refresh() {
    var wanted = category && CATEGORIES[category.value];
    panel.hidden = !wanted;
    var mine = ++latest;
    if (!wanted) { clear(); return; }
    var params = new URLSearchParams();
    if (specialty && specialty.value) { params.set("specialty", specialty.value); }
    var code = firstCode ? firstCode.value.trim().toUpperCase() : "";
    if (!params.has("specialty") && code) { params.set("service_code", code); }
    if (!params.has("specialty") && !params.has("service_code")) { clear(); return; }
    if (!number.value.trim() || !birth.value) {
      clear();
      context.textContent = "Enter the member's number and date of birth to see the options nearest the member.";
      return;
    }
    params.set("member_number", number.value.trim());
    params.set("member_date_of_birth", birth.value);
    if (servicing.value.trim()) { params.set("servicing_npi", servicing.value.trim()); }
    fetch(panel.dataset.url + "?" + params.toString(), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.json().then(function (body) { return { ok: response.ok, body: body }; }); })
      .then(function (answer) {
        if (mine !== latest) { return; }
        if (!answer.ok) { clear(); context.textContent = answer.body.detail || "The options could not be listed."; return; }
        showOptions(answer.body);
      })
      .catch(function () { if (mine === latest) { clear(); } });
  }

  [category, specialty, number, birth, servicing, firstCode].forEach(function (input) {
    if (input) { input.addEventListener("change", refresh); }
  });
  refresh();
})();
