// Follow-up call screen: show each block only for the outcomes it applies to (data-outcomes), ask
// "not satisfied with what" only for a not-satisfied answer, and send a call form only once per
// click (the server also refuses a second record without a claim). Without script every block shows.
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
  var SATISFIED_MIN = 4; // 满意 and 非常满意 count as satisfied (surveys.models.SATISFIED_MIN)

  function checked(name) {
    var input = form.querySelector("input[name='" + name + "']:checked");
    return input ? input.value : "";
  }
  function unhappy() {
    var field = form.dataset.satisfactionField;
    if (field) {
      var value = checked(field);
      return value !== "" && Number(value) < SATISFIED_MIN;
    }
    var select = form.querySelector("select[name='satisfaction']");
    return !!select && select.value === "dissatisfied";
  }
  function update() {
    var outcome = checked("outcome");
    form.querySelectorAll("[data-outcomes]").forEach(function (block) {
      var applies = block.dataset.outcomes.split(" ").indexOf(outcome) !== -1;
      block.classList.toggle("fu-hidden", !applies);
    });
    var kind = form.querySelector("select[name='feedback_kind']");
    form.querySelectorAll("[data-feedback]").forEach(function (block) {
      block.classList.toggle("fu-hidden", !kind || kind.value !== block.dataset.feedback);
    });
    var coding = form.querySelector(".fu-unhappy");
    if (coding) { coding.classList.toggle("fu-hidden", !unhappy()); }
  }
  form.addEventListener("change", update);
  update();
})();
