// Complaints: show the 12345 referral fields only when that channel is chosen on the intake form.
(function () {
  "use strict";
  var channel = document.getElementById("id_channel");
  if (!channel) { return; }
  var wrappers = ["div_id_referral_no", "div_id_referral_due"].map(function (id) { return document.getElementById(id); });
  function sync() {
    var show = channel.value === "citizen_12345";
    wrappers.forEach(function (el) { if (el) { el.classList.toggle("d-none", !show); } });
  }
  channel.addEventListener("change", sync);
  sync();
})();
