"""The agent workspace: queues, the ticket page, the phone-call form, and file downloads."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from urllib.parse import quote, urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from helpline.accounts import services as account_services
from helpline.accounts.choices import STAFF_ROLES, Role
from helpline.accounts.models import Team, User
from helpline.accounts.selectors import search_users
from helpline.core.problems import NotFound, ServiceError
from helpline.tickets import selectors, services
from helpline.tickets.attachments import IncomingFile
from helpline.tickets.choices import Channel, MessageKind, Priority, Status
from helpline.tickets.forms import (
    AssignForm,
    BulkActionForm,
    EscalateForm,
    LinkForm,
    ListFilterForm,
    MergeForm,
    NewTicketForm,
    PriorityForm,
    PropertiesForm,
    ReplyForm,
    markdown_to_html,
)
from helpline.tickets.models import Category, SatisfactionRating, Ticket, TicketLink
from helpline.tickets.queues import (
    BREACH_WINDOW,
    COUNT_CAP,
    QUEUE_KEYS,
    QUEUES,
    cached_queue_counts,
    queue_tickets,
)
from helpline.tickets.timeline import build_timeline

PAGE_SIZE = 25
SHORT_DATE = "j M, H:i"
MAX_PAGE = 10_000


def attachment_download(user, attachment_id: int) -> FileResponse:
    """Stream a file the user may see, always as a download and never sniffed as HTML."""
    attachment = selectors.get_attachment(user, attachment_id)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise NotFound("The file is missing from storage.") from exc
    response = FileResponse(handle, content_type=attachment.content_type)
    ascii_name = (
        attachment.filename.encode("ascii", "replace").decode().replace('"', "_").replace("?", "_")
    )
    response["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(attachment.filename)}"
    )
    response["Content-Length"] = str(attachment.size)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


def download(request: HttpRequest, attachment_id: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect(f"{reverse('login')}?next={request.path}")
    try:
        return attachment_download(request.user, attachment_id)
    except NotFound as exc:
        raise Http404(str(exc)) from exc


# --- helpers -----------------------------------------------------------------------


def agent_required(view: Callable) -> Callable:
    """Signed-in agents only: anonymous users go to sign-in, requesters get 403."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect(f"{reverse('login')}?next={quote(request.get_full_path())}")
        if not request.user.is_agent:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


ERROR_MESSAGES = {
    "reason-required": gettext_lazy("Give a reason for this change."),
    "invalid-transition": gettext_lazy(
        "The ticket cannot move to that status from its current one."
    ),
    "ticket-closed": gettext_lazy("This ticket is closed; closed tickets are final."),
    "merge-self": gettext_lazy("A ticket cannot be merged into itself."),
    "link-self": gettext_lazy("A ticket cannot be linked to itself."),
    "already-merged": gettext_lazy("This ticket is already merged."),
    "empty-message": gettext_lazy("The message is empty."),
    "not-found": gettext_lazy("No such ticket."),
    "forbidden": gettext_lazy("You may not do this."),
    "attachment-too-large": gettext_lazy("A file is larger than the upload limit."),
    "duplicate-email": gettext_lazy("A user with this e-mail already exists."),
    "invalid-custom-fields": gettext_lazy("Some fields are not filled in correctly."),
    "not-solved": gettext_lazy("Only solved tickets can be rated."),
}


def error_text(exc: ServiceError) -> str:
    """A service refusal in the user's language (service details are English, for logs/API)."""
    return str(
        ERROR_MESSAGES.get(exc.code) or _("The change was refused (%(code)s).") % {"code": exc.code}
    )


def incoming_files(request: HttpRequest) -> list[IncomingFile]:
    return [
        IncomingFile(filename=f.name, content=f.read(), content_type=f.content_type or "")
        for f in request.FILES.getlist("attachments")
    ]


def _ticket_or_404(user: User, number: int) -> Ticket:
    try:
        return selectors.get_ticket_by_number(user, number)
    except NotFound as exc:
        raise Http404(str(exc)) from exc


def category_choices() -> list[tuple[int, str]]:
    """Active categories as (id, name in the current language)."""
    language = get_language()
    return [
        (category.pk, category.localized_name(language))
        for category in Category.objects.filter(is_active=True)
    ]


def _agents():
    return User.objects.filter(role__in=STAFF_ROLES, is_active=True).order_by("full_name", "email")


# --- workspace ---------------------------------------------------------------------


def _queue_key(request: HttpRequest) -> str:
    key = request.GET.get("queue", "mine")
    return key if key in QUEUE_KEYS else "mine"


@dataclass(frozen=True)
class ListPage:
    """One page of a queue, without a total: a COUNT over the whole queue would cost more
    than the page itself on a large desk, and "previous / next" needs only one extra row."""

    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1


def _page_number(request: HttpRequest) -> int:
    raw = request.GET.get("page", "")
    return min(int(raw), MAX_PAGE) if raw.isdigit() and int(raw) >= 1 else 1


def _filtered_tickets(user: User, key: str, form: ListFilterForm):
    tickets = queue_tickets(user, key).for_list()
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            text = data["q"].strip().lstrip("#")
            match = Q(subject__icontains=text)
            if text.isdigit():
                match |= Q(number=int(text))
            tickets = tickets.filter(match)
        if data["status"]:
            tickets = tickets.filter(status=data["status"])
        if data["priority"]:
            tickets = tickets.filter(priority=data["priority"])
        if data["team"]:
            tickets = tickets.filter(team_id=data["team"])
    default_order = ["-updated_at", "-id"] if key == "recent" else ["-id"]
    return tickets.order_by(*form.sort_order(default_order))


def _prepare_rows(rows: list[Ticket]) -> None:
    """Display values computed once in Python, so the row template is plain lookups."""
    now = timezone.now()
    soon = now + BREACH_WINDOW
    statuses, priorities = dict(Status.choices), dict(Priority.choices)
    select = _("Select ticket %(number)s")
    for ticket in rows:
        active = ticket.is_active
        due = ticket.due_at
        ticket.url = reverse("tickets:detail", args=[ticket.number])
        ticket.status_label = statuses.get(ticket.status, ticket.status)
        ticket.priority_label = priorities.get(ticket.priority, ticket.priority)
        # Red when overdue, amber when due within the breach window.
        ticket.due_class = (
            ("overdue" if due < now else "due-soon" if due <= soon else "")
            if active and due
            else ""
        )
        ticket.tag_names = [tag.name for tag in ticket.tags.all()]
        ticket.select_label = select % {"number": ticket.number}
        ticket.due_iso = dateformat.format(due.astimezone(dt.UTC), "c") if due else ""
        ticket.due_text = dateformat.format(timezone.localtime(due), SHORT_DATE) if due else ""
        updated = ticket.updated_at
        ticket.updated_iso = dateformat.format(updated.astimezone(dt.UTC), "c")
        ticket.updated_text = dateformat.format(timezone.localtime(updated), SHORT_DATE)


def _list_context(request: HttpRequest) -> dict:
    key = _queue_key(request)
    form = ListFilterForm(request.GET or None)
    tickets = _filtered_tickets(request.user, key, form)
    number = _page_number(request)
    offset = (number - 1) * PAGE_SIZE
    rows = list(tickets[offset : offset + PAGE_SIZE + 1])
    page = ListPage(number=number, has_next=len(rows) > PAGE_SIZE)
    rows = rows[:PAGE_SIZE]
    _prepare_rows(rows)
    # The links add queue and page themselves.
    params = {k: v for k, v in request.GET.items() if k not in ("queue", "page", "partial") and v}
    sort = params.get("sort", "")
    query_without_sort = urlencode({k: v for k, v in params.items() if k != "sort"})
    return {
        "queue": key,
        "queue_label": dict(QUEUES)[key],
        "page": page,
        "tickets": rows,
        "filter_form": form,
        "query": urlencode(params),
        "query_without_sort": query_without_sort,
        "sort_headers": _sort_headers(key, sort, query_without_sort),
        "sort": sort,
        "statuses": Status.choices,
        "priorities": Priority.choices,
    }


def _queue_rows(user: User) -> list[tuple[str, str, int, str]]:
    """(key, label, count, count as shown): counts above the cap show as "99+"."""
    counts = cached_queue_counts(user)
    return [
        (key, label, counts[key], f"{COUNT_CAP}+" if counts[key] > COUNT_CAP else str(counts[key]))
        for key, label in QUEUES
    ]


SORT_COLUMNS = [
    ("number", gettext_lazy("No.")),
    ("subject", gettext_lazy("Subject")),
    ("requester", gettext_lazy("Requester")),
    ("status", gettext_lazy("Status")),
    ("priority", gettext_lazy("Priority")),
    ("assignee", gettext_lazy("Assignee")),
    ("due", gettext_lazy("Due")),
    ("updated", gettext_lazy("Updated")),
]


def _sort_headers(queue: str, sort: str, query_without_sort: str) -> list[dict]:
    """The list's column headers: each links to sorting by it (again: the other way)."""
    base = f"?queue={queue}" + (f"&{query_without_sort}" if query_without_sort else "")
    headers = []
    for key, label in SORT_COLUMNS:
        direction = "ascending" if sort == key else "descending" if sort == f"-{key}" else ""
        headers.append(
            {
                "label": label,
                "href": f"{base}&sort={'-' if sort == key else ''}{key}",
                "aria_sort": direction,
                "arrow": {"ascending": " ▲", "descending": " ▼"}.get(direction, ""),
            }
        )
    return headers


@agent_required
def workspace(request: HttpRequest) -> HttpResponse:
    context = _list_context(request)
    context.update(
        {
            "queue_rows": _queue_rows(request.user),
            "saved_filters": list(request.user.saved_filters.all()),
            "filter_keys": [k for k in FILTER_KEYS if k != "queue"],
            "teams": list(Team.objects.all()),
            "agents": list(_agents()),
            "bulk_actions": BulkActionForm.ACTIONS,
        }
    )
    return render(request, "tickets/workspace.html", context)


@agent_required
def ticket_list(request: HttpRequest) -> HttpResponse:
    return render(request, "tickets/_list.html", _list_context(request))


@agent_required
def counts(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "tickets/_queues.html",
        {"queue_rows": _queue_rows(request.user), "queue": _queue_key(request)},
    )


@agent_required
@require_POST
def bulk(request: HttpRequest) -> HttpResponse:
    ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit()]
    form = BulkActionForm(request.POST, ticket_ids=ids)
    back = request.POST.get("next") or reverse("tickets:workspace")
    if not form.is_valid():
        messages.error(request, _("Choose tickets and an action."))
        return redirect(back)
    data = form.cleaned_data
    tickets = list(Ticket.objects.visible_to(request.user).filter(pk__in=data["ids"]))
    done, failed = 0, 0
    for ticket in tickets:
        try:
            _bulk_apply(request.user, ticket, data)
            done += 1
        except ServiceError as exc:
            failed += 1
            messages.error(request, f"#{ticket.number}: {error_text(exc)}")
    if done:
        messages.success(
            request,
            ngettext("%(count)d ticket changed.", "%(count)d tickets changed.", done)
            % {"count": done},
        )
    return redirect(back)


def _bulk_apply(actor: User, ticket: Ticket, data: dict) -> None:
    action, reason = data["action"], data.get("reason") or ""
    if action == "assign":
        assignee = None
        if data.get("assignee"):
            assignee = _agents().filter(pk=data["assignee"]).first()
        services.assign_ticket(actor, ticket, assignee=assignee, reason=reason, source="web")
    elif action == "status" and data.get("status"):
        services.change_status(actor, ticket, data["status"], reason=reason, source="web")
    elif action == "priority" and data.get("priority"):
        services.update_ticket(
            actor,
            ticket,
            {"priority": data["priority"], "priority_reason": reason},
            reason=reason,
            source="web",
        )
    elif action == "tag" and data.get("tag"):
        names = [*ticket.tags.values_list("name", flat=True), data["tag"]]
        services.update_ticket(actor, ticket, {"tags": names}, source="web")
    elif action == "merge" and data.get("merge_into"):
        target = Ticket.objects.visible_to(actor).filter(number=data["merge_into"]).first()
        if target is None:
            raise NotFound("No such ticket.")
        if target.pk != ticket.pk:
            services.merge_tickets(actor, ticket, target, reason=reason)
    else:
        raise ServiceError("Incomplete bulk action.", code="reason-required")


# --- the ticket page ---------------------------------------------------------------


def _reply_form_initial(ticket: Ticket) -> dict:
    return {
        "seen_updated_at": ticket.updated_at.isoformat(),
        "seen_count": ticket.message_count,
        "kind": MessageKind.REPLY,
    }


LONG_DATE = "j M Y, H:i"


def _prepare_timeline(ticket: Ticket, entries: list) -> None:
    """Display values of each entry computed once in Python: a 50-message timeline then
    renders as plain lookups instead of tens of filters, translations and URL reversals."""
    channels = dict(Channel.choices)
    unknown, via = _("Unknown sender"), _("via %(channel)s")
    for entry in entries:
        entry.at_iso = dateformat.format(entry.at.astimezone(dt.UTC), "c")
        entry.at_text = dateformat.format(timezone.localtime(entry.at), LONG_DATE)
        if entry.kind != "message":
            entry.who = entry.event.actor or "Helpline"
            continue
        message = entry.message
        entry.internal = message.is_internal
        entry.who = message.author or unknown
        if entry.internal:
            entry.css = "msg-note"
        elif message.author_id == ticket.requester_id:
            entry.css = "msg-requester"
        else:
            entry.css = "msg-agent"
        entry.via = via % {"channel": channels.get(message.channel, message.channel)}
        minutes = message.time_spent_minutes
        entry.spent = (
            ngettext("%(minutes)s minute", "%(minutes)s minutes", minutes) % {"minutes": minutes}
            if minutes
            else ""
        )
        entry.attachments = [
            {
                "url": f"{download}{a.pk}/",
                "filename": a.filename,
                "size_text": filesizeformat(a.size),
            }
            for a in message.attachments.all()
        ]


def _ticket_context(
    request: HttpRequest, ticket: Ticket, reply_form: ReplyForm | None = None
) -> dict:
    user = request.user
    timeline, time_by_agent = build_timeline(user, ticket)
    _prepare_timeline(ticket, timeline)
    other_tickets = (
        Ticket.objects.visible_to(user)
        .filter(requester_id=ticket.requester_id)
        .exclude(pk=ticket.pk)
        .order_by("-id")[:5]
    )
    links = TicketLink.objects.filter(Q(source=ticket) | Q(target=ticket)).select_related(
        "source", "target"
    )
    return {
        "ticket": ticket,
        "timeline": timeline,
        "may_split": _may_split(user, ticket),
        "time_by_agent": time_by_agent,
        "time_total": sum(time_by_agent.values()),
        "other_tickets": other_tickets,
        "links": links,
        "rating": SatisfactionRating.objects.filter(ticket=ticket).first(),
        "reply_form": reply_form or ReplyForm(initial=_reply_form_initial(ticket)),
        "agents": _agents(),
        "teams": Team.objects.all(),
        "categories": category_choices(),
        "statuses": Status.choices,
        "priorities": Priority.choices,
        "escalate_form": EscalateForm(),
        "link_form": LinkForm(),
        "priority_form": PriorityForm(initial={"priority": ticket.priority}),
        "merge_form": MergeForm(),
    }


@agent_required
def ticket_detail(request: HttpRequest, number: int) -> HttpResponse:
    ticket = _ticket_or_404(request.user, number)
    return render(request, "tickets/detail.html", _ticket_context(request, ticket))


@agent_required
def ticket_timeline(request: HttpRequest, number: int) -> HttpResponse:
    ticket = _ticket_or_404(request.user, number)
    timeline, _time = build_timeline(request.user, ticket)
    _prepare_timeline(ticket, timeline)
    return render(
        request,
        "tickets/_timeline.html",
        {"ticket": ticket, "timeline": timeline, "may_split": _may_split(request.user, ticket)},
    )


@agent_required
def ticket_panel(request: HttpRequest, number: int) -> HttpResponse:
    """The side panel (and the head's badges) as they are now, for the live refresh."""
    ticket = _ticket_or_404(request.user, number)
    return render(request, "tickets/_panel.html", _ticket_context(request, ticket))


def _may_split(user: User, ticket: Ticket) -> bool:
    return user.is_agent and ticket.status != Status.CLOSED


@agent_required
@require_POST
def preview(request: HttpRequest) -> HttpResponse:
    html = markdown_to_html(request.POST.get("body", "")[:100_000])
    return render(request, "tickets/_preview.html", {"html": html})


@agent_required
@require_POST
def reply(request: HttpRequest, number: int) -> HttpResponse:
    ticket = _ticket_or_404(request.user, number)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        return render(
            request, "tickets/detail.html", _ticket_context(request, ticket, form), status=400
        )
    data = form.cleaned_data
    changed = (
        data["seen_updated_at"] != ticket.updated_at.isoformat()
        or data["seen_count"] != ticket.message_count
    )
    if changed and not data["force"]:
        # Someone else changed the ticket while this reply was written: show them, ask again.
        fresh = ReplyForm(
            initial={
                **data,
                **_reply_form_initial(ticket),
                "force": True,
            }
        )
        context = _ticket_context(request, ticket, fresh)
        context["collision"] = True
        return render(request, "tickets/detail.html", context, status=409)
    body = data["body"] or ""
    try:
        services.add_message(
            request.user,
            ticket,
            body=body,
            body_html=markdown_to_html(body) if body.strip() else "",
            kind=data["kind"],
            channel=Channel.AGENT,
            status=data["status"] or None,
            attachments=incoming_files(request),
            time_spent_minutes=data["time_spent"] or 0,
        )
    except ServiceError as exc:
        form.add_error(None, error_text(exc))
        return render(
            request, "tickets/detail.html", _ticket_context(request, ticket, form), status=400
        )
    if data["kind"] == MessageKind.NOTE:
        messages.success(request, _("Internal note added."))
    else:
        messages.success(request, _("Reply sent."))
    return redirect("tickets:detail", number=ticket.number)


@agent_required
@require_POST
def action(request: HttpRequest, number: int, name: str) -> HttpResponse:
    ticket = _ticket_or_404(request.user, number)
    handler = ACTIONS.get(name)
    if handler is None:
        raise Http404("No such action.")
    try:
        text = handler(request, ticket)
    except ServiceError as exc:
        messages.error(request, error_text(exc))
    else:
        if text:
            messages.success(request, text)
    if not Ticket.objects.visible_to(request.user).filter(pk=ticket.pk).exists():
        # Escalated or moved out of the agent's teams: back to the queues.
        return redirect("tickets:workspace")
    return redirect("tickets:detail", number=ticket.number)


def _take(request: HttpRequest, ticket: Ticket) -> str:
    services.assign_ticket(request.user, ticket, assignee=request.user, source="web")
    return _("The ticket is assigned to you.")


def _assign(request: HttpRequest, ticket: Ticket) -> str:
    form = AssignForm(request.POST)
    if not form.is_valid():
        return ""
    assignee = (
        _agents().filter(pk=form.cleaned_data["assignee"]).first()
        if form.cleaned_data["assignee"]
        else None
    )
    changes: dict = {"assignee": assignee}
    if form.cleaned_data["team"]:
        changes["team"] = Team.objects.filter(pk=form.cleaned_data["team"]).first()
    services.update_ticket(request.user, ticket, changes, source="web")
    return _("Assignment saved.")


def _escalate(request: HttpRequest, ticket: Ticket) -> str:
    form = EscalateForm(request.POST)
    if not form.is_valid():
        raise ServiceError("A reason is required.", code="reason-required")
    chosen = form.cleaned_data["team"]
    team = Team.objects.filter(pk=chosen).first() if chosen else None
    updated = services.escalate_ticket(
        request.user,
        ticket,
        tier=form.cleaned_data["tier"],
        reason=form.cleaned_data["reason"],
        team=team,
        note=form.cleaned_data["note"],
        source="web",
    )
    return _("Escalated to %(team)s.") % {"team": updated.team.name}


def _priority(request: HttpRequest, ticket: Ticket) -> str:
    form = PriorityForm(request.POST)
    if not form.is_valid():
        raise ServiceError("A reason is required.", code="reason-required")
    services.update_ticket(
        request.user,
        ticket,
        {"priority": form.cleaned_data["priority"], "priority_reason": form.cleaned_data["reason"]},
        reason=form.cleaned_data["reason"],
        source="web",
    )
    return _("Priority changed.")


def _properties(request: HttpRequest, ticket: Ticket) -> str:
    form = PropertiesForm(request.POST)
    if not form.is_valid():
        return ""
    changes: dict = {"status": form.cleaned_data["status"]}
    category_id = form.cleaned_data["category"]
    changes["category"] = Category.objects.filter(pk=category_id).first() if category_id else None
    services.update_ticket(request.user, ticket, changes, source="web")
    return _("Ticket saved.")


def _target(actor: User, number: int | None) -> Ticket:
    target = Ticket.objects.visible_to(actor).filter(number=number or 0).first()
    if target is None:
        raise NotFound("No such ticket.")
    return target


def _merge(request: HttpRequest, ticket: Ticket) -> str:
    form = MergeForm(request.POST)
    if not form.is_valid():
        raise NotFound("No such ticket.")
    target = _target(request.user, form.cleaned_data["target"])
    services.merge_tickets(request.user, ticket, target, reason=form.cleaned_data["reason"])
    return _("Merged into #%(number)s.") % {"number": target.number}


def _link(request: HttpRequest, ticket: Ticket) -> str:
    form = LinkForm(request.POST)
    if not form.is_valid():
        raise NotFound("No such ticket.")
    target = _target(request.user, form.cleaned_data["target"])
    services.link_tickets(request.user, ticket, target, form.cleaned_data["kind"])
    return _("Linked to #%(number)s.") % {"number": target.number}


def _split(request: HttpRequest, ticket: Ticket) -> str:
    message_id = request.POST.get("message", "")
    message = ticket.messages.filter(pk=int(message_id)).first() if message_id.isdigit() else None
    if message is None:
        raise NotFound("No such message.")
    new = services.split_message(
        request.user, ticket, message, subject=request.POST.get("subject", "")[:250]
    )
    return _("Split into #%(number)s.") % {"number": new.number}


ACTIONS: dict[str, Callable[[HttpRequest, Ticket], str]] = {
    "split": _split,
    "take": _take,
    "assign": _assign,
    "escalate": _escalate,
    "priority": _priority,
    "properties": _properties,
    "merge": _merge,
    "link": _link,
}


# --- a new ticket from a phone call ------------------------------------------------


@agent_required
def requester_search(request: HttpRequest) -> HttpResponse:
    text = request.GET.get("q", "").strip()
    users = (
        search_users(request.user, text).filter(role=Role.REQUESTER)[:8] if len(text) >= 2 else []
    )
    return render(request, "tickets/_requester_results.html", {"users": users, "q": text})


@agent_required
def new_ticket(request: HttpRequest) -> HttpResponse:
    form = NewTicketForm(request.POST or None, initial={"channel": Channel.PHONE})
    chosen = None
    if request.method == "POST" and form.is_valid():
        try:
            ticket = _create_from_form(request, form.cleaned_data)
        except ServiceError as exc:
            form.add_error(None, error_text(exc))
        else:
            messages.success(request, _("Ticket #%(number)s created.") % {"number": ticket.number})
            return redirect("tickets:detail", number=ticket.number)
    if form.is_bound and form.data.get("requester", "").isdigit():
        chosen = search_users(request.user, "").filter(pk=int(form.data["requester"])).first()
    return render(
        request,
        "tickets/new.html",
        {"form": form, "chosen": chosen, "categories": category_choices()},
    )


def _create_from_form(request: HttpRequest, data: dict) -> Ticket:
    actor = request.user
    requester = None
    if data["requester"]:
        requester = search_users(actor, "").filter(pk=data["requester"]).first()
    if requester is None:
        requester = account_services.create_user(
            actor=actor,
            email=data["new_email"],
            full_name=data["new_name"],
            phone=data["new_phone"],
            role=Role.REQUESTER,
            language=actor.language,
        )
    category = Category.objects.filter(pk=data["category"]).first() if data["category"] else None
    body = data["body"]
    return services.create_ticket(
        actor,
        services.NewTicket(
            subject=data["subject"],
            body=body,
            body_html=markdown_to_html(body),
            requester=requester,
            type=data["type"],
            category=category,
            impact=data["impact"],
            urgency=data["urgency"],
            channel=data["channel"],
            assignee=actor if data["assign_to_me"] else None,
            attachments=incoming_files(request),
            source="web",
        ),
    )


FILTER_KEYS = ("queue", "q", "status", "priority", "team", "sort")


@agent_required
@require_POST
def save_filter(request: HttpRequest) -> HttpResponse:
    """Keep the list's current queue, filters and sort under a name of the agent's choosing."""
    from urllib.parse import urlencode

    from helpline.tickets.models import SavedFilter

    name = " ".join(request.POST.get("name", "").split())[:80]
    query = urlencode([(k, request.POST[k]) for k in FILTER_KEYS if request.POST.get(k)])
    if not name:
        messages.error(request, _("Give the filter a name."))
    else:
        SavedFilter.objects.update_or_create(
            owner=request.user, name=name, defaults={"query": query}
        )
        messages.success(request, _("Filter saved."))
    return redirect(f"{reverse('tickets:workspace')}?{query}")


@agent_required
@require_POST
def delete_filter(request: HttpRequest, filter_id: int) -> HttpResponse:
    from helpline.tickets.models import SavedFilter

    SavedFilter.objects.filter(owner=request.user, pk=filter_id).delete()
    return redirect("tickets:workspace")
