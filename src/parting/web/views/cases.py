"""Case pages: open a case, its page with reasons, checks, plan, checklist and timeline, the review
page for owners and partners, the case list, the partings page and the referral directory.

Every change goes through a service in :mod:`parting.cases.services`; a refused change comes back as
a message that says which rule stopped it, never as an error page.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext
from django.views.decorators.http import require_POST

from parting.cases import services
from parting.cases.checklist import referrals_for, task_title
from parting.cases.checks import case_checks
from parting.cases.forms import (
    CaseOpenForm,
    ChecklistForms,
    ChecksForm,
    EvidenceFilterForm,
    HistoryFilterForm,
    NoteForm,
    NotifyForm,
    OverrideForm,
    PlanForm,
    ReasonForm,
    ReferralProviderForm,
    ReviewForm,
    TaskAddForm,
    TaskForm,
    WriteOffForm,
)
from parting.cases.models import CaseTask, OffboardingCase, ReferralProvider
from parting.cases.plan import plan_compute, plan_get
from parting.cases.selectors import case_get, case_history, case_list, open_case_for, partings, reasons_shown
from parting.clients.selectors import client_get, client_timeline
from parting.firms.access import member_required

State = OffboardingCase.State


def refused(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def form_errors(request, form) -> None:
    for name, errors in form.errors.items():
        label = form[name].label if name in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


def _run(request, case: OffboardingCase, action, success: str):
    try:
        action()
    except ValidationError as error:
        refused(request, error)
    else:
        messages.success(request, success)
    return redirect("case_detail", pk=case.pk)


@member_required
def case_open(request, pk: int):
    client = client_get(firm=request.firm, pk=pk)
    existing = open_case_for(client)
    if existing:
        messages.info(request, _("%(client)s already has an open case.") % {"client": client.name})
        return redirect("case_detail", pk=existing.pk)
    if client.status == client.Status.FORMER:
        messages.error(
            request, _("%(client)s is a former client: there is nothing left to end.") % {"client": client.name}
        )
        return redirect("client_detail", pk=client.pk)
    advice = services.client_advice(client)
    form = CaseOpenForm(request.POST or None, advice=advice)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_open(client=client, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            refused(request, error)
        else:
            messages.success(request, _("Case opened. Add at least three documented reasons (D8)."))
            return redirect("case_detail", pk=case.pk)
    return render(request, "parting/case_open.html", {"client": client, "form": form, "advice": advice})


CHECKLIST_OPEN = (State.APPROVED, State.NOTIFIED, State.WINDING_DOWN)


def _checklist(request, case: OffboardingCase, data=None):
    return ChecklistForms(
        data, instance=case, queryset=case.tasks.select_related("owner"), form_kwargs={"firm": request.firm}
    )


def _case_context(request, case: OffboardingCase, checklist=None) -> dict:
    plan = plan_compute(case)
    tasks = list(case.tasks.select_related("owner"))
    today = request.firm.today()
    checklist = checklist if checklist is not None else _checklist(request, case)
    forms = {form.instance.pk: form for form in checklist.forms if form.instance.pk}
    for task in tasks:
        task.title = task_title(task)
        task.overdue = task.status == CaseTask.Status.OPEN and task.due_on < today
        task.form = forms.get(task.pk)
    listed = {task.pk for task in tasks}
    stray_errors = [  # rows the page cannot show: another case's task, or one dropped meanwhile
        error for form in checklist.forms if form.instance.pk not in listed for error in form.non_field_errors()
    ]
    done = sum(1 for task in tasks if task.status == CaseTask.Status.DONE)
    needed = sum(1 for task in tasks if task.status != CaseTask.Status.SKIPPED)
    return {
        "case": case,
        "client": case.client,
        "reasons": reasons_shown(case),
        "reviews": case.reviews.select_related("reviewer"),
        "checks": case_checks(case, plan),
        "plan": plan,
        "plan_changes": case.plan_changes.select_related("by"),
        "tasks": tasks,
        "checklist": checklist,
        "checklist_errors": [*checklist.non_form_errors(), *stray_errors],
        "checklist_editable": case.state in CHECKLIST_OPEN,
        "progress": {"done": done, "needed": needed},
        "referrals": referrals_for(case),
        "can_carry_out": request.user.pk == case.opened_by_id or request.membership.is_senior,
        "is_senior": request.membership.is_senior,
        "State": State,
    }


@member_required
def case_detail(request, pk: int):
    """The case page; a POST saves its checklist form."""
    case = case_get(firm=request.firm, pk=pk)
    checklist = None
    if request.method == "POST":
        checklist, saved = _checklist_save(request, case)
        if saved:
            return redirect(reverse("case_detail", args=[case.pk]) + "#checklist")
        checklist.mark_errors()
    context = _case_context(request, case, checklist)
    context |= _history(request, case) | _evidence_picker(request, case)
    context |= {
        "checks_form": ChecksForm(instance=case),
        "plan_form": PlanForm(instance=plan_get(case)),
        "override_form": OverrideForm(),
        "notify_form": NotifyForm(initial={"on": context["plan"].notice_date.value}),
        "note_form": NoteForm(),
        "task_add_form": TaskAddForm(initial={"due_on": context["plan"].end_date.value}),
    }
    return render(request, "parting/case_detail.html", context)


def _checklist_save(request, case: OffboardingCase):
    """Save every task the member changed on the checklist form, all or none (services.tasks_update).

    Returns the form and whether it was saved. Input a form refuses, a rule a service refuses and a
    task someone else changed since the page was loaded come back on the rows they concern, with what
    the member entered kept; a changed task's row then carries its new version, so saving again
    (having seen the change) goes through.
    """
    checklist = _checklist(request, case, request.POST)
    if not checklist.is_valid():
        messages.error(request, _("The checklist was not saved: see the tasks marked below."))
        return checklist, False
    changes = []
    for form in checklist.forms:
        values = form.changed_values()
        if values:
            changes.append(services.TaskChange(form.instance.pk, seen_version=form.cleaned_data["version"], **values))
    if not changes:
        messages.info(request, _("Nothing on the checklist changed."))
        return checklist, True
    try:
        services.tasks_update(case=case, by=request.user, changes=changes)
    except services.TaskErrors as error:
        checklist = _checklist_refused(request, case, error.by_task)
        messages.error(request, _("The checklist was not saved: see the tasks marked below."))
        return checklist, False
    except ValidationError as error:
        refused(request, error)
        return checklist, False
    messages.success(request, ngettext("%(n)d task saved.", "%(n)d tasks saved.", len(changes)) % {"n": len(changes)})
    return checklist, True


def _checklist_refused(request, case: OffboardingCase, by_task: dict[int, list[str]]):
    """The checklist form as the member sent it, each refusal on its row. A task changed meanwhile
    shows the member's entry against its current version and values, so the next save is deliberate."""
    data = request.POST.copy()
    current = {task.pk: task for task in case.tasks.filter(pk__in=by_task)}
    for form in _checklist(request, case, request.POST).forms:
        task = current.get(form.instance.pk)
        if task is None or str(task.version) == form.data.get(form.add_prefix("version")):
            continue
        data[form.add_prefix("version")] = str(task.version)
        touched = form.changed_data
        for name, value in {"status": task.status, "owner": task.owner_id or "", "notes": task.notes}.items():
            data[form.add_initial_prefix(name)] = str(value)
            if name not in touched:  # what the member left alone shows what it is now
                data[form.add_prefix(name)] = str(value)
    checklist = _checklist(request, case, data)
    checklist.is_valid()
    for form in checklist.forms:
        for message in by_task.get(form.instance.pk, []):
            form.add_error(None, message)
    return checklist


PICKER_LIMIT = 100  # evidence rows listed under "Add a reason" at once; the filter finds older ones


def _query(request, prefix: str) -> dict:
    """This page's other GET filter, to carry along when one filter is used (hidden inputs)."""
    return {key: value for key, value in request.GET.items() if key.startswith(prefix + "-") and value}


def _evidence_picker(request, case: OffboardingCase) -> dict:
    """The evidence a written reason can point at (D8), narrowed by kind and date (evidence-* in the query)."""
    bound = any(key.startswith("evidence-") for key in request.GET)
    evidence_filter = EvidenceFilterForm(request.GET if bound else None)
    timeline = client_timeline(client=case.client, limit=PICKER_LIMIT, **evidence_filter.narrowing())
    return {
        "reason_form": ReasonForm(client=case.client, timeline=timeline),
        "evidence_filter": evidence_filter,
        "evidence_shown": len(timeline),
        "evidence_more": len(timeline) >= PICKER_LIMIT,
        "history_query": _query(request, "history"),
    }


def _history(request, case: OffboardingCase) -> dict:
    """The case's history, newest first, by month, 25 steps a page; filtered by kind of step."""
    bound = "history-group" in request.GET
    history_filter = HistoryFilterForm(request.GET if bound else None)
    history = case_history(case, group=history_filter.chosen, page=request.GET.get("history-page") or 1)
    query = _query(request, "evidence") | ({"history-group": history_filter.chosen} if history_filter.chosen else {})
    shown = history.page

    def page_url(number: int) -> str:
        return "?" + urlencode(query | {"history-page": number}) + "#history"

    return {
        "history": history,
        "history_filter": history_filter,
        "evidence_query": _query(request, "evidence"),
        "history_newer": page_url(shown.previous_page_number()) if shown.has_previous() else "",
        "history_older": page_url(shown.next_page_number()) if shown.has_next() else "",
    }


@member_required
def case_review(request, pk: int):
    """The page owners and partners review a case on: the reasons, the checks, the plan; approve or object (D4)."""
    case = case_get(firm=request.firm, pk=pk)
    form = ReviewForm(request.POST or None)
    if request.method == "POST":
        if not form.is_valid():
            form_errors(request, form)
        else:
            try:
                services.case_review(case=case, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                refused(request, error)
            else:
                messages.success(request, _("Review recorded."))
                return redirect("case_detail", pk=case.pk)
    return render(request, "parting/case_review.html", _case_context(request, case) | {"form": form})


def _post(request, case: OffboardingCase, form, action, success: str):
    """The shape of every case action: a form names what is wrong with the input, the service says
    which rule refused the change; either way the member is back on the case page with a message."""
    if form is not None and not form.is_valid():
        form_errors(request, form)
        return redirect("case_detail", pk=case.pk)
    return _run(request, case, lambda: action(form.cleaned_data if form is not None else {}), success)


def case_action(build_form, action, success):
    """A POST-only view on one case of the member's firm: ``build_form(request, case)`` reads the
    input, ``action(request, case, data)`` calls the service."""

    @member_required
    @require_POST
    def view(request, pk: int):
        case = case_get(firm=request.firm, pk=pk)
        form = build_form(request, case) if build_form else None
        return _post(request, case, form, lambda data: action(request, case, data), str(success))

    return view


case_reason_add = case_action(
    lambda request, case: ReasonForm(request.POST, client=case.client, timeline=[]),
    lambda request, case, data: services.case_reason_add(
        case=case, by=request.user, sign_id=data["sign_id"], text=data["text"], evidence=data["pairs"]
    ),
    gettext_lazy("Reason added."),
)
case_checks_answer = case_action(
    lambda request, case: ChecksForm(request.POST, instance=OffboardingCase.objects.get(pk=case.pk)),
    lambda request, case, data: services.case_checks_answer(case=case, by=request.user, **data),
    gettext_lazy("Answers saved."),
)
case_submit = case_action(
    None,
    lambda request, case, data: services.case_submit(case=case, by=request.user),
    gettext_lazy("Sent for review."),
)
case_plan = case_action(
    lambda request, case: PlanForm(request.POST, instance=plan_get(case)),
    lambda request, case, data: services.plan_update(
        case=case,
        by=request.user,
        **{k: v for k, v in data.items() if not (k == "notice_date" and case.notified_on)},
    ),
    gettext_lazy("Plan saved."),
)
case_override = case_action(
    lambda request, case: OverrideForm(request.POST),
    lambda request, case, data: services.plan_override(
        case=case, by=request.user, field=data["field"], value=data["value"] or None, reason=data["reason"]
    ),
    gettext_lazy("Changed; the reason is recorded."),
)
case_write_off = case_action(
    lambda request, case: WriteOffForm(request.POST),
    lambda request, case, data: services.invoice_write_off(
        case=case, by=request.user, invoice_id=data["invoice"], reason=data["reason"]
    ),
    gettext_lazy("Invoice written off."),
)
case_notify = case_action(
    lambda request, case: NotifyForm(request.POST),
    lambda request, case, data: services.case_notify(case=case, by=request.user, **data),
    gettext_lazy("Recorded: the client has been told."),
)
case_task_add = case_action(
    lambda request, case: TaskAddForm(request.POST),
    lambda request, case, data: services.task_add(case=case, by=request.user, **data),
    gettext_lazy("Task added."),
)


def _advance(request, case, data):
    """notified → winding down → closed."""
    step = {State.NOTIFIED: services.case_wind_down, State.WINDING_DOWN: services.case_close}.get(case.state)
    if step is None:
        raise services.CaseError(_("This case does not move on from here."))
    return step(case=case, by=request.user)


case_advance = case_action(None, _advance, gettext_lazy("Case moved on."))


def _withdraw(request, case, data):
    # The state the member's page showed: a case approved meanwhile is not withdrawn unseen.
    seen = request.POST.get("seen_state")
    seen = seen if seen in State.values else None
    if request.POST.get("take_over") == "1":
        return services.case_take_over(case=case, by=request.user, note=data["note"], seen_state=seen)
    return services.case_withdraw(case=case, by=request.user, note=data["note"], seen_state=seen)


case_withdraw = case_action(
    lambda request, case: NoteForm(request.POST), _withdraw, gettext_lazy("The case is withdrawn.")
)


@member_required
@require_POST
def case_task(request, pk: int, task: int):
    case = case_get(firm=request.firm, pk=pk)
    row = get_object_or_404(CaseTask, pk=task, case=case)
    form = TaskForm(request.POST, instance=CaseTask.objects.get(pk=row.pk), firm=request.firm, prefix=f"task{row.pk}")
    return _post(
        request,
        case,
        form,
        lambda data: services.task_update(
            task=row, by=request.user, status=data["status"], notes=data["notes"], owner=data["owner"]
        ),
        _("Task updated."),
    )


@member_required
def cases(request):
    state = request.GET.get("state", "open")
    states = [("open", pgettext("cases", "Open")), *State.choices, ("all", pgettext("cases", "All"))]
    return render(
        request,
        "parting/case_list.html",
        {"cases": case_list(firm=request.firm, state=state), "state": state, "states": states},
    )


@member_required
def partings_page(request):
    rows = partings(firm=request.firm)
    context = {
        "rows": rows,
        "hours": sum(r.hours_per_month for r in rows),
        "revenue": sum(r.revenue_per_month for r in rows),
    }
    return render(request, "parting/partings.html", context)


@member_required
def referrals(request, item: int | None = None):
    """The directory of other providers the firm refers clients to (C10)."""
    instance = get_object_or_404(ReferralProvider, pk=item, firm=request.firm) if item else None
    form = ReferralProviderForm(request.POST or None, instance=instance, firm=request.firm)
    if request.method == "POST":
        if request.POST.get("delete") and instance:
            instance.delete()
            messages.success(request, _("Removed from the directory."))
            return redirect("referrals")
        if form.is_valid():
            form.save()
            messages.success(request, _("Saved %(name)s.") % {"name": form.instance.name})
            return redirect("referrals")
    providers = ReferralProvider.objects.filter(firm=request.firm).prefetch_related("services")
    return render(request, "parting/referrals.html", {"form": form, "providers": providers, "instance": instance})
