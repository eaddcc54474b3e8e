"""Retention and purge (issue 13 §3; DOMAIN.md O5): schedule, warn, postpone, purge.

- **Scheduled** when a case closes (:func:`schedule_for_case`, called by ``cases.services.case_close``:
  the end date, so the plan's deletion date, is final then) or when the client asks for erasure
  (:func:`erasure_request`). One row per category: personal data, documents the client provided,
  our work product (all due on the deletion date) and accounting records (invoices, payments,
  accounting documents: due the day after the legal period ends).
- **Warned** seven days before (:func:`warn_due`): an audit entry, a notice on the purge page and one
  e-mail per pass to each active owner and partner listing the purges just claimed.
- **Postponed** only to a later date, with a reason (:func:`postpone`).
- **Purged** by the worker (:func:`purge_due`): each client's due rows are claimed and purged in one
  transaction — ``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL, then a conditional UPDATE per row
  (``scheduled → purged``), so two workers never purge the same row and a failure undoes the claim.
  Stored files are removed after the commit and retried until the storage confirms it.

Audit entries name the client by ``client:<id>`` and the tombstone's random reference only.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import zoneinfo
from dataclasses import dataclass, field

from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.db import connection, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from parting.audit.services import audit_record, value_reference
from parting.core.limits import NOTE, too_long

from .journal import purge_journal_append
from .models import PendingFileDeletion, Postponement, PurgeSchedule, Tombstone

log = logging.getLogger("parting.retention")

Category = PurgeSchedule.Category
WARN_DAYS = 7  # the firm is warned this many days before a purge
REDACTED = "[purged]"
NAME_WORD = 4  # words of a name at least this long are searched for on their own
MIN_IDENTIFIER = 3  # shorter strings are not searched for in import logs (they would match everywhere)
# The order a client's purge runs in: documents and accounting records first, the client's own record last.
ORDER = (Category.PROVIDED, Category.WORK, Category.ACCOUNTING, Category.PERSONAL)


class RetentionError(ValidationError):
    """A refused scheduling or postponement; the message says which field and why."""


def _day(firm, now: dt.datetime) -> dt.date:
    return now.astimezone(zoneinfo.ZoneInfo(firm.time_zone)).date()


def _tombstone(client) -> Tombstone:
    tombstone, _created = Tombstone.objects.get_or_create(client=client, defaults={"firm_id": client.firm_id})
    return tombstone


def accounting_due(client, end: dt.date, years: int) -> dt.date:
    """The day accounting records go: the day after the legal period, which counts ``years`` full years
    from the end of the year of the end date or of the client's last invoice, whichever is later."""
    from parting.cases import rules
    from parting.evidence.models import Invoice

    last = Invoice.objects.filter(firm_id=client.firm_id, client=client).aggregate(last=Max("issued_on"))["last"]
    start = max(end, last) if last else end
    return rules.accounting_retention_until(start, years) + dt.timedelta(days=1)


def _schedule(client, *, case, dates: dict[str, dt.date], origin: str, requested_on=None) -> dict[str, str]:
    """Create or move the client's rows still scheduled; a purged row stays purged. Returns what was set."""
    done = {}
    for category, due in dates.items():
        row = PurgeSchedule.objects.select_for_update().filter(client=client, category=category).first()
        if row is None:
            PurgeSchedule.objects.create(
                firm_id=client.firm_id,
                client=client,
                case=case,
                category=category,
                due_on=due,
                origin=origin,
                requested_on=requested_on,
            )
        elif row.state == PurgeSchedule.State.SCHEDULED:
            row.due_on, row.origin, row.requested_on, row.warned_on = due, origin, requested_on, None
            row.case = case or row.case
            row.save(update_fields=["due_on", "origin", "requested_on", "warned_on", "case"])
        else:
            continue
        done[category] = due.isoformat()
    return done


def schedule_for_case(case, *, by, deletion_on: dt.date, end_on: dt.date) -> dict[str, str]:
    """O5: the case closed, so its deletion date is final: schedule every category of the client's data.

    Call inside the transaction that closes the case. A client who asked for erasure earlier keeps the
    earlier date. A case closed after its deletion date has passed is purged seven days after closing,
    once the firm has been warned, not on the spot."""
    from parting.signs.policy import policy_for

    policy = policy_for(case.firm)
    client = case.client
    tombstone = _tombstone(client)
    today = case.firm.today()
    if deletion_on < today:
        # Closed after the day the client was told: not erased on the spot but after the firm's warning.
        deletion_on = today + dt.timedelta(days=WARN_DAYS)
    earlier = dict(
        PurgeSchedule.objects.filter(client=client, state=PurgeSchedule.State.SCHEDULED).values_list(
            "category", "due_on"
        )
    )
    dates = {
        category: min(deletion_on, earlier.get(category, deletion_on))
        for category in (Category.PERSONAL, Category.PROVIDED, Category.WORK)
    }
    dates[Category.ACCOUNTING] = accounting_due(client, end_on, policy.accounting_retention_years)
    if tombstone.ended_on != end_on:
        Tombstone.objects.filter(pk=tombstone.pk).update(ended_on=end_on)
    done = _schedule(client, case=case, dates=dates, origin=PurgeSchedule.Origin.CASE)
    audit_record(
        firm=case.firm,
        actor=by,
        action="retention.scheduled",
        target=f"client:{client.pk}",
        data={"ref": tombstone.reference, "case": case.pk, "origin": "case", "dates": done},
    )
    return done


def schedule_closed_cases(*, now: dt.datetime | None = None) -> int:
    """Closed cases with no purge scheduled — closed before this version of Parting — get one: the
    plan's deletion date, but never sooner than the warning period from today, so a firm upgrading is
    warned before anything goes. Returns how many clients were scheduled."""
    from parting.cases.models import OffboardingCase
    from parting.cases.plan import plan_compute

    now = now or timezone.now()
    cases = (
        OffboardingCase.objects.filter(state=OffboardingCase.State.CLOSED, ended_on__isnull=False)
        .exclude(client__purge_schedule__isnull=False)
        .select_related("firm", "client")
        .order_by("pk")
    )
    scheduled = 0
    for case in cases[:100]:
        earliest = _day(case.firm, now) + dt.timedelta(days=WARN_DAYS)
        with transaction.atomic():
            if PurgeSchedule.objects.select_for_update().filter(client=case.client).exists():
                continue  # another worker (or the client's request) scheduled it meanwhile
            told = plan_compute(case, today=case.ended_on).deletion_date.value
            schedule_for_case(case, by=None, deletion_on=max(told, earliest), end_on=case.ended_on)
            scheduled += 1
    return scheduled


def erasure_request(*, client, by, on: dt.date, requested_on: dt.date, reason: str) -> dict[str, str]:
    """A data-subject request: the client asked for their data to be erased on ``on``. Owners and
    partners record it; the purge is scheduled for that date (accounting records keep their legal
    period). Refused while a case is under way: close or withdraw it first."""
    from parting.cases.models import OffboardingCase
    from parting.firms.models import Membership
    from parting.signs.policy import policy_for

    reason = (reason or "").strip()
    membership = Membership.active(by, client.firm_id)
    if membership is None or not membership.is_senior:
        raise RetentionError(_("Only owners and partners can record a request for erasure."))
    if not reason:
        raise RetentionError({"reason": _("Say how and when the client asked (the request is recorded).")})
    message = too_long("reason", reason, NOTE)
    if message:
        raise RetentionError({"reason": message})
    today = client.firm.today()
    if on < today:
        raise RetentionError({"on": _("The erasure date cannot be in the past.")})
    if requested_on > today:
        raise RetentionError({"requested_on": _("The request cannot have been received in the future.")})
    with transaction.atomic():
        open_states = [
            OffboardingCase.State.CLOSED,
            OffboardingCase.State.WITHDRAWN,
            OffboardingCase.State.PURGED,
        ]
        if OffboardingCase.objects.filter(client=client).exclude(state__in=open_states).exists():
            raise RetentionError(_("This client has a case under way: close or withdraw it before erasing their data."))
        tombstone = _tombstone(client)
        policy = policy_for(client.firm)
        dates = {category: on for category in (Category.PERSONAL, Category.PROVIDED, Category.WORK)}
        dates[Category.ACCOUNTING] = accounting_due(client, on, policy.accounting_retention_years)
        done = _schedule(client, case=None, dates=dates, origin=PurgeSchedule.Origin.REQUEST, requested_on=requested_on)
        audit_record(
            firm=client.firm,
            actor=by,
            action="retention.scheduled",
            target=f"client:{client.pk}",
            data={
                "ref": tombstone.reference,
                "origin": "request",
                "requested_on": requested_on.isoformat(),
                # The reason may name the client: the log keeps its hash, the schedule its words until the purge.
                "reason": value_reference(reason),
                "dates": done,
            },
        )
        Postponement.objects.bulk_create(
            Postponement(schedule=row, from_date=row.due_on, to_date=row.due_on, reason=reason, by=by)
            for row in PurgeSchedule.objects.filter(client=client, category__in=list(done))
        )
    return done


def postpone(*, schedule: PurgeSchedule, by, to_date: dt.date | None, reason: str) -> PurgeSchedule:
    """Move a scheduled purge to a later date, with the reason recorded (O5: the date told to the client
    changes only for a reason the firm can show)."""
    from parting.firms.models import Membership

    reason = (reason or "").strip()
    membership = Membership.active(by, schedule.firm_id)
    if membership is None or not membership.is_senior:
        raise RetentionError(_("Only owners and partners can postpone a purge."))
    if not reason:
        raise RetentionError({"reason": _("Give the reason for postponing the purge.")})
    message = too_long("reason", reason, NOTE)
    if message:
        raise RetentionError({"reason": message})
    if to_date is None:
        raise RetentionError({"to_date": _("Choose the new date.")})
    with transaction.atomic():
        schedule.refresh_from_db(from_queryset=PurgeSchedule.objects.select_for_update())
        if schedule.state != PurgeSchedule.State.SCHEDULED:
            raise RetentionError(_("This purge has already been carried out."))
        if to_date <= schedule.due_on:
            raise RetentionError(
                {"to_date": _("The new date must be later than %(day)s.") % {"day": schedule.due_on.isoformat()}}
            )
        Postponement.objects.create(schedule=schedule, from_date=schedule.due_on, to_date=to_date, reason=reason, by=by)
        before = schedule.due_on
        schedule.due_on, schedule.warned_on = to_date, None
        schedule.save(update_fields=["due_on", "warned_on"])
        audit_record(
            firm=schedule.firm,
            actor=by,
            action="retention.postponed",
            target=f"client:{schedule.client_id}",
            data={
                "ref": _tombstone(schedule.client).reference,
                "category": schedule.category,
                "from": before.isoformat(),
                "to": to_date.isoformat(),
                "reason": value_reference(reason),
            },
        )
    return schedule


def _senior_members(firm):
    """Who is told of a purge coming up: the firm's active owners and partners with an e-mail address
    (the people who can postpone it). Staff are not: they cannot postpone."""
    from parting.firms.models import Membership

    return list(
        Membership.objects.filter(
            firm=firm,
            role__in=(Membership.Role.OWNER, Membership.Role.PARTNER),
            is_active=True,
            user__is_active=True,
        )
        .exclude(user__email="")
        .select_related("user", "firm")
        .order_by("pk")
    )


def _claim_warnings(firm, now: dt.datetime) -> list[PurgeSchedule]:
    """Claim the firm's unwarned rows due within the warning period, in one transaction: the rows are
    locked (``SELECT … FOR UPDATE``; SQLite's IMMEDIATE transactions hold the write lock), then each is
    claimed by a conditional UPDATE of ``warned_on`` and audited. A second worker waits for the first
    to commit and then finds the rows warned, so all of a firm's rows of one pass are claimed by one
    worker, and its e-mail is the only one listing them."""
    today = _day(firm, now)
    claimed = []
    with transaction.atomic():
        rows = (
            PurgeSchedule.objects.filter(
                firm=firm,
                state=PurgeSchedule.State.SCHEDULED,
                warned_on__isnull=True,
                due_on__lte=today + dt.timedelta(days=WARN_DAYS),
            )
            .select_related("client")
            .select_for_update(of=("self",))
            .order_by("pk")
        )
        for row in rows:
            if not PurgeSchedule.objects.filter(
                pk=row.pk, state=PurgeSchedule.State.SCHEDULED, warned_on__isnull=True, due_on=row.due_on
            ).update(warned_on=today):
                continue
            row.warned_on = today
            audit_record(
                firm=firm,
                actor=None,
                action="retention.warned",
                target=f"client:{row.client_id}",
                data={
                    "ref": _tombstone(row.client).reference,
                    "category": row.category,
                    "due_on": row.due_on.isoformat(),
                },
            )
            claimed.append(row)
    return claimed


def warning_email(membership, rows: list[PurgeSchedule], *, today: dt.date):
    """The warning e-mail to one owner or partner, in their language: each purge of ``rows`` (client,
    data, date on the firm's calendar, days left) with a link to postpone it, and the purge page."""
    from django.conf import settings
    from django.core.mail import EmailMultiAlternatives
    from django.template.loader import render_to_string
    from django.urls import reverse
    from django.utils import translation
    from django.utils.translation import ngettext

    from parting.scores.alerts import base_url

    language = membership.language
    with translation.override(language):
        items = [
            {
                # The client's name while they still have one; after their personal data went (an
                # accounting purge), the name is the tombstone's reference.
                "client": row.client.name,
                "category": str(row.get_category_display()),
                "due_on": row.due_on,
                "days": (row.due_on - today).days,
                "postpone_url": base_url()
                + reverse("purge_postpone", args=[row.client_id])
                + "?category="
                + row.category,
            }
            for row in sorted(rows, key=lambda r: (r.due_on, r.client.name, r.category))
        ]
        clients = len({row.client_id for row in rows})
        context = {
            "firm": membership.firm,
            "member": membership.user,
            "items": items,
            "clients": clients,
            "warn_days": WARN_DAYS,
            "language": language,
            "bidi": translation.get_language_bidi(),
            "page_url": base_url() + reverse("retention"),
        }
        # Translators: subject of the e-mail warning owners and partners of purges within seven days.
        subject = ngettext(
            "%(firm)s: the data of %(count)d client will be deleted soon",
            "%(firm)s: the data of %(count)d clients will be deleted soon",
            clients,
        ) % {"count": clients, "firm": membership.firm.name}
        text = render_to_string("retention/purge_warning.txt", context)
        html = render_to_string("retention/purge_warning.html", context)
    message = EmailMultiAlternatives(
        subject=subject.replace("\n", " "),
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[membership.user.email],
        headers={"Content-Language": language},
    )
    message.attach_alternative(html, "text/html")
    return message


def warn_due(*, now: dt.datetime | None = None) -> int:
    """Warn each firm of purges due within seven days, on the firm's calendar, once per row. Returns the
    number of rows warned.

    Per firm and pass: the due rows are claimed (:func:`_claim_warnings`: a conditional UPDATE of
    ``warned_on`` per row and a ``retention.warned`` audit entry, committed together), then each active
    owner and partner with an e-mail address gets ONE e-mail listing the rows this pass claimed — so
    two workers at once never send the same warning twice, and a row warned once is never in a later
    e-mail (postponing it clears ``warned_on``: the new date is warned again).

    When an e-mail cannot be sent the rows stay claimed: the failure is logged (``parting.retention``,
    naming the firm, the member and the rows), the audit entries stand and the purge page still shows
    each purge with its "purged in N days" notice. Un-claiming to retry would mail the same warning
    again, on every pass, to every member whose e-mail did go out whenever one address is refused, and
    would leave audit entries for warnings that are then made twice; a purge is postponed from the
    page, which does not depend on the e-mail."""
    from parting.firms.models import Firm

    now = now or timezone.now()
    warned = 0
    horizon = now.date() + dt.timedelta(days=WARN_DAYS + 1)  # every firm's today + 7 is at most this
    candidates = PurgeSchedule.objects.filter(
        state=PurgeSchedule.State.SCHEDULED, warned_on__isnull=True, due_on__lte=horizon
    )
    for firm in Firm.objects.filter(pk__in=candidates.values("firm_id")).order_by("pk"):
        claimed = _claim_warnings(firm, now)
        if not claimed:
            continue
        warned += len(claimed)
        today = _day(firm, now)
        members = _senior_members(firm)
        if not members:
            log.warning("purge warning: firm %s has no active owner or partner with an e-mail address", firm.pk)
        for membership in members:
            try:
                warning_email(membership, claimed, today=today).send()
            except Exception:
                log.exception(
                    "purge warning to membership %s of firm %s not sent; rows %s stay warned (see the purge page)",
                    membership.pk,
                    firm.pk,
                    [row.pk for row in claimed],
                )
    return warned


# -- what a purge removes ------------------------------------------------------------------------


def _deletions(client, category: str) -> dict:
    """The querysets a category's purge deletes, by what they are (the dry run counts the same ones)."""
    from parting.cases.models import CaseTask
    from parting.clients.models import AccessGrant, Contact, Credential, Engagement
    from parting.documents.models import Document
    from parting.evidence.models import ClientRequest, Incident, Invoice, Meeting, Message, Payment, TimeEntry
    from parting.imports.models import ClientAlias
    from parting.letters.models import Letter, LetterSending, LetterVersion
    from parting.scores.models import Snapshot

    mine = {"firm_id": client.firm_id, "client": client}
    if category in (Category.PROVIDED, Category.WORK):
        return {"documents": Document.objects.filter(**mine, category=category)}
    if category == Category.ACCOUNTING:
        return {
            "documents": Document.objects.filter(**mine, category=Document.Category.ACCOUNTING),
            "payments": Payment.objects.filter(**mine),
            "invoices": Invoice.objects.filter(**mine),
            "time_entries": TimeEntry.objects.filter(**mine),  # the hours billed, kept with the invoices
        }
    found = {
        "contacts": Contact.objects.filter(client=client),
        "access_grants": AccessGrant.objects.filter(client=client),
        "current_work": Engagement.objects.filter(client=client),
        "logins": Credential.objects.filter(client=client),
        "meetings": Meeting.objects.filter(**mine),
        "messages": Message.objects.filter(**mine),
        "requests": ClientRequest.objects.filter(**mine),
        "incidents": Incident.objects.filter(**mine),
        "scores": Snapshot.objects.filter(**mine),
        "import_aliases": ClientAlias.objects.filter(firm_id=client.firm_id, client=client),
        "letters_sent": LetterSending.objects.filter(letter__case__client=client),
        "letter_versions": LetterVersion.objects.filter(letter__case__client=client),
        "letters": Letter.objects.filter(case__client=client),
        "case_tasks": CaseTask.objects.filter(case__client=client),
    }
    try:  # handover bundles (issue 13 §2): a ZIP of everything above, so it goes with it
        bundle = apps.get_model("documents", "Bundle")
    except LookupError:
        bundle = None
    if bundle is not None:
        found["bundles"] = bundle.objects.filter(**mine)
    return found


def _identifiers(client) -> list[str]:
    """Every string that names the client, to be found and removed from import logs."""
    from parting.clients.models import Contact

    names = {client.name}
    found = set()
    rows = Contact.objects.filter(client=client).values_list(
        "name", "name_latin", "name_cyrillic", "name_hebrew", "email", "phone"
    )
    for name, latin, cyrillic, hebrew, email, phone in rows:
        names.update((name, latin, cyrillic, hebrew))  # the letters' forms of the name too (issue 14)
        found.update((email, phone))
    if client.number:
        found.add(client.number)
    found.update(client.email_domains.split())
    found.update(names)
    # Each word of a name on its own too ("Quarkwood-invoices.csv"): an import log may be over-redacted,
    # never under-redacted.
    found.update(word for name in names for word in re.split(r"[\W_]+", name or "") if len(word) >= NAME_WORD)
    return sorted((s.strip() for s in found if s and len(s.strip()) >= MIN_IDENTIFIER), key=len, reverse=True)


def _redact(value, pattern: re.Pattern):
    """``value`` (JSON) with every string that matches ``pattern`` redacted; a list row whose first item
    is such a name (the unmatched names of an import) is dropped."""
    if isinstance(value, str):
        return pattern.sub(REDACTED, value)
    if isinstance(value, list):
        out = []
        for item in value:
            if isinstance(item, list) and item and isinstance(item[0], str) and pattern.search(item[0]):
                continue
            out.append(_redact(item, pattern))
        return out
    if isinstance(value, dict):
        return {_redact(k, pattern): _redact(v, pattern) for k, v in value.items()}
    return value


def _imports_naming(client, identifiers: list[str]):
    """The firm's import runs whose log names the client, and the pattern that finds the names."""
    from parting.imports.models import ImportRun

    if not identifiers:
        return [], None
    pattern = re.compile("|".join(re.escape(s) for s in identifiers), re.IGNORECASE)
    runs = []
    for run in ImportRun.objects.filter(firm_id=client.firm_id).only(
        "pk", "file_name", "unmatched", "errors", "counts", "options"
    ):
        if any(
            pattern.search(str(getattr(run, name)))
            for name in ("file_name", "unmatched", "errors", "counts", "options")
        ):
            runs.append(run)
    return runs, pattern


def _remove_files(names: list[str]) -> None:
    """After the purge commits: remove each file; a failure stays pending for the worker to retry."""
    for name in names:
        _remove_pending(PendingFileDeletion.objects.filter(name=name).first())


def _remove_pending(pending: PendingFileDeletion | None) -> bool:
    if pending is None:
        return True
    try:
        storages[pending.storage].delete(pending.name)
    except Exception as error:  # the storage refused or is away: keep the row, retry on the next pass
        PendingFileDeletion.objects.filter(pk=pending.pk).update(
            attempts=pending.attempts + 1, last_error=str(error)[:2000]
        )
        log.warning("purge: could not remove %s yet: %s", pending.name, error)
        return False
    PendingFileDeletion.objects.filter(pk=pending.pk).delete()
    return True


def retry_file_deletions() -> int:
    """Files a purge could not remove: try again. Returns how many are still left."""
    for pending in PendingFileDeletion.objects.all()[:500]:
        _remove_pending(pending)
    return PendingFileDeletion.objects.count()


def _delete(querysets: dict, files: list[str]) -> dict[str, int]:
    counts = {}
    for what, queryset in querysets.items():
        if what in ("documents", "bundles"):
            files.extend(name for name in queryset.values_list("file", flat=True) if name)
        n = queryset.count()
        queryset.delete()
        if n:
            counts[what] = n
    return counts


def _cases_to_purged(client, cases, *, reapplied: bool) -> int:
    """Move the client's ended cases to ``purged``, each with an entry ``case.purged`` in the case's
    history (the audit log, as :func:`parting.cases.services._transition` records every step; no
    ``CaseTransition`` row, which needs a member, and a purge is the worker's). Returns how many.

    A purge only ever follows the end of the client's case (it is scheduled when the case closes, and
    a request for erasure is refused while a case is under way). So in the worker's purge only a
    *closed* case becomes purged — a withdrawn one stays withdrawn. A purge *re-applied* after a
    restore (``reapplied``) is proven by the purge journal; the restored database may predate the
    case's end (notified, winding down …): every case of the client not withdrawn is then purged too,
    rather than left under way for a client whose data is gone."""
    from parting.cases.models import OffboardingCase

    State = OffboardingCase.State
    ended = cases.exclude(state__in=[State.WITHDRAWN, State.PURGED]) if reapplied else cases.filter(state=State.CLOSED)
    moved = 0
    reference = _tombstone(client).reference
    for case_id, before in ended.order_by("pk").values_list("pk", "state"):
        if not OffboardingCase.objects.filter(pk=case_id, state=before).update(state=State.PURGED):
            continue
        data = {"from": before, "to": State.PURGED.value, "ref": reference}
        if reapplied:
            data["reapplied"] = True  # the restored backup predates the purge; the purge journal proves it
        audit_record(firm=client.firm, actor=None, action="case.purged", target=f"case:{case_id}", data=data)
        moved += 1
    return moved


def _purge_personal(client, files: list[str], *, reapplied: bool = False) -> dict[str, int]:
    """Everything that names the client, except accounting records: deleted, or blanked where a row must
    stay (the case and its history keep their dates and states, the client row becomes the tombstone's
    reference)."""
    from parting.cases.models import (
        CasePlan,
        CaseReason,
        CaseReview,
        CaseTransition,
        InvoiceWriteOff,
        OffboardingCase,
        PlanChange,
    )
    from parting.clients.models import Client

    identifiers = _identifiers(client)
    runs, pattern = _imports_naming(client, identifiers)
    counts = _delete(_deletions(client, Category.PERSONAL), files)
    # Time entries lose their descriptions (and import ids) but keep date, hours and who worked: they
    # are what the invoices billed and what the partings page counts; they go with the accounting records.
    from parting.evidence.models import TimeEntry

    counts["time_entry_notes"] = (
        TimeEntry.objects.filter(firm_id=client.firm_id, client=client)
        .exclude(note="", source_key="")
        .update(note="", source_key="")
    )
    cases = OffboardingCase.objects.filter(client=client)
    counts["case_reasons"] = CaseReason.objects.filter(case__in=cases).update(text="", snapshot={})
    CaseReview.objects.filter(case__in=cases).update(comment="")
    CaseTransition.objects.filter(case__in=cases).update(note="")
    PlanChange.objects.filter(case__in=cases).update(reason="")
    InvoiceWriteOff.objects.filter(case__in=cases).update(reason="")
    CasePlan.objects.filter(case__in=cases).update(
        successor_name="", successor_contact="", handover_note="", overrides={}
    )
    cases.update(against_advice="", expectations_note="", plan_told={})
    counts["cases_purged"] = _cases_to_purged(client, cases, reapplied=reapplied)
    for run in runs:
        for name in ("file_name", "unmatched", "errors", "counts", "options"):
            setattr(run, name, _redact(getattr(run, name), pattern))
        run.save(update_fields=["file_name", "unmatched", "errors", "counts", "options"])
    if runs:
        counts["import_logs_redacted"] = len(runs)
    Postponement.objects.filter(schedule__client=client).update(reason="")
    reference = _tombstone(client).reference
    Client.objects.filter(pk=client.pk).update(
        name=reference,
        number="",  # the firm's own reference for the client: it would name them again elsewhere
        notes="",
        email_domains="",
        referral_source="",
        source_key="",
        referred_by=None,
        status=Client.Status.FORMER,
    )
    return {what: n for what, n in counts.items() if n}


@dataclass
class Purged:
    """One client's purge: which categories went and how many rows of each kind."""

    client_id: int
    reference: str
    categories: dict[str, dict[str, int]] = field(default_factory=dict)


def purge_client(firm, client_id: int, *, now: dt.datetime | None = None, reapplied: bool = False) -> Purged | None:
    """Purge what is due for one client, in one transaction; ``None`` when nothing was due or another
    worker already has it. Idempotent: a purged row is never claimed again. Each purge is also a line
    in the purge journal outside the database (``journal.py``; ``reapplied`` when a restore runs it)."""
    from parting.clients.models import Client, Contact

    now = now or timezone.now()
    today = _day(firm, now)
    files: list[str] = []
    with transaction.atomic():
        rows = PurgeSchedule.objects.filter(
            firm_id=firm.pk, client_id=client_id, state=PurgeSchedule.State.SCHEDULED, due_on__lte=today
        ).order_by("pk")
        if connection.features.has_select_for_update_skip_locked:
            rows = rows.select_for_update(skip_locked=True)
        claimed = [
            row
            for row in rows
            if PurgeSchedule.objects.filter(pk=row.pk, state=PurgeSchedule.State.SCHEDULED).update(
                state=PurgeSchedule.State.PURGED, purged_at=now
            )
        ]
        if not claimed:
            return None
        client = Client.objects.get(pk=client_id, firm_id=firm.pk)
        tombstone = _tombstone(client)
        categories = {row.category for row in claimed}
        if Category.PERSONAL in categories:
            primary = (
                Contact.objects.filter(client=client).order_by("-is_primary", "pk").values_list("language", flat=True)
            )
            tombstone.lang = primary.first() or tombstone.lang
        result = Purged(client_id=client_id, reference=tombstone.reference)
        for category in ORDER:
            if category not in categories:
                continue
            if category == Category.PERSONAL:
                counts = _purge_personal(client, files, reapplied=reapplied)
            else:
                counts = _delete(_deletions(client, category), files)
            result.categories[category] = counts
            PurgeSchedule.objects.filter(client=client, category=category).update(counts=counts)
        tombstone.counts = {**tombstone.counts, **result.categories}
        if Category.PERSONAL in categories:
            tombstone.personal_purged_at = now
        if Category.ACCOUNTING in categories:
            tombstone.accounting_purged_at = now
        tombstone.save(update_fields=["lang", "counts", "personal_purged_at", "accounting_purged_at"])
        PendingFileDeletion.objects.bulk_create(PendingFileDeletion(name=name) for name in files if name)
        audit_record(
            firm=firm,
            actor=None,
            action="retention.purged",
            target=f"client:{client_id}",
            data={"ref": tombstone.reference, "categories": result.categories, "at": now.isoformat()},
        )
        from parting.webhooks.services import emit

        # Issue 15 §3: the tombstone's reference and the categories, never what was purged (O5).
        emit(
            firm,
            "purge.done",
            {
                "client": client_id,
                "reference": tombstone.reference,
                "categories": sorted(categories),
                "at": now.isoformat(),
            },
        )
        from .certificate import certificate_issue

        certificate_issue(tombstone, at=now)
        # Last, so that only a failing COMMIT can leave a line for a purge that did not happen (§6:
        # a restore re-applies every purge this journal names, so erased data stays erased).
        purge_journal_append(
            firm_id=firm.pk,
            client_id=client_id,
            reference=tombstone.reference,
            at=now,
            categories=result.categories,
            reapplied=reapplied,
        )
        transaction.on_commit(lambda: _remove_files(files), robust=True)
    return result


def due_clients(now: dt.datetime) -> list[tuple[int, int]]:
    """(firm id, client id) of every client with a row that may be due (the firm's day decides)."""
    horizon = now.date() + dt.timedelta(days=1)
    rows = PurgeSchedule.objects.filter(state=PurgeSchedule.State.SCHEDULED, due_on__lte=horizon)
    return sorted(set(rows.values_list("firm_id", "client_id")))


def purge_due(*, now: dt.datetime | None = None) -> list[Purged]:
    """The worker's purge: every client with something due, each in its own transaction. A client whose
    purge fails is rolled back whole and tried again on the next pass; the others go on."""
    from parting.firms.models import Firm

    now = now or timezone.now()
    done = []
    for firm_id, client_id in due_clients(now):
        firm = Firm.objects.get(pk=firm_id)
        try:
            purged = purge_client(firm, client_id, now=now)
        except Exception:
            log.exception("purge of client:%s failed; retried on the next pass", client_id)
            continue
        if purged:
            done.append(purged)
    return done


@dataclass
class DueRow:
    firm: str
    client_id: int
    client: str
    reference: str
    category: str
    due_on: dt.date
    counts: dict[str, int]


def purge_plan(*, now: dt.datetime | None = None) -> list[DueRow]:
    """What :func:`purge_due` would remove now, per client and category, counted; changes nothing."""
    from parting.clients.models import Client
    from parting.evidence.models import TimeEntry

    now = now or timezone.now()
    out = []
    for firm_id, client_id in due_clients(now):
        client = Client.objects.select_related("firm").get(pk=client_id, firm_id=firm_id)
        today = _day(client.firm, now)
        tombstone = Tombstone.objects.filter(client=client).first()
        rows = PurgeSchedule.objects.filter(client=client, state=PurgeSchedule.State.SCHEDULED, due_on__lte=today)
        for row in rows.order_by("category"):
            counts = {what: qs.count() for what, qs in _deletions(client, row.category).items()}
            if row.category == Category.PERSONAL:
                counts["client_record_blanked"] = 1
                counts["time_entry_notes"] = (
                    TimeEntry.objects.filter(client=client).exclude(note="", source_key="").count()
                )
                counts["import_logs_redacted"] = len(_imports_naming(client, _identifiers(client))[0])
            out.append(
                DueRow(
                    firm=client.firm.name,
                    client_id=client.pk,
                    client=client.name,
                    reference=tombstone.reference if tombstone else "",
                    category=row.category,
                    due_on=row.due_on,
                    counts={what: n for what, n in counts.items() if n},
                )
            )
    return out


def run_retention() -> str:
    """The worker's periodic job: warn, purge what is due, retry files left on storage."""
    scheduled = schedule_closed_cases()
    warned = warn_due()
    purged = purge_due()
    left = retry_file_deletions()
    return f"{scheduled} scheduled, {warned} warned, {len(purged)} clients purged, {left} files still to remove"


def upcoming(firm, *, today: dt.date | None = None):
    """The purge page's rows: the firm's scheduled purges, soonest first, and whether each is within the
    warning period."""
    today = today or firm.today()
    rows = (
        PurgeSchedule.objects.filter(firm=firm, state=PurgeSchedule.State.SCHEDULED)
        .select_related("client")
        .order_by("due_on", "client__name", "category")
    )
    out = list(rows)
    for row in out:
        row.days_left = (row.due_on - today).days
        row.soon = row.days_left <= WARN_DAYS
    return out


def purged_clients(firm):
    return (
        Tombstone.objects.filter(firm=firm)
        .filter(Q(personal_purged_at__isnull=False) | Q(accounting_purged_at__isnull=False))
        .order_by("-personal_purged_at", "-id")
    )
