// Shows and hides show_if questions live. The server applies the same rules, so the form
// works without this script: there, every question shows with a hint saying when to answer.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function valuesOf(form, qid) {
    var out = [];
    form.querySelectorAll('[name="q_' + qid + '"], [name^="q_' + qid + '-"]').forEach(function (el) {
      if (el.disabled || el.name.endsWith("-other")) return;
      if ((el.type === "radio" || el.type === "checkbox") && !el.checked) return;
      if (el.value.trim() !== "") out.push(el.value.trim());
    });
    return out;
  }

  function matches(value, expected) {
    if (value === String(expected)) return true;
    if (typeof expected === "number") {
      var n = parseFloat(value.replace(",", "."));
      return !isNaN(n) && n === expected;
    }
    return false;
  }

  function holds(cond, answer) {
    if (cond.all) return cond.all.every(function (c) { return holds(c, answer); });
    if (cond.any) return cond.any.some(function (c) { return holds(c, answer); });
    if (cond.not) return !holds(cond.not, answer);
    var values = answer(cond.question);
    if (cond.answered !== undefined) return (values.length > 0) === cond.answered;
    var expected = cond.in || [cond.equals];
    return values.some(function (v) {
      return expected.some(function (e) { return matches(v, e); });
    });
  }

  function setShown(el, shown) {
    el.hidden = !shown;
    el.querySelectorAll("input, select, textarea").forEach(function (input) {
      input.disabled = !shown;
    });
  }

  function update(form) {
    var hidden = {};
    var answer = function (qid) { return hidden[qid] ? [] : valuesOf(form, qid); };
    form.querySelectorAll("[data-section]").forEach(function (section) {
      var sectionShown = !section.dataset.showIf || holds(JSON.parse(section.dataset.showIf), answer);
      section.hidden = !sectionShown;
      section.querySelectorAll("[data-question]").forEach(function (q) {
        var shown = sectionShown && (!q.dataset.showIf || holds(JSON.parse(q.dataset.showIf), answer));
        setShown(q, shown);
        if (!shown) hidden[q.dataset.question] = true;
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form.survey");
    if (!form) return;
    update(form);
    form.addEventListener("change", function () { update(form); });
    form.addEventListener("input", function () { update(form); });
    var summary = document.getElementById("error-summary") || document.getElementById("notice");
    if (summary) summary.focus();
  });
})();
