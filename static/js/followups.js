// Follow-up call screen: show the "reached" fields only when the outcome is "reached", and send a
// call form only once per click (the server also refuses a second record without a claim).
(function () {
  "use strict";
  document.querySelectorAll("form[data-submit-once]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.sent === "1") { event.preventDefault(); return; }
      form.dataset.sent = "1";
      form.querySelectorAll("button:not([type=button])").forEach(function (b) { b.disabled = true; });
    });
  });
  var form = document.querySelector(".fu-call-form");
  if (!form) { return; }
  var reached = form.querySelector(".fu-reached");
  function update() {
    var checked = form.querySelector("input[name='outcome']:checked");
    if (reached) { reached.classList.toggle("fu-hidden", !!checked && checked.value !== "reached"); }
  }
  form.addEventListener("change", update);
  update();
})();
