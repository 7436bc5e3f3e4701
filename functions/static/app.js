/* The form's small helper: no framework, no build step. The form works without it; with it,
   the parts that do not apply are hidden, topics follow the thematic area, and the server's own
   messages (rendered into data-msg-* attributes, in the page's language) appear before sending. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-form]");
  var summary = document.querySelector("[data-error-summary]");
  if (summary) { summary.focus(); }
  /* The browser's own copy of unsent answers (a lost connection loses nothing): kept in this
     browser only, offered back on the next visit, forgotten once the request is sent. */
  var STORE = "mieux.request-form";
  function storage() { try { return window.localStorage; } catch (e) { return null; } }
  if (document.querySelector("[data-sent]") && storage()) { storage().removeItem(STORE); }
  if (!form) { return; }

  function inputs(name) { return Array.prototype.slice.call(form.elements).filter(function (el) { return el.name === name; }); }
  function valuesOf(name) {
    return inputs(name).filter(function (el) {
      return (el.type === "radio" || el.type === "checkbox") ? el.checked : el.value.trim() !== "";
    }).map(function (el) { return el.value.trim(); });
  }
  function shown(el) { return !el.closest("[hidden]"); }

  /* Conditional parts: data-show-if="institution.type=a,b other.field=c". */
  function applyConditions() {
    form.querySelectorAll("[data-show-if]").forEach(function (el) {
      var ok = el.getAttribute("data-show-if").split(" ").every(function (rule) {
        var parts = rule.split("="), wanted = parts[1].split(",");
        return valuesOf(parts[0]).some(function (v) { return wanted.indexOf(v) >= 0; });
      });
      el.hidden = !ok;
    });
    form.querySelectorAll("[data-grouped-by]").forEach(function (el) {
      var chosen = valuesOf(el.getAttribute("data-grouped-by"))[0];
      el.querySelectorAll("[data-group]").forEach(function (option) {
        var keep = !chosen || option.getAttribute("data-group") === chosen;
        option.hidden = !keep;
        var box = option.querySelector("input");
        if (!keep && box) { box.checked = false; }
      });
    });
  }

  /* Repeated groups: extra entries stay hidden until asked for. */
  form.querySelectorAll("[data-repeat-group]").forEach(function (group) {
    var extras = Array.prototype.slice.call(group.querySelectorAll("[data-extra]"));
    if (!extras.length) { return; }
    extras.forEach(function (entry) { entry.hidden = true; });
    var add = document.createElement("button");
    add.type = "button";
    add.className = "button button-secondary";
    add.textContent = group.getAttribute("data-add-label");
    add.addEventListener("click", function () {
      var next = extras.shift();
      if (next) {
        next.hidden = false;
        var first = next.querySelector("input, select, textarea");
        if (first) { first.focus(); }
      }
      if (!extras.length) { add.hidden = true; }
    });
    group.querySelector("fieldset").appendChild(add);
  });

  /* Checks in the server's order, with the server's messages. */
  function check(field) {
    var name = field.getAttribute("data-field"), widget = field.getAttribute("data-widget");
    var values = valuesOf(name), value = values[0] || "", d = field.dataset;
    if (widget === "checkbox") { return values.length ? null : "consent-required"; }
    if (!values.length) { return d.required !== undefined ? "required" : null; }
    if (widget === "checkboxes") {
      if (d.minItems && values.length < +d.minItems) { return "too-few"; }
      if (d.maxItems && values.length > +d.maxItems) { return "too-many"; }
      return null;
    }
    if (field.getAttribute("data-input") === "number") {
      if (!/^-?[0-9]+$/.test(value)) { return "type"; }
      if (d.minimum && +value < +d.minimum) { return "too-small"; }
      if (d.maximum && +value > +d.maximum) { return "too-large"; }
      return null;
    }
    var length = Array.from(value).length;
    if (d.minLength && length < +d.minLength) { return "too-short"; }
    if (d.maxLength && length > +d.maxLength) { return "too-long"; }
    if (d.pattern && !(new RegExp(d.pattern)).test(value)) { return "pattern"; }
    return null;
  }

  function entryIsEmpty(field) {
    var entry = field.closest("[data-repeat]");
    if (!entry || entry.getAttribute("data-repeat") === "0") { return false; }
    return !Array.prototype.some.call(entry.querySelectorAll("input, select, textarea"), function (el) {
      return (el.type === "radio" || el.type === "checkbox") ? el.checked : el.value.trim() !== "";
    });
  }

  function showError(field, text) {
    var control = field.querySelector("fieldset") || field.querySelector("input, select, textarea");
    var first = field.querySelector("input, select, textarea");
    var id = first.id + "-error";
    var line = field.querySelector(".error-message");
    var described = (control.getAttribute("aria-describedby") || "").split(" ").filter(function (x) { return x && x !== id; });
    if (line) { line.remove(); }
    field.classList.toggle("form-group-error", !!text);
    field.querySelectorAll("input, select, textarea").forEach(function (el) {
      if (text) { el.setAttribute("aria-invalid", "true"); } else { el.removeAttribute("aria-invalid"); }
    });
    if (text) {
      line = document.createElement("p");
      line.className = "error-message";
      line.id = id;
      var prefix = document.createElement("span");
      prefix.className = "visually-hidden";
      prefix.textContent = form.getAttribute("data-error-prefix");
      line.appendChild(prefix);
      line.appendChild(document.createTextNode(" " + text));
      var before = field.querySelector(".choices") || first;
      before.parentNode.insertBefore(line, before);
      described.push(id);
    }
    if (described.length) { control.setAttribute("aria-describedby", described.join(" ")); } else { control.removeAttribute("aria-describedby"); }
    return first.id;
  }

  function renderSummary(errors) {
    if (!summary) {
      summary = document.createElement("div");
      summary.className = "error-summary";
      summary.setAttribute("role", "alert");
      summary.setAttribute("tabindex", "-1");
      summary.setAttribute("aria-labelledby", "error-summary-title");
      summary.setAttribute("data-error-summary", "");
      form.parentNode.insertBefore(summary, form);
    }
    summary.textContent = "";
    var title = document.createElement("h2");
    title.id = "error-summary-title";
    title.className = "error-summary-title";
    title.textContent = form.getAttribute("data-summary-title");
    var list = document.createElement("ul");
    list.className = "error-summary-list";
    errors.forEach(function (e) {
      var item = document.createElement("li"), link = document.createElement("a");
      link.href = "#" + e.id;
      link.textContent = e.text;
      item.appendChild(link);
      list.appendChild(item);
    });
    summary.appendChild(title);
    summary.appendChild(list);
    summary.focus();
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-error-summary] a");
    if (!link) { return; }
    var target = document.getElementById(link.getAttribute("href").slice(1));
    if (!target) { return; }
    event.preventDefault();
    var group = target.closest(".form-group");
    var legend = group && (group.querySelector("legend") || group.querySelector("label"));
    (legend || target).scrollIntoView();
    target.focus({ preventScroll: true });
  });

  form.addEventListener("change", applyConditions);
  applyConditions();

  /* Every answer, by field name (plumbing such as the anti-forgery token and the trap left out:
     they belong to this page, not to the answers). */
  function answers() {
    var saved = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "_csrf" || el.name === "_html" || el.name === "_action" || el.closest(".trap")) { return; }
      if ((el.type === "radio" || el.type === "checkbox") && !el.checked) { return; }
      if (el.type !== "hidden" && el.type !== "radio" && el.type !== "checkbox" && el.value === "") { return; }
      (saved[el.name] = saved[el.name] || []).push(el.value);
    });
    return saved;
  }
  function typedSomething(saved) {
    return Object.keys(saved).some(function (name) { return form.elements[name] && form.elements[name].type !== "hidden"; });
  }
  function restore(saved) {
    Array.prototype.forEach.call(form.elements, function (el) {
      var values = saved[el.name];
      if (!el.name || el.name === "_csrf" || !values) { return; }
      if (el.type === "radio" || el.type === "checkbox") { el.checked = values.indexOf(el.value) >= 0; }
      else { el.value = values[values.length - 1]; }
      var entry = el.closest("[data-extra]");
      if (entry && el.value) { entry.hidden = false; }
    });
    applyConditions();
  }
  // Only a form that offers it keeps answers in the browser (the request form; not the roster's).
  var local = form.hasAttribute("data-restore-title") ? storage() : null;
  var keeping = null;
  function keep() {
    if (!local) { return; }
    clearTimeout(keeping);
    keeping = setTimeout(function () {
      var saved = answers();
      try { if (typedSomething(saved)) { local.setItem(STORE, JSON.stringify(saved)); } } catch (e) { /* full or refused */ }
    }, 400);
  }
  var offered = local && !summary && !form.querySelector("[name=_draft]") ? local.getItem(STORE) : null;
  if (offered) {
    var kept = null;
    try { kept = JSON.parse(offered); } catch (e) { kept = null; }
    if (kept && typedSomething(kept)) {
      var offer = document.createElement("div");
      offer.className = "notice";
      offer.setAttribute("role", "region");
      offer.setAttribute("aria-label", form.getAttribute("data-restore-title"));
      offer.setAttribute("data-local-draft", "");
      var text = document.createElement("p");
      text.textContent = form.getAttribute("data-restore-text");
      var yes = document.createElement("button");
      yes.type = "button";
      yes.className = "button";
      yes.textContent = form.getAttribute("data-restore-label");
      var no = document.createElement("button");
      no.type = "button";
      no.className = "button button-secondary";
      no.textContent = form.getAttribute("data-discard-label");
      var buttons = document.createElement("div");
      buttons.className = "button-group";
      buttons.appendChild(yes);
      buttons.appendChild(no);
      offer.appendChild(text);
      offer.appendChild(buttons);
      form.parentNode.insertBefore(offer, form);
      yes.addEventListener("click", function () { restore(kept); offer.remove(); form.querySelector("input:not([type=hidden]), select, textarea").focus(); });
      no.addEventListener("click", function () { local.removeItem(STORE); offer.remove(); });
    }
  }
  form.addEventListener("input", keep);
  form.addEventListener("change", keep);

  form.addEventListener("submit", function (event) {
    if (form.getAttribute("data-sending")) { event.preventDefault(); return; }
    if (local) { var now = answers(); if (typedSomething(now)) { try { local.setItem(STORE, JSON.stringify(now)); } catch (e) { /* full */ } } }
    /* "Save and continue later" checks nothing here: the server checks what was answered. */
    if (event.submitter && event.submitter.hasAttribute("data-save")) { return; }
    var errors = [];
    form.querySelectorAll("[data-field]").forEach(function (field) {
      var code = shown(field) && !entryIsEmpty(field) ? check(field) : null;
      var text = code ? field.getAttribute("data-msg-" + code) : "";
      var id = showError(field, text);
      if (text) { errors.push({ id: id, text: text }); }
    });
    if (errors.length) {
      event.preventDefault();
      renderSummary(errors);
      return;
    }
    /* A second click while the first is on its way would only replay it (same submission id);
       not sending it at all is kinder to a slow connection. */
    form.setAttribute("data-sending", "true");
    var button = form.querySelector("[data-submit]");
    if (button) { button.setAttribute("aria-disabled", "true"); }
  });
})();
