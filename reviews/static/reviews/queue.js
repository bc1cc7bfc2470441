// The queue's filters apply as soon as one changes (issue 22, item 5): no Filter button
// to find. Without JavaScript the button shows (noscript) and works as before.
(function () {
  "use strict";
  var form = document.getElementById("queue-filters");
  if (!form) { return; }
  form.querySelectorAll("select").forEach(function (select) {
    select.addEventListener("change", function () { form.submit(); });
  });
})();
