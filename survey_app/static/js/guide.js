// Guidance while answering: how much of each section is answered, and the two mistakes a
// participant can see before sending (too many picks, one item ranked twice). The server
// checks both again on submit; without this script the page simply lacks the hints.
(function () {
  "use strict";

  function answered(q) {
    return Array.prototype.some.call(q.querySelectorAll("input, select, textarea"), function (el) {
      if (el.name.slice(-6) === "-other") return false;
      if (el.type === "radio" || el.type === "checkbox") return el.checked;
      return el.value.trim() !== "";
    });
  }

  function showProgress(form) {
    var template = form.dataset.msgProgress || "";
    form.querySelectorAll("[data-section]").forEach(function (section) {
      var line = section.querySelector("[data-progress]");
      if (!line) return;
      var shown = Array.prototype.filter.call(section.querySelectorAll("[data-question]"), function (q) {
        return !q.hidden;
      });
      var done = shown.filter(answered).length;
      line.textContent = template.replace("{done}", done).replace("{total}", shown.length);
      line.classList.toggle("complete", shown.length > 0 && done === shown.length);
      line.hidden = shown.length === 0;
    });
  }

  // The message sits in a polite live region made when the page is set up, so that it is
  // announced when it appears; the question is outlined as a server error would be.
  function live(q) {
    var region = q.querySelector(".live-check");
    if (!region) {
      region = document.createElement("p");
      region.className = "error-message live-check";
      region.id = "live-" + q.dataset.question;
      region.setAttribute("aria-live", "polite");
      var legend = q.querySelector("legend");
      if (legend) legend.after(region); else q.prepend(region);
    }
    return region;
  }

  function flag(q, message) {
    live(q).textContent = message || "";
    q.classList.toggle("live-error", !!message);
    q.querySelectorAll("input, select").forEach(function (el) {
      if (message) el.setAttribute("aria-invalid", "true");
      else if (!q.classList.contains("has-error")) el.removeAttribute("aria-invalid");
    });
  }

  function checkPicks(q) {
    var max = parseInt(q.dataset.max, 10);
    var picked = q.querySelectorAll("input[type=checkbox]:checked").length;
    flag(q, picked > max ? q.dataset.msgMax : "");
  }

  function checkRanks(q, form) {
    var seen = {}, twice = false;
    q.querySelectorAll("select").forEach(function (select) {
      if (!select.value) return;
      if (seen[select.value]) twice = true;
      seen[select.value] = true;
    });
    flag(q, twice ? form.dataset.msgDuplicateRank : "");
  }

  function check(form) {
    form.querySelectorAll("[data-question][data-max]").forEach(checkPicks);
    form.querySelectorAll("[data-question][data-type=ranking]").forEach(function (q) { checkRanks(q, form); });
    showProgress(form);
  }

  function onAnswer(event) {
    var form = event.target.closest && event.target.closest("form.survey");
    if (form) check(form);
  }

  // survey.js says when a page is set up (first load, or a page the server answered with).
  document.addEventListener("survey:ready", function () {
    var form = document.querySelector("form.survey");
    if (!form) return;
    form.querySelectorAll("[data-question][data-max], [data-question][data-type=ranking]").forEach(live);
    check(form);
  });
  document.addEventListener("change", onAnswer);
  document.addEventListener("input", onAnswer);
})();
