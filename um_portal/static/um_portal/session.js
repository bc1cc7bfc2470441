// Idle-session warning. The server ends a session after SESSION_IDLE_SECONDS without a
// request (HIPAA automatic logoff); a minute before, this offers to stay signed in
// (POST to the keep-alive URL), and at the end it goes to the login page.
(function () {
  "use strict";
  var body = document.body;
  var idle = parseInt(body.dataset.sessionIdle || "0", 10);
  if (!idle) { return; }
  var keepAliveUrl = body.dataset.keepaliveUrl;
  var loginUrl = body.dataset.loginUrl;
  var csrf = document.querySelector("meta[name=csrf-token]");
  var box = document.getElementById("session-warning");
  var stay = document.getElementById("session-stay");
  var countdown = document.getElementById("session-countdown");
  var WARN_BEFORE = Math.min(60, Math.floor(idle / 2));
  var deadline, warnTimer, endTimer, tick;

  function schedule() {
    clearTimeout(warnTimer); clearTimeout(endTimer); clearInterval(tick);
    deadline = Date.now() + idle * 1000;
    box.hidden = true;
    warnTimer = setTimeout(warn, (idle - WARN_BEFORE) * 1000);
    endTimer = setTimeout(end, idle * 1000);
  }
  function warn() {
    box.hidden = false;
    update();
    tick = setInterval(update, 1000);
    stay.focus();
  }
  function update() {
    var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    countdown.textContent = String(left);
  }
  function end() {
    window.location.assign(loginUrl + "?next=" + encodeURIComponent(window.location.pathname));
  }
  stay.addEventListener("click", function () {
    fetch(keepAliveUrl, {
      method: "POST",
      credentials: "same-origin",
      redirect: "manual",  // an ended session answers with a redirect to the login page
      headers: { "X-CSRFToken": csrf ? csrf.content : "" }
    }).then(function (response) {
      if (response.ok) { schedule(); } else { end(); }
    }, end);
  });
  schedule();
})();
