// Shows and hides show_if questions live. The server applies the same rules, so the form
// works without this script: there, every question shows with a hint saying when to answer.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  var SENT_TOKEN_KEY = "survey:sent-token:" + location.pathname;

  function valuesOf(form, qid) {
    var out = [];
    form.querySelectorAll('[name="q_' + qid + '"], [name^="q_' + qid + '-"]').forEach(function (el) {
      if (el.name.endsWith("-other")) return;
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

  function inputsOf(el) {
    return el.querySelectorAll("input, select, textarea");
  }

  // Only hides: inputs stay enabled until the form is sent, because browsers restore
  // typed answers after Back only into enabled inputs, and they do it after this first runs.
  function update(form) {
    var hidden = {};
    var answer = function (qid) { return hidden[qid] ? [] : valuesOf(form, qid); };
    form.querySelectorAll("[data-section]").forEach(function (section) {
      var sectionShown = !section.dataset.showIf || holds(JSON.parse(section.dataset.showIf), answer);
      section.hidden = !sectionShown;
      section.querySelectorAll("[data-question]").forEach(function (q) {
        var shown = sectionShown && (!q.dataset.showIf || holds(JSON.parse(q.dataset.showIf), answer));
        q.hidden = !shown;
        if (shown) inputsOf(q).forEach(function (input) { input.disabled = false; });
        else hidden[q.dataset.question] = true;
      });
    });
  }

  // Answers to questions that do not apply are not sent (the server would drop them anyway).
  function disableHidden(form) {
    form.querySelectorAll("[data-question]").forEach(function (q) {
      if (q.hidden || q.closest("[data-section][hidden]")) {
        inputsOf(q).forEach(function (input) { input.disabled = true; });
      }
    });
  }

  // Browsers restore typed answers after Back, but not the hidden submission token: without
  // this, sending the restored answers again would store them as a second response.
  function rememberToken(form) {
    try { sessionStorage.setItem(SENT_TOKEN_KEY, form.elements.submission_token.value); } catch (e) { /* storage off */ }
  }

  function reuseTokenAfterBack(form) {
    var nav = performance.getEntriesByType && performance.getEntriesByType("navigation")[0];
    if (!nav || nav.type !== "back_forward") return;
    try {
      var sent = sessionStorage.getItem(SENT_TOKEN_KEY);
      if (sent) form.elements.submission_token.value = sent;
    } catch (e) { /* storage off */ }
  }

  // Links in the error summary: focus the field and bring its question text into view too,
  // instead of jumping so far that the label or legend sits above the screen.
  function focusFromSummary(event) {
    var link = event.target.closest("a[href^='#']");
    if (!link) return;
    var target = document.getElementById(link.getAttribute("href").slice(1));
    if (!target) return;
    event.preventDefault();
    var question = target.closest("[data-question]") || target;
    question.scrollIntoView({ block: "start" });
    target.focus({ preventScroll: true });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form.survey");
    if (!form) return;
    reuseTokenAfterBack(form);
    update(form);
    form.addEventListener("change", function () { update(form); });
    form.addEventListener("input", function () { update(form); });
    form.addEventListener("submit", function () {
      update(form);
      disableHidden(form);
      rememberToken(form);
    });
    // After Back the browser restores answers later than DOMContentLoaded, without events.
    window.addEventListener("pageshow", function () { update(form); });
    var summary = document.getElementById("error-summary");
    if (summary) summary.addEventListener("click", focusFromSummary);
    var focusFirst = summary || document.getElementById("notice");
    if (focusFirst) focusFirst.focus();
  });
})();
