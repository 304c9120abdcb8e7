// Reports page: show only the period fields that fit the chosen kind (month / year / date range).
(function () {
  "use strict";
  var form = document.querySelector(".report-request-form");
  if (!form) { return; }
  var kind = form.querySelector("[name=kind]");
  var groups = {
    monthly: ["month"],
    annual: ["year"],
    range: ["start", "end"]
  };
  function wrapper(name) {
    var input = form.querySelector("[name=" + name + "]");
    return input ? (input.closest(".mb-3") || input.parentElement) : null;
  }
  function update() {
    var show = groups[kind.value] || [];
    ["month", "year", "start", "end"].forEach(function (name) {
      var el = wrapper(name);
      if (el) { el.classList.toggle("d-none", show.indexOf(name) === -1); }
    });
  }
  kind.addEventListener("change", update);
  update();
})();
