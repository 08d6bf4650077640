// Repeated sections ("Add another") in the page: Add and Remove without a round trip, and as
// many items as a draft kept on this device needs (survey.js calls SurveyRepeats.grow).
// Without this script the same buttons post the form and the server shows it again.
(function () {
  "use strict";

  // An item input's name: q_<question>.<item>, then -<part> for some question types.
  var ITEM_NAME = /^(q_[a-z][a-z0-9_]*\.)([0-9]+)(-.*)?$/;

  function items(box) {
    return Array.prototype.filter.call(box.children, function (el) {
      return el.classList.contains("repeat-item");
    });
  }

  function countInput(box) {
    return box.querySelector("[data-repeat-count]");
  }

  // Buttons and the "at most" message follow the number of items.
  function refresh(box) {
    var count = items(box).length;
    countInput(box).value = String(count);
    box.querySelector("[data-repeat-add]").hidden = count >= Number(box.dataset.max);
    box.querySelector("[data-repeat-full]").hidden = count < Number(box.dataset.max);
    items(box).forEach(function (item) {
      var remove = item.querySelector("[data-repeat-remove]");
      if (remove) remove.hidden = count <= Number(box.dataset.min);
    });
  }

  function add(box) {
    var count = items(box).length;
    if (count >= Number(box.dataset.max)) return null;
    var template = box.querySelector("template[data-item-template]");
    var html = template.innerHTML.split("__N__").join(String(count + 1));
    template.insertAdjacentHTML("beforebegin", html);
    refresh(box);
    return items(box)[count];
  }

  function inputs(item) {
    return Array.prototype.slice.call(item.querySelectorAll("input, select, textarea"));
  }

  // Item `n` goes: the answers of each later item move up one, then the last item goes.
  function remove(box, n) {
    var all = items(box);
    if (all.length <= Number(box.dataset.min) || n < 1 || n > all.length) return;
    for (var i = n; i < all.length; i++) copyAnswers(all[i], all[i - 1], i);
    all[all.length - 1].remove();
    refresh(box);
  }

  function copyAnswers(from, to, number) {
    var targets = inputs(to);
    inputs(from).forEach(function (el) {
      var match = ITEM_NAME.exec(el.name);
      if (!match) return;
      var name = match[1] + number + (match[3] || "");
      targets.forEach(function (target) {
        if (target.name !== name) return;
        if (target.type === "radio" || target.type === "checkbox") {
          if (target.value === el.value) target.checked = el.checked;
        } else {
          target.value = el.value;
        }
      });
    });
  }

  // Before a draft is put back: as many items as it had, in each repeated section.
  function grow(form, answers) {
    form.querySelectorAll("[data-repeat]").forEach(function (box) {
      var kept = answers[countInput(box).name];
      var wanted = Math.min(Number(kept && kept[0]) || 0, Number(box.dataset.max));
      while (items(box).length < wanted && add(box)) { /* one more */ }
    });
  }

  function onClick(event) {
    var button = event.target.closest && event.target.closest("button[name=repeat]");
    if (!button) return;
    var box = button.closest("[data-repeat]");
    if (!box) return;
    event.preventDefault();
    var parts = button.value.split(":");
    if (parts[0] === "add") {
      var item = add(box);
      var first = item && item.querySelector("input, select, textarea");
      if (first) first.focus();
    } else {
      remove(box, Number(parts[2]));
      var next = box.querySelector("[data-repeat-add]");
      if (next && !next.hidden) next.focus();
    }
    // survey.js keeps the draft (and the skip logic) up to date on "input".
    box.dispatchEvent(new Event("input", { bubbles: true }));
  }

  document.addEventListener("click", onClick);
  window.SurveyRepeats = { grow: grow };
})();
