"""The wealth calendar's pages (SVC-04): the calendar (month, week, day), its entries as JSON for
the visible range, my notes, and the private iCalendar feed."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.http import require_http_methods

from steward.access.services import has_permission
from steward.agenda import ical, services
from steward.agenda.forms import CalendarNoteForm
from steward.agenda.models import CalendarNote
from steward.agenda.permissions import CALENDAR_VIEW, NOTE_CHANGE, NOTE_VIEW
from steward.agenda.registry import calendar_registry
from steward.agenda.tables import CalendarNoteTable
from steward.core.errors import DomainError
from steward.core.views import ObjectActionView, ObjectListView, PermissionRequiredMixin, ServiceFormView

# FullCalendar's locale for each interface language.
FULLCALENDAR_LOCALES = {"zh-hans": "zh-cn", "en": "en"}
# What the feed holds: from a month back to a year ahead.
FEED_DAYS_BACK = 31
FEED_DAYS_AHEAD = 366


def feed_url(request, feed) -> str:
    token = feed.token if feed is not None else ""
    return request.build_absolute_uri(reverse("agenda:feed", args=[token])) if token else ""


class CalendarView(PermissionRequiredMixin, View):
    """The calendar page: month, week and day views of every source the user may see, a checkbox
    and a colour per entry type, an entry's details on click, and my feed's address."""

    permission = CALENDAR_VIEW

    def get(self, request):
        language = translation.get_language() or settings.LANGUAGE_CODE
        sources = calendar_registry.sources_for(request.user)
        feed = services.feed_of(request.user)
        context = {
            "title": gettext_lazy("Calendar"),
            "sources": [{"source": source, "types": source.types} for source in sources],
            "entries_url": reverse("agenda:entries"),
            "locale": FULLCALENDAR_LOCALES.get(language.lower(), "en"),
            "feed_url": feed_url(request, feed),
            "can_act": has_permission(request.user, "holdings.reminder:act"),
            "can_add_note": has_permission(request.user, NOTE_CHANGE),
            "can_see_notes": has_permission(request.user, NOTE_VIEW),
        }
        context["calendar_config"] = {
            "entriesUrl": context["entries_url"],
            "locale": context["locale"],
            "initialDate": _initial_date(request),
            "initialView": "dayGridMonth",
        }
        return TemplateResponse(request, "agenda/calendar.html", context)


def _initial_date(request) -> str:
    try:
        day = parse_date(request.GET.get("date", "")[:10])
    except ValueError:
        day = None
    return day.isoformat() if day and 1900 <= day.year <= 2200 else ""


class EntriesView(PermissionRequiredMixin, View):
    """GET ?start=&end=[&types=a,b]: the calendar's entries in the range, as FullCalendar events."""

    permission = CALENDAR_VIEW
    http_method_names = ["get", "head", "options"]

    def get(self, request):
        try:
            start, end = services.calendar_range(request.GET.get("start", ""), request.GET.get("end", ""))
        except DomainError as error:
            return JsonResponse({error.field or "detail": [str(error.message)]}, status=400)
        types = services.parse_types(request.GET.getlist("types") if "types" in request.GET else None)
        found = services.calendar_entries(request.user, start, end, types)
        return JsonResponse(services.entries_json(found), safe=False)


class NoteListView(ObjectListView):
    """My calendar notes (nobody else's)."""

    model = CalendarNote
    permission = NOTE_VIEW
    table_class = CalendarNoteTable
    select_related = ("customer",)
    title = gettext_lazy("My calendar notes")
    add_url_name = "agenda:note_add"
    add_permission = NOTE_CHANGE


class NoteFormView(ServiceFormView):
    """Write a note in my calendar (?date=YYYY-MM-DD starts it on that day), or change one of mine."""

    model = CalendarNote
    permission = NOTE_CHANGE
    form_class = CalendarNoteForm
    title = gettext_lazy("New calendar note")
    template_name = "agenda/note_form.html"
    success_message = gettext_lazy("The note is in your calendar.")
    select_related = ("customer",)

    def get_form(self, data=None, instance=None):
        day = None
        if data is None and instance is None:
            try:
                day = parse_date(self.request.GET.get("date", "")[:10])
            except ValueError:
                day = None
            if day is not None and not (1900 <= day.year <= 2200):
                day = None
        return self.form_class(data=data, instance=instance, user=self.request.user, day=day)

    def extra_context(self, instance):
        if instance is None:
            return {}
        return {"delete_url": reverse("agenda:note_delete", args=[instance.pk])}

    def perform(self, form, instance):
        note = form.instance
        number = (form.cleaned_data.get("customer_number") or "").strip()
        note.customer = None
        if number:
            from steward.customers.models import Customer

            customer = Customer.objects.visible_to(self.request.user, services.CUSTOMER_PERMISSION).filter(cif=number)
            note.customer = customer.first()
            if note.customer is None:
                raise DomainError(_("No customer with this number in your data scope."), "customer_number")
        return services.save_note(self.request.user, note)

    def success_url(self, obj):
        day = timezone.localtime(obj.starts_at).date()
        return reverse("agenda:calendar") + f"?date={day.isoformat()}"


class NoteDeleteView(ObjectActionView):
    model = CalendarNote
    permission = NOTE_CHANGE

    def post(self, request, *args, **kwargs):
        note = self.get_object()
        services.delete_note(request.user, note)
        messages.success(request, _("The note was deleted."))
        return HttpResponseRedirect(reverse("agenda:calendar"))


class FeedResetView(PermissionRequiredMixin, View):
    """POST: a new private address for my calendar feed; the old one stops working."""

    permission = CALENDAR_VIEW
    http_method_names = ["post"]

    def post(self, request):
        services.reset_feed(request.user)
        messages.success(request, _("Your calendar feed has a new address; the old one no longer works."))
        return HttpResponseRedirect(reverse("agenda:calendar"))


def _feed_event(source, entry, request) -> dict:
    label = next((str(t.label) for t in source.types if t.key == entry.type), "")
    parts = [entry.text, entry.customer_name]
    start, end = entry.start, entry.end
    return {
        "uid": f"{entry.id}@{request.get_host().split(':')[0] or 'steward'}",
        "summary": entry.title,
        "start": start,
        "end": end,
        "description": "\n".join(part for part in parts if part),
        "categories": label,
        "url": request.build_absolute_uri(entry.url) if entry.url else "",
    }


@require_http_methods(["GET", "HEAD"])
def feed(request, token: str):
    """The user's calendar as iCalendar (read-only, no session): the entries of every source they
    may see, from a month back to a year ahead, in their language. An unknown token is a 404."""
    user = services.feed_owner(token)
    if user is None:
        raise Http404("No such calendar.")
    now = timezone.now()
    today = timezone.localdate(now)
    start = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=FEED_DAYS_BACK), dt.time(0)))
    end = timezone.make_aware(dt.datetime.combine(today + dt.timedelta(days=FEED_DAYS_AHEAD), dt.time(0)))
    with translation.override(user.language or settings.LANGUAGE_CODE):
        events = [
            _feed_event(source, entry, request) for source, entry, _a in calendar_registry.entries(user, start, end)
        ]
        name = _("Steward calendar · %(name)s") % {"name": user.name}
        text = ical.build_calendar(name, events, now=now)
    response = HttpResponse(text, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="steward.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response
