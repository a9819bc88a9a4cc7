/* The task calendar (TASK-05): FullCalendar by month, week and day; each day of the chosen person
   is read as JSON for the visible range — a background colour by the day's state and one entry per
   measure, "done / quota". */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("task-calendar-config").textContent);
  var element = document.getElementById("task-calendar");
  if (!element) { return; }
  var calendar = new FullCalendar.Calendar(element, {
    initialView: "dayGridMonth",
    initialDate: config.initialDate || undefined,
    locale: config.locale,
    firstDay: 1,
    height: "auto",
    navLinks: true,
    headerToolbar: { left: "prev,next today", center: "title", right: "dayGridMonth,dayGridWeek,dayGridDay" },
    events: {
      url: config.daysUrl,
      extraParams: function () { return { employee: config.employee }; },
      failure: function () { element.dataset.loadFailed = "1"; }
    },
    loading: function (busy) { element.dataset.loading = busy ? "1" : "0"; }
  });
  calendar.render();
  window.stewardTaskCalendar = calendar;
})();
