// Corridor's only script, a progressive enhancement: in an interview form, a group of questions
// asked only under a condition ("only if consent is yes") is hidden while the condition does not
// hold. Without it every question shows, and the server ignores answers to skipped questions.
(function () {
  "use strict";
  function values(form, code) {
    var picked = [];
    form.querySelectorAll('[name="' + code + '"], [name="' + code + '[]"]').forEach(function (input) {
      if (input.disabled) return;
      if (input.type === "checkbox" || input.type === "radio") {
        if (input.checked) picked.push(input.value);
      } else if (input.value !== "") {
        picked.push(input.value);
      }
    });
    return picked;
  }
  function holds(form, group) {
    var code = group.dataset.question;
    var inputs = form.querySelectorAll('[name="' + code + '"], [name="' + code + '[]"]');
    // A condition on a question that is itself not asked does not hold.
    if (inputs.length > 0 && Array.prototype.every.call(inputs, function (input) { return input.disabled; })) return false;
    var answers = values(form, code);
    if (group.dataset.equals !== undefined && answers[0] !== group.dataset.equals) return false;
    if (group.dataset.includes !== undefined && answers.indexOf(group.dataset.includes) < 0) return false;
    if (group.dataset.excludes !== undefined && answers.indexOf(group.dataset.excludes) >= 0) return false;
    return group.dataset.equals !== undefined || group.dataset.includes !== undefined || group.dataset.excludes !== undefined || answers.length > 0;
  }
  document.querySelectorAll("form").forEach(function (form) {
    var groups = form.querySelectorAll(".conditional[data-question]");
    if (groups.length === 0) return;
    function update() {
      // In the questionnaire's order, so that a question hidden earlier counts as unanswered.
      groups.forEach(function (group) {
        var shown = holds(form, group);
        group.hidden = !shown;
        group.querySelectorAll("input, select, textarea").forEach(function (input) { input.disabled = !shown; });
      });
    }
    form.addEventListener("change", update);
    update();
  });
})();
