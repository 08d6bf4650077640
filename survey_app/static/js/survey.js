// Shows and hides show_if questions live. The server applies the same rules, so the form
// works without this script: there, every question shows with a hint saying when to answer.
//
// It also makes answers survive a dropped connection: a draft of them stays on the device
// (localStorage, per form path) until the server acknowledges them, and Submit posts with
// fetch, so that a failed send leaves the page as it was instead of the browser's error page.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  var SENT_TOKEN_KEY = "survey:sent-token:" + location.pathname;
  var DRAFT_PREFIX = "survey:draft:";
  // The send under way; a second tap aborts it and sends again, as a plain form post would.
  var sending = null;

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

  // --- the draft: answers kept on the device until the server acknowledges them ----------

  // Only the questions' fields: never the CSRF token, nor the personal code (its inputs say
  // autocomplete="off": it should not stay behind on a shared phone).
  function answerFields(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && el.name.indexOf("q_") === 0;
    });
  }

  // The submission token goes with the answers: after a reload, a send whose
  // acknowledgement was lost is retried under it, and the server stores it only once.
  function saveDraft(form) {
    var answers = {};
    answerFields(form).forEach(function (el) {
      var values = answers[el.name] || (answers[el.name] = []);
      if ((el.type === "radio" || el.type === "checkbox") && !el.checked) return;
      if (el.value !== "") values.push(el.value);
    });
    var draft = { token: form.elements.submission_token.value, answers: answers };
    try {
      localStorage.setItem(DRAFT_PREFIX + form.dataset.draftPath, JSON.stringify(draft));
    } catch (e) { /* storage off or full: the answers are still on the page */ }
  }

  function readDraft(form) {
    try {
      return JSON.parse(localStorage.getItem(DRAFT_PREFIX + form.dataset.draftPath) || "null");
    } catch (e) {
      return null;
    }
  }

  function forgetDraft(path) {
    try { localStorage.removeItem(DRAFT_PREFIX + path); } catch (e) { /* storage off */ }
  }

  function setValue(el, values) {
    if (el.type === "radio" || el.type === "checkbox") {
      el.checked = values.indexOf(el.value) !== -1;
    } else if (el.tagName === "SELECT") {
      var wanted = values[0] || "";
      var known = Array.prototype.some.call(el.options, function (o) { return o.value === wanted; });
      el.value = known ? wanted : "";
    } else {
      el.value = values[0] || "";
    }
  }

  // Puts the kept answers back into a fresh form; true when there were any.
  function restoreDraft(form) {
    var draft = readDraft(form);
    if (!draft || !draft.answers) return false;
    var answered = Object.keys(draft.answers).some(function (name) {
      return draft.answers[name].length > 0;
    });
    if (!answered) return false;
    answerFields(form).forEach(function (el) {
      if (Object.prototype.hasOwnProperty.call(draft.answers, el.name)) setValue(el, draft.answers[el.name]);
    });
    if (draft.token) form.elements.submission_token.value = draft.token;
    return true;
  }

  // --- sending -----------------------------------------------------------------------

  function showStatus(text, failed) {
    var status = document.getElementById("send-status");
    if (!status) return;
    status.textContent = text || "";
    status.classList.toggle("failed", !!failed);
  }

  // Any answer but the thanks page (answers to fix, an outage, a conflict, an expired form)
  // replaces this page, as a plain post would have. Only <body>, the title and <html lang
  // dir> change: every participant page shares base.html's <head> (styles and this script),
  // so nothing is fetched again; scripts in parsed HTML never run, so this script sets up
  // the new body itself.
  function showPage(html) {
    var next = new DOMParser().parseFromString(html, "text/html");
    document.title = next.title;
    ["lang", "dir"].forEach(function (name) {
      var value = next.documentElement.getAttribute(name);
      if (value) document.documentElement.setAttribute(name, value);
      else document.documentElement.removeAttribute(name);
    });
    document.body.replaceWith(document.adoptNode(next.body));
    window.scrollTo(0, 0);
    setUp(false);
  }

  function send(form) {
    // The same fields, encoded as the browser would post them without this script.
    var body = new URLSearchParams(new FormData(form));
    if (sending) sending.abort();
    var mine = sending = new AbortController();
    showStatus(form.dataset.msgSending, false);
    fetch(form.action, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      signal: mine.signal
    }).then(function (response) {
      if (mine !== sending) return undefined;
      // Only a stored (or repeated) submission redirects: to the thanks page.
      if (response.redirected) {
        location.assign(response.url);
        return undefined;
      }
      var type = response.headers.get("Content-Type") || "";
      if (type.indexOf("text/html") === -1) throw new Error("not a page of ours");
      return response.text().then(function (html) {
        if (mine !== sending) return;
        sending = null;
        showPage(html);
      });
    }).catch(function () {
      if (mine !== sending) return;  // aborted by a newer tap, which reports for itself
      sending = null;
      showStatus(form.dataset.msgOffline, true);
    });
  }

  function onSubmit(event) {
    var form = event.currentTarget;
    update(form);
    disableHidden(form);
    rememberToken(form);
    saveDraft(form);
    // A language button posts as usual: its answer is the same form, not an outcome. Without
    // `submitter` that button cannot be told apart, so such browsers post every time.
    if (!("submitter" in event) || (event.submitter && event.submitter.name)) return;
    if (!window.fetch || !window.AbortController || !window.DOMParser) return;
    event.preventDefault();
    send(form);
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

  // Runs on the page as loaded, and again on each page the server answers a send with.
  function setUp(firstLoad) {
    var acknowledged = document.querySelector("[data-clear-draft]");
    if (acknowledged) forgetDraft(acknowledged.dataset.clearDraft);
    var form = document.querySelector("form.survey");
    if (!form) return;
    if (firstLoad) reuseTokenAfterBack(form);
    // Answers the server has just shown back win over the draft, which follows them.
    if (form.dataset.answers === "server") {
      saveDraft(form);
    } else if (restoreDraft(form)) {
      var notice = document.getElementById("draft-notice");
      if (notice) notice.textContent = form.dataset.msgRestored;
    }
    update(form);
    var changed = function () {
      update(form);
      saveDraft(form);
    };
    form.addEventListener("change", changed);
    form.addEventListener("input", changed);
    form.addEventListener("submit", onSubmit);
    var summary = document.getElementById("error-summary");
    if (summary) summary.addEventListener("click", focusFromSummary);
    var focusFirst = summary || document.getElementById("notice");
    if (focusFirst) focusFirst.focus();
  }

  document.addEventListener("DOMContentLoaded", function () { setUp(true); });
  // After Back the browser restores answers later than DOMContentLoaded, without events;
  // from the back/forward cache the page also comes back as it was left, mid-send.
  window.addEventListener("pageshow", function (event) {
    var form = document.querySelector("form.survey");
    if (!form) return;
    update(form);
    if (event.persisted) {
      sending = null;
      showStatus("", false);
    }
  });
})();
