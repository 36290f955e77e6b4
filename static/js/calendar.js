// The team calendar: FullCalendar fed by POST /api/v1/events/search/ with the session and the
// CSRF header. Titles are set as text by FullCalendar (never HTML), so user text stays escaped.
(function () {
  "use strict";

  document.addEventListener("DOMContentLoaded", function () {
    var el = document.getElementById("calendar");
    if (!el || !window.FullCalendar) { return; }
    var teamSelect = document.querySelector("[data-calendar-team]");
    var errorBox = document.getElementById("calendar-error");
    var csrf = document.querySelector("input[name=csrfmiddlewaretoken]").value;
    var phone = window.matchMedia("(max-width: 640px)");
    var narrow = phone.matches;
    var wideToolbar = { left: "prev,next today", center: "title", right: "dayGridMonth,timeGridWeek,listWeek" };
    var narrowToolbar = { left: "prev,next", center: "title", right: "dayGridMonth,listWeek" };

    function members() {
      var option = teamSelect.selectedOptions[0];
      if (!option || !option.dataset.members) { return null; }
      return option.dataset.members.split(",").filter(Boolean).map(Number);
    }

    function toEvent(row) {
      var name = row.user ? row.user.name + ": " : "";
      return {
        id: row.id,
        title: name + row.title,
        start: row.start_at,
        end: row.end_at,
        allDay: row.all_day,
        backgroundColor: row.color,
        borderColor: row.color,
        classNames: ["kind-" + row.kind, "type-" + row.type],
        extendedProps: { kind: row.kind, type: row.type },
      };
    }

    function load(info, success, failure) {
      var body = { start_ms: info.start.valueOf(), end_ms: info.end.valueOf(), include_holidays: true };
      var users = members();
      if (users) { body.users = users; }
      fetch(el.dataset.searchUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrf },
        body: JSON.stringify(body),
      })
        .then(function (response) {
          if (!response.ok) { throw new Error("The calendar could not be loaded (" + response.status + ")."); }
          return response.json();
        })
        .then(function (data) {
          errorBox.hidden = true;
          success(data.events.map(toEvent));
        })
        .catch(function (error) {
          errorBox.textContent = error.message;
          errorBox.hidden = false;
          failure(error);
        });
    }

    var calendar = new FullCalendar.Calendar(el, {
      initialView: narrow ? "listWeek" : "dayGridMonth",
      firstDay: 1,
      height: "auto",
      headerToolbar: narrow ? narrowToolbar : wideToolbar,
      buttonText: { today: "Today", month: "Month", week: "Week", list: "List" },
      events: load,
      eventDidMount: function (info) {
        info.el.setAttribute("title", info.event.title);
      },
    });
    calendar.render();
    // A phone shows the week as a list (a month grid is unreadable that narrow); follow rotations.
    phone.addEventListener("change", function (event) {
      calendar.setOption("headerToolbar", event.matches ? narrowToolbar : wideToolbar);
      calendar.changeView(event.matches ? "listWeek" : "dayGridMonth");
    });
    teamSelect.addEventListener("change", function () { calendar.refetchEvents(); });
  });
})();
