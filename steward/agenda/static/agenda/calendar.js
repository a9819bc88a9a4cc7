/* The wealth calendar page (SVC-04): FullCalendar with month, week and day views; its entries are
   read as JSON for the visible range and the entry types ticked; a click shows the entry. */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("calendar-config").textContent);
  var element = document.getElementById("calendar");
  var boxes = Array.prototype.slice.call(document.querySelectorAll("[data-entry-type]"));
  var modal = document.getElementById("entry-modal");

  function ticked() {
    return boxes.filter(function (box) { return box.checked; }).map(function (box) { return box.value; }).join(",");
  }

  function part(name) { return modal.querySelector('[data-entry="' + name + '"]'); }

  function show(event) {
    var props = event.extendedProps;
    part("title").textContent = event.title;
    part("type").textContent = props.type_label;
    part("type").style.background = event.backgroundColor;
    var format = { month: "long", day: "numeric", year: "numeric" };
    if (!event.allDay) { format.hour = "2-digit"; format.minute = "2-digit"; }
    part("when").textContent = event.end
      ? calendar.formatRange(event.start, event.end, Object.assign({ isEndExclusive: event.allDay }, format))
      : calendar.formatDate(event.start, format);
    var customer = part("customer");
    part("customer-row").hidden = !props.customer;
    if (props.customer) { customer.textContent = props.customer.name; customer.href = props.customer.url; }
    part("text").textContent = props.text || "";
    part("state").textContent = props.state_label || "";
    var open = part("open");
    open.hidden = !props.url;
    open.href = props.url || "#";
    var form = part("act-form");
    if (form) {
      form.hidden = !props.act_url;
      form.action = props.act_url || "";
      form.elements.next.value = window.location.pathname + "?date=" + calendar.formatIso(calendar.getDate(), true);
    }
    var actions = part("actions");
    actions.textContent = "";
    (props.actions || []).forEach(function (action) {
      var link = document.createElement("a");
      link.className = "btn btn-sm btn-outline-primary";
      link.href = action.url;
      link.textContent = action.label;
      link.dataset.testid = "entry-action-" + action.key;
      actions.appendChild(link);
    });
    document.getElementById("entry-modal-open").click();
  }

  var form = modal.querySelector('[data-entry="act-form"]');
  if (form) {
    form.addEventListener("click", function (event) {
      var button = event.target.closest("button[name=action]");
      if (button) { form.elements.snooze.value = button.dataset.snooze || ""; }
    });
  }

  var calendar = new FullCalendar.Calendar(element, {
    initialView: config.initialView,
    initialDate: config.initialDate || undefined,
    locale: config.locale,
    firstDay: 1,
    height: "auto",
    navLinks: true,
    nowIndicator: true,
    dayMaxEvents: 4,
    headerToolbar: { left: "prev,next today", center: "title", right: "dayGridMonth,timeGridWeek,timeGridDay,listWeek" },
    events: {
      url: config.entriesUrl,
      extraParams: function () { return { types: ticked() }; },
      failure: function () { element.dataset.loadFailed = "1"; }
    },
    loading: function (busy) { element.dataset.loading = busy ? "1" : "0"; },
    eventClick: function (info) {
      info.jsEvent.preventDefault();
      show(info.event);
    }
  });
  calendar.render();
  boxes.forEach(function (box) { box.addEventListener("change", function () { calendar.refetchEvents(); }); });
  window.stewardCalendar = calendar;
})();
