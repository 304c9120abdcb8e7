// Surveys: keyboard-only paper entry, and one submission per click on every questionnaire form.
(function () {
  "use strict";

  // A form marked data-submit-once cannot be sent twice by a double click (the server also
  // refuses a second submission with the same key).
  document.querySelectorAll("form[data-submit-once]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.sent === "1") { event.preventDefault(); return; }
      form.dataset.sent = "1";
      form.querySelectorAll("button[type=submit], button:not([type])").forEach(function (b) { b.disabled = true; });
    });
  });

  // After a refused submit, bring the first unanswered question into view: on a phone the page
  // reloads at the top and the red marks are screens below.
  var firstError = document.querySelector(".survey-question.has-error");
  if (firstError) {
    firstError.scrollIntoView({ block: "center", behavior: "instant" });  // not Bootstrap's smooth scroll: a jump on load
    var field = firstError.querySelector("input:not([type=hidden]), textarea, select");
    if (field) { field.focus({ preventScroll: true }); }
  }

  var entry = document.querySelector("form[data-paper-entry]");
  if (!entry) { return; }
  var questions = Array.prototype.slice.call(entry.querySelectorAll(".survey-question"));

  function mark(index) {
    questions.forEach(function (q, i) { q.classList.toggle("current", i === index); });
  }
  function focusQuestion(index) {
    if (index >= questions.length) {
      var submit = entry.querySelector("button[type=submit]");
      if (submit) { submit.focus(); }
      mark(-1);
      return;
    }
    if (index < 0) { index = 0; }
    var q = questions[index];
    var target = q.querySelector("input:checked") || q.querySelector("input:not([type=hidden]), textarea, select");
    if (target) { target.focus({ preventScroll: true }); }
    q.scrollIntoView({ block: "center" });
    mark(index);
  }
  function isTyping(el) {
    return el.tagName === "TEXTAREA" || el.tagName === "SELECT" ||
      (el.tagName === "INPUT" && ["text", "date", "number", "search"].indexOf(el.type) >= 0);
  }

  entry.addEventListener("focusin", function (event) {
    var q = event.target.closest(".survey-question");
    mark(q ? questions.indexOf(q) : -1);
  });

  entry.addEventListener("keydown", function (event) {
    var el = event.target;
    var q = el.closest(".survey-question");
    var index = q ? questions.indexOf(q) : -1;
    // Enter saves the form and opens the next one (Ctrl+Enter inside a comment box).
    if (event.key === "Enter" && (el.tagName !== "TEXTAREA" || event.ctrlKey || event.metaKey)) {
      if (el.tagName === "SELECT" && !event.ctrlKey) { return; }
      event.preventDefault();
      if (entry.requestSubmit) { entry.requestSubmit(); } else { entry.submit(); }
      return;
    }
    if (!q || isTyping(el) || event.ctrlKey || event.altKey || event.metaKey) { return; }
    var options = q.querySelectorAll("input[type=radio], input[type=checkbox]");
    if (/^[1-9]$/.test(event.key)) {
      var option = options[parseInt(event.key, 10) - 1];
      if (!option) { return; }
      event.preventDefault();
      if (option.type === "checkbox") {
        option.checked = !option.checked;
        option.focus();
      } else {
        option.checked = true;
        focusQuestion(index + 1);
      }
    } else if (event.key === "0") {
      event.preventDefault();
      options.forEach(function (o) { o.checked = false; });
      focusQuestion(index + 1);
    } else if (event.key === "ArrowDown" && event.shiftKey) {
      event.preventDefault();
      focusQuestion(index + 1);
    } else if (event.key === "ArrowUp" && event.shiftKey) {
      event.preventDefault();
      focusQuestion(index - 1);
    }
  });

  // Start on the first question when the department and date are already carried over.
  var department = entry.querySelector("select[name$=department]");
  if (department && department.value) { focusQuestion(0); } else if (department) { department.focus(); }
})();
