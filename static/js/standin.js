// Behaviour shared by the pages (no inline scripts: the CSP allows only files from our origin).
// Every feature is an enhancement: without JavaScript the forms still submit and validate.
(function () {
  "use strict";

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  // htmx requests carry the CSRF token as a header as well (forms also post it as a field).
  document.addEventListener("htmx:configRequest", function (event) {
    event.detail.headers["X-CSRFToken"] = csrfToken();
  });

  // A row replaced in place (enable/disable a rule) gets the keyboard focus back on its button.
  var swappedRow = null;
  document.addEventListener("htmx:beforeRequest", function (event) {
    var row = event.detail.elt.closest("tr[id]");
    swappedRow = row ? row.id : null;
  });
  document.addEventListener("htmx:afterSettle", function () {
    if (!swappedRow) { return; }
    var button = document.querySelector("#" + CSS.escape(swappedRow) + " form button");
    if (button) { button.focus(); }
    swappedRow = null;
  });

  // Show only the inputs that apply: date or date-time bounds, the free RRULE, a rule's window and coverer.
  function toggle(selector, shown, root) {
    root.querySelectorAll(selector).forEach(function (el) {
      el.hidden = !shown;
      el.querySelectorAll("input, select, textarea").forEach(function (input) { input.disabled = !shown; });
    });
  }

  function setUpAbsenceForm(form) {
    var allDay = form.querySelector("[name=all_day]");
    var repeats = form.querySelector("[name=repeats]");
    var rrule = form.querySelector("#rrule-field");
    function update() {
      toggle("[data-when=all-day]", allDay.checked, form);
      toggle("[data-when=timed]", !allDay.checked, form);
      if (rrule) { rrule.hidden = repeats.value !== "custom"; rrule.querySelector("input").disabled = rrule.hidden; }
    }
    allDay.addEventListener("change", update);
    repeats.addEventListener("change", update);
    update();
    setUpPreview(form);
  }

  function setUpRuleForm(form) {
    var kind = form.querySelector("[name=kind]");
    var action = form.querySelector("[name=action]");
    function update() {
      toggle("[data-when=one_time]", kind.value === "one_time", form);
      toggle(".when-reassign", action.value === "reassign", form);
    }
    kind.addEventListener("change", update);
    action.addEventListener("change", update);
    update();
  }

  // Live preview of the auto-reply with its placeholders filled in (as text, never as HTML).
  function setUpPreview(form) {
    var box = form.querySelector("[data-message-preview]");
    if (!box) { return; }
    var output = box.querySelector("output");
    var message = form.querySelector("[name=message]");
    var coverer = form.querySelector("[name=coverer]");
    function until() {
      var allDay = form.querySelector("[name=all_day]").checked;
      var value = form.querySelector(allDay ? "[name=end_date]" : "[name=end]").value;
      if (!value) { return "(your return)"; }
      var date = new Date(allDay ? value + "T00:00" : value);
      if (allDay) { date.setDate(date.getDate() + 1); }
      var options = { weekday: "short", day: "numeric", month: "short", year: "numeric" };
      if (!allDay) { options.hour = "2-digit"; options.minute = "2-digit"; }
      return date.toLocaleString(undefined, options);
    }
    function covererName() {
      var option = document.querySelector("#people-directory option[value='" + CSS.escape(coverer.value) + "']");
      return option ? option.dataset.name : coverer.value || "(nobody)";
    }
    function update() {
      var text = message.value.replace(/\{(user|coverer|until)\}/g, function (_match, name) {
        return name === "user" ? box.dataset.userName : name === "coverer" ? covererName() : until();
      });
      output.textContent = text;
      box.hidden = !message.value.trim();
    }
    form.addEventListener("input", update);
    form.addEventListener("change", update);
    update();
  }

  // Coverer picker: suggestions from the people directory API (the session authenticates it).
  function setUpPeopleSearch(input) {
    var list = document.getElementById(input.getAttribute("list"));
    var timer = null;
    var lastQuery = null;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var query = input.value.trim();
        if (query.length < 2 || query === lastQuery) { return; }
        lastQuery = query;
        fetch("/api/v1/users/?page_size=10&search=" + encodeURIComponent(query), {
          headers: { Accept: "application/json" },
          credentials: "same-origin",
        })
          .then(function (response) { return response.ok ? response.json() : { results: [] }; })
          .then(function (data) {
            list.replaceChildren();
            data.results.forEach(function (person) {
              var option = document.createElement("option");
              option.value = person.username;
              option.label = person.name + (person.email ? " <" + person.email + ">" : "");
              option.dataset.name = person.name;
              list.appendChild(option);
            });
          });
      }, 200);
    });
  }

  // Copy buttons (new token, feed URL).
  function setUpCopy(button) {
    button.addEventListener("click", function () {
      var source = document.getElementById(button.dataset.copy);
      var status = document.querySelector("[data-copy-status]");
      source.select();
      var done = function () { button.textContent = "Copied"; if (status) { status.textContent = "Copied to the clipboard."; } };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(source.value).then(done, function () { document.execCommand("copy"); done(); });
      } else {
        document.execCommand("copy");
        done();
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-absence-form]").forEach(setUpAbsenceForm);
    document.querySelectorAll("[data-rule-form]").forEach(setUpRuleForm);
    document.querySelectorAll("[data-people-search]").forEach(setUpPeopleSearch);
    document.querySelectorAll("[data-copy]").forEach(setUpCopy);
  });
})();
