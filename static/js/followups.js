// Follow-up call screen: show the "reached" fields only when the outcome is "reached".
(function () {
  "use strict";
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
