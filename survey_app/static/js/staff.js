// Staff pages: times in the viewer's time zone, copy buttons, and a training's counts
// refreshing by themselves. Everything here is an enhancement: without JavaScript the
// pages show UTC times, the links can be selected by hand and a reload refreshes counts.
"use strict";

(function () {
  var REFRESH_MS = 15000;
  var format = new Intl.DateTimeFormat(undefined, {
    day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit",
    timeZoneName: "short",
  });

  function localise(root) {
    root.querySelectorAll("time[data-local-time]").forEach(function (el) {
      var when = new Date(el.getAttribute("datetime"));
      if (!isNaN(when)) {
        el.title = el.textContent;  // the UTC text stays at hand
        el.textContent = format.format(when);
      }
    });
  }

  function copyText(target, button) {
    var text = target.value !== undefined ? target.value : target.getAttribute("href");
    var done = function () {
      button.textContent = "Copied";
      setTimeout(function () { button.textContent = "Copy link"; }, 2000);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () { fallback(text); done(); });
    } else {
      fallback(text);
      done();
    }
  }

  function fallback(text) {
    // Plain http on a local network has no clipboard API: copy through a selected field.
    var field = document.createElement("textarea");
    field.value = text;
    field.setAttribute("readonly", "");
    field.className = "visually-hidden";
    document.body.appendChild(field);
    field.select();
    document.execCommand("copy");
    document.body.removeChild(field);
  }

  function copyButtons() {
    document.querySelectorAll("button[data-copy]").forEach(function (button) {
      var target = document.querySelector(button.getAttribute("data-copy"));
      if (!target) return;
      button.hidden = false;
      button.addEventListener("click", function () { copyText(target, button); });
    });
  }

  function refreshCounts() {
    var section = document.querySelector("[data-counts-url]");
    if (!section || !window.fetch) return;
    var url = section.getAttribute("data-counts-url");
    var tick = function () {
      if (document.hidden) return;
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (counts) {
          if (!counts) return;
          ["pre", "post", "pairs"].forEach(function (key) {
            var el = section.querySelector('[data-figure="' + key + '"]');
            if (el) el.textContent = String(counts[key]);
          });
          var last = section.querySelector('[data-figure="last"]');
          if (last && counts.last) {
            var time = document.createElement("time");
            time.setAttribute("datetime", counts.last);
            time.setAttribute("data-local-time", "");
            last.replaceChildren(time);
            localise(last);
          }
        })
        .catch(function () { /* offline for a moment: the next tick tries again */ });
    };
    setInterval(tick, REFRESH_MS);
    document.addEventListener("visibilitychange", tick);
  }

  localise(document);
  copyButtons();
  refreshCounts();
})();
