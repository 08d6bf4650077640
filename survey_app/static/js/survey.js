// Shows and hides show_if questions live. The server applies the same rules, so the form
// works without this script: there, every question shows with a hint saying when to answer.
//
// It also makes answers survive a dropped connection: a draft of them stays on the device
// (localStorage, per form path) until the server acknowledges them, and Submit posts with
// fetch, so that a failed send leaves the page as it was instead of the browser's error page.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // Kept by older versions of this script; removed after a submit.
  var SENT_TOKEN_KEY = "survey:sent-token:";
  var DRAFT_PREFIX = "survey:draft:";
  // A draft older than this is dropped unread (the page says so): on a shared device the
  // next person does not find the previous one's answers the next day.
  var DRAFT_LIFETIME_MS = 24 * 3600 * 1000;
  // While a submit waits in the outbox, it is tried again besides on the "online" event:
  // first after a second, then twice as long each time up to this. That event may never
  // come: a hotel Wi-Fi that passes nothing still counts as online (and Chromium reports a
  // page opened offline as online), so a returning connection is found by trying.
  var RETRY_FIRST_MS = 1000;
  var RETRY_MS = 15000;
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

  var ORDERED = { greater_than: ">", at_least: ">=", less_than: "<", at_most: "<=" };

  // `calculated(id)` is a calculation's value (calc.js), undefined for a question's id;
  // `numberOf(id)` a number or scale answer as the server reads it, or null.
  function holds(cond, answer, calculated, numberOf) {
    var each = function (c) { return holds(c, answer, calculated, numberOf); };
    if (cond.all) return cond.all.every(each);
    if (cond.any) return cond.any.some(each);
    if (cond.not) return !each(cond.not);
    var value = calculated && calculated(cond.question);
    if (value !== undefined) return window.SurveyCalc.holds(cond, value);
    var values = answer(cond.question);
    if (cond.answered !== undefined) return (values.length > 0) === cond.answered;
    for (var key in ORDERED) {
      if (cond[key] === undefined) continue;
      var number = numberOf ? numberOf(cond.question) : null;
      return typeof number === "number" && window.SurveyCalc.compare(ORDERED[key], number, cond[key]);
    }
    var expected = cond.in || [cond.equals];
    return values.some(function (v) {
      return expected.some(function (e) { return matches(v, e); });
    });
  }

  // A number as the server reads it (forms._read_number), or null.
  function numberAnswer(text) {
    var t = text.replace(/ /g, "");
    if (!/^[+-]?(\d+([.,]\d*)?|[.,]\d+)$/.test(t)) return null;
    var n = parseFloat(t.replace(",", "."));
    return isFinite(n) ? n : null;
  }

  // A question's answer as calculations see it (calculations.answer_text): a number for
  // number and scale questions, option codes separated by spaces, the text typed; null
  // when unanswered or hidden.
  function expressionValue(form, qid, values) {
    var q = form.querySelector('[data-question="' + qid + '"]');
    if (!q || !values.length || q.dataset.type === "matrix") return null;
    if (q.dataset.type === "number" || q.dataset.type === "scale") {
      var number = values.length === 1 ? numberAnswer(values[0]) : null;
      // A whole-number question refuses 2.5 on the server: empty there, empty here.
      var whole = q.querySelector('input[inputmode="numeric"]');
      return whole && number !== null && !Number.isInteger(number) ? null : number;
    }
    return values.join(" ");
  }

  function calculationsOf(form) {
    if (!form.dataset.calculations || !window.SurveyCalc) return null;
    if (!form._calculations) form._calculations = JSON.parse(form.dataset.calculations);
    return form._calculations;
  }

  // Calculation id -> value from the answers as they are now (hidden ones empty).
  function calculate(form, answer) {
    var calculations = calculationsOf(form);
    if (!calculations) return {};
    return window.SurveyCalc.calculateAll(calculations, function (qid) {
      return expressionValue(form, qid, answer(qid));
    });
  }

  function inputsOf(el) {
    return el.querySelectorAll("input, select, textarea");
  }

  // Cascading choices: an option shows when each of its attributes the filter names is the
  // answer to that earlier question; a hidden option is unticked, as the server refuses it.
  function filterChoices(q, rules, answer) {
    q.querySelectorAll("[data-attributes]").forEach(function (choice) {
      var attributes = JSON.parse(choice.dataset.attributes);
      var offered = rules.every(function (rule) {
        return holds({ question: rule.question, equals: attributes[rule.attribute] }, answer);
      });
      choice.hidden = !offered;
      if (!offered) choice.querySelectorAll("input").forEach(function (input) { input.checked = false; });
    });
  }

  // Only hides: inputs stay enabled until the form is sent, because browsers restore
  // typed answers after Back only into enabled inputs, and they do it after this first runs.
  function update(form) {
    var hidden = {};
    var answer = function (qid) { return hidden[qid] ? [] : valuesOf(form, qid); };
    // From the answers so far: a condition uses only calculations of earlier questions.
    var ids = (calculationsOf(form) || []).map(function (c) { return c.id; });
    var calculated = function (id) {
      return ids.indexOf(id) === -1 ? undefined : calculate(form, answer)[id];
    };
    var numberOf = function (qid) { return expressionValue(form, qid, answer(qid)); };
    form.querySelectorAll("[data-section]").forEach(function (section) {
      var sectionShown = !section.dataset.showIf || holds(JSON.parse(section.dataset.showIf), answer, calculated, numberOf);
      section.hidden = !sectionShown;
      section.querySelectorAll("[data-question]").forEach(function (q) {
        var shown = sectionShown && (!q.dataset.showIf || holds(JSON.parse(q.dataset.showIf), answer, calculated, numberOf));
        q.hidden = !shown;
        if (q.dataset.choiceFilter) filterChoices(q, JSON.parse(q.dataset.choiceFilter), answer);
        if (shown) inputsOf(q).forEach(function (input) { input.disabled = false; });
        else hidden[q.dataset.question] = true;
      });
    });
    pipe(form, calculate(form, answer));
  }

  // What an answer reads as: the labels of checked options, the chosen entry of a list, or
  // the text typed; empty for a question that does not apply.
  function answerText(form, qid) {
    var q = form.querySelector('[data-question="' + qid + '"]');
    if (!q || q.hidden || q.closest("[data-section][hidden]") || q.dataset.type === "matrix") return "";
    var shown = [];
    q.querySelectorAll("input, select, textarea").forEach(function (el) {
      if (el.name.endsWith("-other") && !el.value.trim()) return;
      if (el.type === "radio" || el.type === "checkbox") {
        var label = el.checked && q.querySelector('label[for="' + el.id + '"]');
        if (label && el.value !== "_other") shown.push(label.textContent.trim());
      } else if (el.tagName === "SELECT") {
        if (el.value) shown.push(el.options[el.selectedIndex].textContent.trim());
      } else if (el.value.trim()) {
        shown.push(el.value.trim());
      }
    });
    return shown.join(", ");
  }

  // `${name}` in a text shows the answer given so far, or the calculation's value;
  // textContent, so never markup.
  function pipe(form, calculated) {
    form.querySelectorAll("[data-pipe]").forEach(function (span) {
      var name = span.dataset.pipe;
      var text = Object.prototype.hasOwnProperty.call(calculated, name)
        ? window.SurveyCalc.text(calculated[name])
        : answerText(form, name);
      span.textContent = text || span.dataset.empty;
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
  // this, sending the restored answers again would store them as a second response. The
  // token goes into this page's history entry, not into storage: it leaves with the tab.
  function rememberToken(form) {
    try {
      var state = Object.assign({}, history.state, { sentToken: form.elements.submission_token.value });
      history.replaceState(state, "");
    } catch (e) { /* no history API */ }
  }

  // True when the token came back from this page's history entry.
  function reuseTokenAfterBack(form) {
    var sent = history.state && history.state.sentToken;
    if (sent) form.elements.submission_token.value = sent;
    return !!sent;
  }

  // 256 random bits, in the server's token alphabet.
  function freshToken() {
    var bytes = new Uint8Array(32);
    crypto.getRandomValues(bytes);
    return btoa(String.fromCharCode.apply(null, bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
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
    var draft = {
      path: form.dataset.draftPath,
      savedAt: Date.now(),
      token: form.elements.submission_token.value,
      answers: answers
    };
    try {
      localStorage.setItem(DRAFT_PREFIX + form.dataset.draftPath, JSON.stringify(draft));
    } catch (e) { /* storage off or full: the answers are still on the page */ }
  }

  function fresh(draft, path) {
    return !!draft && draft.path === path && typeof draft.savedAt === "number" &&
      Date.now() - draft.savedAt < DRAFT_LIFETIME_MS;
  }

  function readDraft(form) {
    var path = form.dataset.draftPath;
    try {
      var draft = JSON.parse(localStorage.getItem(DRAFT_PREFIX + path) || "null");
      return fresh(draft, path) ? draft : null;
    } catch (e) {
      return null;
    }
  }

  // Drafts of any form on this device that are past their lifetime (or from an older script).
  function dropExpiredDrafts() {
    try {
      for (var i = localStorage.length - 1; i >= 0; i--) {
        var key = localStorage.key(i);
        if (key.indexOf(DRAFT_PREFIX) !== 0) continue;
        var draft = null;
        try { draft = JSON.parse(localStorage.getItem(key)); } catch (e) { /* unreadable */ }
        if (!fresh(draft, key.slice(DRAFT_PREFIX.length))) localStorage.removeItem(key);
      }
    } catch (e) { /* storage off */ }
  }

  function forgetDraft(path) {
    try { localStorage.removeItem(DRAFT_PREFIX + path); } catch (e) { /* storage off */ }
  }

  // After a submit, nothing of it stays on the device: draft, outbox entry, old tokens.
  function forgetAll(path) {
    forgetDraft(path);
    try { sessionStorage.removeItem(SENT_TOKEN_KEY + path); } catch (e) { /* storage off */ }
    if (window.SurveyOutbox) window.SurveyOutbox.remove(path).catch(function () {});
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
    // A repeated section first gets as many items as the draft kept (see repeat.js).
    if (window.SurveyRepeats) window.SurveyRepeats.grow(form, draft.answers);
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

  // --- the outbox: a submit that did not reach the server waits on the device -------------

  var flushing = false;
  var retry = null;
  var retryDelay = RETRY_FIRST_MS;
  // The waiting submit this page shows, kept in memory: when another tab sends it first
  // and removes it from the outbox, this page sends it again under the same token, so
  // it is stored once and this tab too reaches the thank-you page.
  var waiting = null;

  function showQueued(form) {
    showStatus(form.dataset.msgQueued, false);
    var status = document.getElementById("send-status");
    if (status) status.classList.add("queued");
    if (!retry) {
      retryDelay = RETRY_FIRST_MS;
      scheduleRetry();
    }
  }

  function scheduleRetry() {
    retry = setTimeout(function () {
      retryDelay = Math.min(retryDelay * 2, RETRY_MS);
      if (navigator.onLine) flush();
      scheduleRetry();
    }, retryDelay);
  }

  function stopRetry() {
    if (retry) clearTimeout(retry);
    retry = null;
  }

  function queue(form, body) {
    if (!window.SurveyOutbox) return Promise.reject(new Error("no outbox"));
    var entry = {
      path: form.dataset.draftPath,
      action: form.action,
      body: body.toString(),
      token: form.elements.submission_token.value,
      savedAt: Date.now()
    };
    return window.SurveyOutbox.put(entry).then(function () { waiting = entry; });
  }

  // Sends this form's waiting submit, under its own submission token, so a send whose
  // acknowledgement was lost is stored once. The CSRF token is taken fresh from the server:
  // the one kept with the answers may have expired while the device was offline.
  function flush() {
    var form = document.querySelector("form.survey");
    if (flushing || !form || !window.SurveyOutbox) return;
    var path = form.dataset.draftPath;
    flushing = true;
    window.SurveyOutbox.get(path).then(function (stored) {
      var entry = stored || waiting;
      if (!entry) return undefined;
      return fetch(path, { credentials: "same-origin", cache: "no-store" }).then(function (page) {
        return page.text();
      }).then(function (html) {
        var csrf = new DOMParser().parseFromString(html, "text/html").querySelector("input[name=csrf_token]");
        var body = new URLSearchParams(entry.body);
        if (csrf) body.set("csrf_token", csrf.value);
        return fetch(entry.action, { method: "POST", body: body, credentials: "same-origin" });
      }).then(function (response) {
        if (response.redirected) {
          stopRetry();
          waiting = null;
          forgetAll(path);
          location.assign(response.url);
          return undefined;
        }
        // An outage or the submission limits: keep it, and try again later.
        if (response.status === 503 || response.status === 429) return undefined;
        // Answers to fix, or a conflict: the page says so, with the answers; they are no
        // longer waiting to be sent.
        stopRetry();
        waiting = null;
        return window.SurveyOutbox.remove(path).then(function () {
          return response.text();
        }).then(showPage);
      });
    }).catch(function () { /* still offline: the next "online" event or retry sends it */ })
      .then(function () { flushing = false; });
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
      queue(form, body).then(function () {
        showQueued(form);
      }, function () {
        showStatus(form.dataset.msgOffline, true);
      });
    });
  }

  function onSubmit(event) {
    var form = event.currentTarget;
    update(form);
    disableHidden(form);
    rememberToken(form);
    saveDraft(form);
    var submitter = event.submitter;
    // A language button: the same answers in another language, through the draft, with a
    // GET so that Back returns to the page before the switch (a post would not come back).
    if (submitter && submitter.name === "switch_language") {
      event.preventDefault();
      location.assign(form.dataset.draftPath + "?lang=" + encodeURIComponent(submitter.value));
      return;
    }
    // Without `submitter` a language button cannot be told apart, so such browsers post.
    if (!("submitter" in event) || (submitter && submitter.name)) return;
    if (!window.fetch || !window.AbortController || !window.DOMParser) return;
    event.preventDefault();
    send(form);
  }

  // Enter in a one-line field would send the whole form half answered: only the Submit
  // button sends (a textarea keeps Enter for new lines).
  function holdEnter(event) {
    var el = event.target;
    if (event.key !== "Enter" || el.tagName !== "INPUT") return;
    if (["submit", "button", "reset", "image"].indexOf(el.type) !== -1) return;
    event.preventDefault();
  }

  function startOver(form) {
    if (!window.confirm(form.dataset.msgStartOver)) return;
    forgetDraft(form.dataset.draftPath);
    try { history.replaceState(null, ""); } catch (e) { /* no history API */ }
    // An empty page: from the server when online, else the copy the service worker kept.
    location.replace(form.dataset.draftPath + location.search);
  }

  // The service worker keeps this page and its files for offline use; persistent storage
  // keeps the browser from evicting them (and the outbox) when space runs low.
  function keepOffline(form) {
    if (!("serviceWorker" in navigator) || !form.dataset.worker) return;
    navigator.serviceWorker.register(form.dataset.worker).catch(function () { /* e.g. plain HTTP */ });
    if (navigator.storage && navigator.storage.persist) {
      navigator.storage.persist().catch(function () { /* refused: the cache still works */ });
    }
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
    dropExpiredDrafts();
    var acknowledged = document.querySelector("[data-clear-draft]");
    if (acknowledged) forgetAll(acknowledged.dataset.clearDraft);
    var form = document.querySelector("form.survey");
    if (!form) return;
    var backed = firstLoad && reuseTokenAfterBack(form);
    // Answers the server has just shown back win over the draft, which follows them.
    if (form.dataset.answers === "server") {
      saveDraft(form);
    } else if (restoreDraft(form)) {
      var notice = document.getElementById("draft-notice");
      if (notice) notice.textContent = form.dataset.msgRestored;
    } else if (firstLoad && !backed && navigator.serviceWorker && navigator.serviceWorker.controller) {
      // The page may be the worker's kept copy, whose token an earlier person used.
      form.elements.submission_token.value = freshToken();
    }
    update(form);
    var changed = function () {
      update(form);
      saveDraft(form);
    };
    form.addEventListener("change", changed);
    form.addEventListener("input", changed);
    form.addEventListener("submit", onSubmit);
    form.addEventListener("keydown", holdEnter);
    var device = document.getElementById("device-draft");
    if (device) device.hidden = false;
    var restart = document.getElementById("start-over");
    if (restart) restart.addEventListener("click", function () { startOver(form); });
    var summary = document.getElementById("error-summary");
    if (summary) summary.addEventListener("click", focusFromSummary);
    var focusFirst = summary || document.getElementById("notice");
    if (focusFirst) focusFirst.focus();
    if (firstLoad) keepOffline(form);
    if (window.SurveyOutbox) {
      window.SurveyOutbox.get(form.dataset.draftPath).then(function (entry) {
        if (!entry) return;
        waiting = entry;
        showQueued(form);
        if (navigator.onLine) flush();
      }).catch(function () { /* no IndexedDB */ });
    }
    document.dispatchEvent(new CustomEvent("survey:ready"));
  }

  document.addEventListener("DOMContentLoaded", function () { setUp(true); });
  window.addEventListener("online", flush);
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
