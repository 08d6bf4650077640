// Calculations (XLSForm `calculate`) in the browser, so that show_if tests and `${name}`
// texts that use them change as the participant answers. It evaluates the syntax tree the
// server parsed (shipped as JSON, never code), with the rules of
// survey_app/questionnaire/calculations.py: the same number syntax, text of numbers,
// rounding and empty values. tests/browser/test_calculation_agreement.py holds the two to
// each other: a change there needs the same change here.
(function () {
  "use strict";

  // What Python's str.split() splits on, and what float() accepts after our pattern.
  var SPACES = /[\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/;
  var NUMBER = /^[ \t\n\r\f\v]*[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?[ \t\n\r\f\v]*$/;

  function toNumber(value) {
    if (typeof value === "boolean") return value ? 1 : 0;
    if (typeof value === "number") return value;
    return NUMBER.test(value) ? Number(value) : NaN;
  }

  // Python's repr() of a float that is not whole: exponent form below 1e-4, as Python.
  function floatText(value) {
    var exp = value.toExponential();
    var at = exp.indexOf("e");
    var power = Number(exp.slice(at + 1));
    if (power >= -4) return String(value);
    var digits = String(Math.abs(power));
    return exp.slice(0, at) + "e-" + (digits.length < 2 ? "0" + digits : digits);
  }

  function numberText(value) {
    if (Number.isInteger(value)) return BigInt(value).toString();
    return floatText(value);
  }

  function toText(value) {
    if (typeof value === "boolean") return value ? "true" : "false";
    if (typeof value === "number") return isFinite(value) ? numberText(value) : "";
    return value;
  }

  function truth(value) {
    if (typeof value === "string") return value !== "";
    if (typeof value === "number") return value !== 0 && !isNaN(value);
    return value;
  }

  function words(text) {
    return text.split(SPACES).filter(function (w) { return w !== ""; });
  }

  function codePoints(text) {
    return Array.from(text).map(function (c) { return c.codePointAt(0); });
  }

  // -1, 0 or 1, ordering texts by code point as Python does (not by UTF-16 unit).
  function orderTexts(a, b) {
    var x = codePoints(a), y = codePoints(b);
    for (var i = 0; i < Math.min(x.length, y.length); i++) {
      if (x[i] !== y[i]) return x[i] < y[i] ? -1 : 1;
    }
    return x.length === y.length ? 0 : (x.length < y.length ? -1 : 1);
  }

  function compare(op, left, right) {
    var a = toNumber(left), b = toNumber(right);
    var order;
    if (!isNaN(a) && !isNaN(b)) {
      if (op === "=") return a === b;
      if (op === "!=") return a !== b;
      order = a < b ? -1 : (a > b ? 1 : 0);
    } else {
      var s = toText(left), t = toText(right);
      if (op === "=") return s === t;
      if (op === "!=") return s !== t;
      if (s === "" || t === "") return false;  // empty is never less or more, as in ODK
      order = orderTexts(s, t);
    }
    if (op === "<") return order < 0;
    if (op === "<=") return order <= 0;
    if (op === ">") return order > 0;
    return order >= 0;
  }

  function arith(op, left, right) {
    if (op === "+") return left + right;
    if (op === "-") return left - right;
    if (op === "*") return left * right;
    if (right === 0 || isNaN(left) || isNaN(right)) return NaN;
    if (op === "div") return left / right;
    return isFinite(left) ? left % right : NaN;
  }

  function round(number, places) {
    var digits = isFinite(places) ? Math.max(-15, Math.min(15, Math.trunc(places))) : 0;
    if (!isFinite(number) || Math.abs(number) > 1e15) return number;
    // Exact powers of ten, as the server's; half rounds up (towards +infinity).
    if (digits >= 0) {
      var scale = Number("1e" + digits);
      return Math.floor(number * scale + 0.5) / scale;
    }
    var step = Number("1e" + -digits);
    return Math.floor(number / step + 0.5) * step;
  }

  function call(node, valueOf) {
    var args = node.args;
    if (node.call === "if") return evaluate(truth(evaluate(args[0], valueOf)) ? args[1] : args[2], valueOf);
    var values = args.map(function (a) { return evaluate(a, valueOf); });
    switch (node.call) {
      case "concat": return values.map(toText).join("");
      case "round": return round(toNumber(values[0]), values.length === 2 ? toNumber(values[1]) : 0);
      case "number": return toNumber(values[0]);
      case "int": var n = toNumber(values[0]); return isFinite(n) ? Math.trunc(n) : n;
      case "string": return toText(values[0]);
      case "coalesce": return toText(values[0]) ? values[0] : values[1];
      case "selected": return words(toText(values[0])).indexOf(toText(values[1])) !== -1;
      case "count-selected": return words(toText(values[0])).length;
      case "string-length": return Array.from(toText(values[0])).length;
      case "not": return !truth(values[0]);
      case "true": return true;
      case "false": return false;
    }
    throw new Error("unsupported function " + node.call);
  }

  // One node of the tree (see calculations.as_json): {ref}, {const}, {op, args}, {bool,
  // items} or {call, args}. `valueOf(name)` gives a number, a text, or null when empty.
  function evaluate(node, valueOf) {
    if ("ref" in node) {
      var value = valueOf(node.ref);
      if (typeof value === "number") return value;
      return value === null || value === undefined ? "" : String(value);
    }
    if ("const" in node) return node.const;
    if ("bool" in node) {
      return node.bool === "and"
        ? node.items.every(function (i) { return truth(evaluate(i, valueOf)); })
        : node.items.some(function (i) { return truth(evaluate(i, valueOf)); });
    }
    if ("call" in node) return call(node, valueOf);
    var left = evaluate(node.args[0], valueOf), right = evaluate(node.args[1], valueOf);
    if (["+", "-", "*", "div", "mod"].indexOf(node.op) !== -1) {
      return arith(node.op, toNumber(left), toNumber(right));
    }
    return compare(node.op, left, right);
  }

  // The value as the server stores it: "true"/"false", a finite number, a text, or null.
  function stored(value) {
    if (typeof value === "boolean") return value ? "true" : "false";
    if (typeof value === "number") return isFinite(value) ? (value === 0 ? 0 : value) : null;
    return value === "" ? null : value;
  }

  // Every calculation in order; `answer(name)` gives a question's value (number, text or null).
  function calculateAll(calculations, answer) {
    var values = {};
    calculations.forEach(function (c) {
      values[c.id] = stored(evaluate(c.ast, function (name) {
        return Object.prototype.hasOwnProperty.call(values, name) ? values[name] : answer(name);
      }));
    });
    return values;
  }

  // A show_if comparison naming a calculation, as answers.py tests it: empty is false.
  function holds(cond, value) {
    if (cond.answered !== undefined) return (value !== null) === cond.answered;
    if (value === null) return false;
    var ordered = { greater_than: ">", at_least: ">=", less_than: "<", at_most: "<=" };
    for (var key in ordered) {
      if (cond[key] !== undefined) return compare(ordered[key], value, cond[key]);
    }
    var expected = cond.in || [cond.equals];
    return expected.some(function (e) { return compare("=", value, e); });
  }

  function text(value) {
    return value === null ? "" : toText(value);
  }

  window.SurveyCalc = {
    evaluate: function (ast, valueOf) { return stored(evaluate(ast, valueOf)); },
    calculateAll: calculateAll,
    compare: compare,
    holds: holds,
    text: text
  };
})();
