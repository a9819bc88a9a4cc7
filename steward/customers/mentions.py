"""Teamwork on customer notes — SVC-12.

Co-managers (协管) of a customer share its public notes: whoever writes a public note tells the
customer's owner and co-managers (the author excepted). A note may @mention colleagues by
employee number — ``@NRM2`` — which works the same in Chinese and English text (``请@NRM2跟进``):
an employee number is ASCII, so the mention ends where the number does. A mentioned colleague
is told, with a link to the note, but only a colleague who may see the customer can be
mentioned; a private note is its author's alone and mentions nobody.

Everybody is told through the notices app's one notification path, inside the transaction that
writes the note, so a refused note tells nobody.
"""

from __future__ import annotations

import re

from django.db.models import Q
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from steward.core.errors import DomainError
from steward.customers.models import CoManager, Customer, CustomerNote, NoteMention
from steward.customers.permissions import VIEW
from steward.notices.services import notify, register_notification_kind
from steward.org.models import Employee

# "@" then an employee number; not inside a word or an e-mail address (ASCII letters, digits,
# "_", "@" or "." just before the "@"). Chinese characters may stand right before or after it.
MENTION_PATTERN = re.compile(r"(?<![A-Za-z0-9_@.])@([A-Za-z0-9](?:[A-Za-z0-9_.\-]*[A-Za-z0-9])?)")
MAX_MENTIONS = 10
CANDIDATES = 8
NOTIFIED_TEXT = 80

NOTE_SHARED = "customers.note_shared"
NOTE_MENTION = "customers.note_mention"

register_notification_kind(NOTE_SHARED, gettext_lazy("%(author)s wrote a note on %(customer)s: “%(text)s”"))
register_notification_kind(NOTE_MENTION, gettext_lazy("%(author)s mentioned you in a note on %(customer)s: “%(text)s”"))


def mentioned_numbers(body: str) -> list[str]:
    """The employee numbers @mentioned in `body`, each once, in order of appearance."""
    seen: dict[str, str] = {}
    for match in MENTION_PATTERN.finditer(body or ""):
        seen.setdefault(match.group(1).upper(), match.group(1))
    return list(seen.values())


def may_see(user, customer: Customer) -> bool:
    """Whether `user` may see `customer` (data scope and confidentiality)."""
    return Customer.objects.visible_to(user, VIEW).filter(pk=customer.pk).exists()


def resolve_mentions(customer: Customer, body: str, *, private: bool) -> list[Employee]:
    """The colleagues `body` mentions, checked: a private note mentions nobody, every number
    belongs to an active colleague, and every one of them may see the customer. Refused with a
    message naming the numbers or colleagues at fault."""
    numbers = mentioned_numbers(body)
    if not numbers:
        return []
    shown = ", ".join(f"@{number}" for number in numbers)
    if private:
        raise DomainError(
            _(
                "A private note is yours alone and cannot mention colleagues (%(mentions)s): remove the mentions or make the note public."
            )
            % {"mentions": shown},
            field="body",
        )
    if len(numbers) > MAX_MENTIONS:
        raise DomainError(_("A note may mention at most %(count)d colleagues.") % {"count": MAX_MENTIONS}, field="body")
    condition = Q(pk__in=[])
    for number in numbers:
        condition |= Q(employee_no__iexact=number)
    found = {employee.employee_no.upper(): employee for employee in Employee.objects.filter(condition)}
    unknown = [f"@{number}" for number in numbers if number.upper() not in found]
    if unknown:
        raise DomainError(
            _("No colleague has the employee number %(mentions)s; mention colleagues as @ and their employee number.")
            % {"mentions": ", ".join(unknown)},
            field="body",
        )
    people = [found[number.upper()] for number in numbers]
    blind = [person for person in people if not person.is_active or not may_see(person, customer)]
    if blind:
        names = ", ".join(f"{person.name} (@{person.employee_no})" for person in blind)
        raise DomainError(
            _("%(names)s cannot see this customer and so cannot be mentioned in its notes.") % {"names": names},
            field="body",
        )
    return people


def note_url(note: CustomerNote) -> str:
    return reverse("customers:customer_detail", args=[note.customer_id]) + f"?tab=notes#note-{note.pk}"


def _excerpt(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= NOTIFIED_TEXT else text[: NOTIFIED_TEXT - 1] + "…"


def share_note(note: CustomerNote, mentioned: list[Employee], now=None) -> None:
    """Record the note's mentions and tell who should know: the mentioned colleagues, and the
    customer's owner and co-managers who may see it (a public note only; never its author)."""
    if note.is_private:
        return
    NoteMention.objects.bulk_create([NoteMention(note=note, user=person) for person in mentioned])
    customer = note.customer
    values = {"author": note.author.name, "customer": customer.name, "text": _excerpt(note.body)}
    url = note_url(note)
    mentioned_ids = {person.pk for person in mentioned} - {note.author_id}
    notify(mentioned_ids, NOTE_MENTION, values=values, url=url, now=now)
    team = set(CoManager.objects.filter(customer=customer).values_list("user_id", flat=True))
    if customer.owner_id:
        team.add(customer.owner_id)
    team -= mentioned_ids | {note.author_id}
    if team:
        colleagues = Employee.objects.filter(pk__in=team, is_active=True)
        notify(
            [person for person in colleagues if may_see(person, customer)], NOTE_SHARED, values=values, url=url, now=now
        )


def render_note(note: CustomerNote) -> SafeString:
    """The note's text as HTML: escaped, line breaks kept, its recorded mentions as highlighted
    names (an @ that mentions nobody stays plain text). Reads `note.mentions` (prefetch it)."""
    names = {mention.user.employee_no.upper(): mention.user for mention in note.mentions.all()}
    parts, last = [], 0
    body = note.body
    for match in MENTION_PATTERN.finditer(body):
        person = names.get(match.group(1).upper())
        if person is None:
            continue
        parts.append(escape(body[last : match.start()]))
        parts.append(
            format_html(
                '<span class="badge bg-azure-lt mention" data-testid="mention" title="{}">@{}</span>',
                person.employee_no,
                person.name,
            )
        )
        last = match.end()
    parts.append(escape(body[last:]))
    return mark_safe("".join(str(part) for part in parts).replace("\r\n", "\n").replace("\n", "<br>"))


def mention_candidates(user, customer: Customer, query: str = "") -> list[Employee]:
    """Colleagues `user` may mention in a note on `customer`: active, able to see it. With a
    query, those whose employee number starts with it or whose name contains it; without, the
    customer's owner, co-managers and the colleagues of its org. At most CANDIDATES."""
    if not may_see(user, customer):
        return []
    query = (query or "").strip().lstrip("@")[:50]
    people = Employee.objects.filter(is_active=True).exclude(pk=user.pk)
    if query:
        people = people.filter(Q(employee_no__istartswith=query) | Q(name__icontains=query))
    else:
        co_managers = CoManager.objects.filter(customer=customer).values("user_id")
        people = people.filter(Q(pk=customer.owner_id) | Q(pk__in=co_managers) | Q(org_id=customer.org_id))
    found = []
    for person in people.order_by("employee_no")[: CANDIDATES * 3]:
        if may_see(person, customer):
            found.append(person)
            if len(found) == CANDIDATES:
                break
    return found
