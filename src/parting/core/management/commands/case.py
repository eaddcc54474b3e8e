"""``parting case``: offboarding cases from scripts — open, add reasons, answer the checks, show (text or JSON), approve or
object, advance to the next state, withdraw. Each subcommand calls the same service the pages call, so
every rule (D3, D4, D8, D10, D11 …) holds here too; a refused step exits with status 1 and the rule's
message.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from parting.cases import services
from parting.cases.checklist import task_title
from parting.cases.checks import case_checks
from parting.cases.models import OffboardingCase
from parting.cases.plan import plan_compute
from parting.core import limits
from parting.core.cli_scope import add_user_argument, firm_for
from parting.core.database import database_ready
from parting.core.management.commands.score import client_find
from parting.core.requests import id_param
from parting.firms.models import Membership

OUTWARD = OffboardingCase.OutwardReason


def case_id(value: str) -> int:
    """A case id as typed: ASCII digits only, a number the database can hold."""
    number = id_param(value)
    if number is None:
        raise argparse.ArgumentTypeError(f"{value!r} is not a case id (a number such as 12)")
    return number


class Command(BaseCommand):
    help = "Offboarding cases: open, reason, checks, show, approve, object, advance, withdraw."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        add = sub.add_parser

        def add_parser(name, **kwargs):  # --user and --lang go after the action: `parting case show 3 --user olga`
            command = add(name, **kwargs)
            add_user_argument(command)
            command.add_argument("--lang", help="language of the messages (default: the member's, else en)")
            return command

        sub.add_parser = add_parser

        opening = sub.add_parser("open", help="open a case for a client; prints the new case's id")
        opening.add_argument("--client", required=True, help="the client's name, or a part that names one client")
        opening.add_argument(
            "--reason",
            choices=OUTWARD.values,
            default=OUTWARD.GENERAL,
            help="the outward reason the client will hear (C6)",
        )
        opening.add_argument(
            "--attitude", action="store_true", help="the real reason is the client's attitude (C10: no referral)"
        )
        opening.add_argument(
            "--against-advice",
            default="",
            metavar="WHY",
            help="D1: when the signs advise keeping the client, why a case is opened anyway (kept with the case)",
        )

        reason = sub.add_parser("reason", help="add a documented reason (D8): a sign, or a written reason")
        reason.add_argument("id", type=case_id)
        reason.add_argument("--sign", default="", help="a warning sign, W1–W15; its evidence is snapshotted now")
        reason.add_argument("--text", default="", help="the reason in words")
        reason.add_argument(
            "--evidence",
            action="append",
            default=[],
            metavar="KIND:ID",
            help="an evidence row the written reason points at, e.g. incident:12 (repeatable)",
        )

        checks = sub.add_parser("checks", help="answer the decision checks that need an answer (D2, D3)")
        checks.add_argument("id", type=case_id)
        checks.add_argument(
            "--expectations-managed-on",
            type=dt.date.fromisoformat,
            metavar="YYYY-MM-DD",
            help="D2: when the client's expectations were discussed",
        )
        checks.add_argument("--expectations-note", default="", help="D2: how they were managed")
        checks.add_argument(
            "--confirm-pattern", action="store_true", help="D3: confirm this is more than one bad incident"
        )

        show = sub.add_parser("show", help="the case: state, reasons, checks, plan, money and checklist")
        show.add_argument("id", type=case_id)
        show.add_argument("--json", action="store_true", help="print JSON for scripts")

        for name, text in (("approve", "approve the case (D4)"), ("object", "object to the case (D4)")):
            review = sub.add_parser(name, help=text)
            review.add_argument("id", type=case_id)
            review.add_argument("--comment", default="")

        advance = sub.add_parser("advance", help="move the case to its next state")
        advance.add_argument("id", type=case_id)
        advance.add_argument(
            "--override-unpaid",
            default="",
            metavar="REASON",
            help="D10: notify although invoices are unpaid, with this reason recorded",
        )
        advance.add_argument("--on", type=dt.date.fromisoformat, help="the day the client was told (YYYY-MM-DD)")

        withdraw = sub.add_parser("withdraw", help="withdraw the case before the client is told (D11)")
        withdraw.add_argument("id", type=case_id)
        withdraw.add_argument("--note", default="")

    # Free text typed on the command line, held to the limit the pages' forms hold it to (the
    # services take text as it comes).
    TEXTS = {
        "text": "--text",
        "expectations_note": "--expectations-note",
        "comment": "--comment",
        "override_unpaid": "--override-unpaid",
        "note": "--note",
    }

    def handle(self, *args, **options):
        database_ready(self.stderr)
        firm, membership = firm_for(options["user"], options["firm_slug"])
        lang = options["lang"] or (membership.language if membership else "en")
        with translation.override(lang):
            for key, flag in self.TEXTS.items():
                text = options.get(key) or ""
                if (message := limits.too_long(flag, text, limits.NOTE)) is not None:
                    raise CommandError(message)
                if "\x00" in text:
                    raise CommandError(f"{flag}: a NUL character cannot be stored.")
            try:
                getattr(self, "_" + options["action"])(firm, membership, options)
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from None

    # -- who acts -------------------------------------------------------------------------------

    def _actor(self, firm, membership: Membership | None):
        """The member acting: ``--user``; without it, the firm's only member (a firm of one). Never a guess."""
        if membership is not None:
            return membership.user
        members = list(Membership.objects.filter(firm=firm).select_related("user")[:2])
        if len(members) == 1:
            return members[0].user
        raise CommandError("Say who acts with --user USERNAME (or PARTING_USER): the case records who did what.")

    def _case(self, firm, pk: int) -> OffboardingCase:
        case = OffboardingCase.objects.select_related("firm", "client", "opened_by").filter(firm=firm, pk=pk).first()
        if case is None:
            raise CommandError(f"No case {pk} in {firm.name}.")
        return case

    # -- subcommands ----------------------------------------------------------------------------

    def _open(self, firm, membership, options):
        client = client_find(firm, options["client"])
        case = services.case_open(
            client=client,
            by=self._actor(firm, membership),
            outward_reason=options["reason"],
            attitude=options["attitude"],
            against_advice=options["against_advice"],
        )
        self.stdout.write(str(case.pk))

    def _reason(self, firm, membership, options):
        case = self._case(firm, options["id"])
        evidence = []
        for item in options["evidence"]:
            kind, _sep, pk = item.partition(":")
            number = id_param(pk)
            if number is None:
                raise CommandError(f"--evidence {item!r}: write KIND:ID, e.g. incident:12.")
            evidence.append((kind, number))
        if not options["sign"] and not options["text"]:
            raise CommandError("Give --sign W1–W15 or --text with the reason.")
        reason = services.case_reason_add(
            case=case,
            by=self._actor(firm, membership),
            sign_id=options["sign"].upper(),
            text=options["text"],
            evidence=evidence,
        )
        self.stdout.write(f"Reason {reason.pk} added; the case has {case.reasons.count()}.")

    def _checks(self, firm, membership, options):
        case = self._case(firm, options["id"])
        services.case_checks_answer(  # what is not given keeps its earlier answer
            case=case,
            by=self._actor(firm, membership),
            expectations_managed_on=options["expectations_managed_on"] or case.expectations_managed_on,
            expectations_note=options["expectations_note"] or case.expectations_note,
            confirmed_not_one_incident=options["confirm_pattern"] or case.confirmed_not_one_incident,
        )
        for check in case_checks(case):
            self.stdout.write(f"[{check.status}] {check.rule} {check.question}")

    def _approve(self, firm, membership, options, decision="approve"):
        case = self._case(firm, options["id"])
        case = services.case_review(
            case=case, by=self._actor(firm, membership), decision=decision, comment=options["comment"]
        )
        self.stdout.write(f"Case {case.pk}: {case.state}")

    def _object(self, firm, membership, options):
        self._approve(firm, membership, options, decision="object")

    def _advance(self, firm, membership, options):
        case = self._case(firm, options["id"])
        case = services.case_advance(
            case=case, by=self._actor(firm, membership), unpaid_override=options["override_unpaid"], on=options["on"]
        )
        self.stdout.write(f"Case {case.pk}: {case.state}")

    def _withdraw(self, firm, membership, options):
        case = self._case(firm, options["id"])
        case = services.case_withdraw(case=case, by=self._actor(firm, membership), note=options["note"])
        self.stdout.write(f"Case {case.pk}: {case.state}")

    def _show(self, firm, membership, options):
        case = self._case(firm, options["id"])
        data = case_as_dict(case)
        if options["json"]:
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        self._text(data)

    def _text(self, data: dict) -> None:
        plan = data["plan"]
        out = [
            f"Case {data['id']} — {data['client']} — {data['state']}",
            f"Outward reason (C6): {data['outward_reason']}" + ("; attitude (C10)" if data["attitude"] else ""),
            "Reasons (D8):",
            *[f"  - {r['sign'] or 'written'}: {r['text']}" for r in data["reasons"]],
            "Checks:",
            *[f"  [{c['status']}] {c['rule']} {c['question']}" for c in data["checks"]],
            "Plan:",
        ]
        for key in ("notice_date", "end_date", "deletion_date", "accounting_records_until"):
            item = plan[key]
            out.append(f"  {key}: {item['value']}  ({item['rule']}) {item['explanation']}")
        money = plan["money"]
        out.append(f"Money ({plan['currency']}): unpaid balance {money['balance']}")
        out.append(f"  final invoice: {money['final_invoice']['value']}  {money['final_invoice']['explanation']}")
        if money["refund"]:
            out.append(f"  refund: {money['refund']['value']}  {money['refund']['explanation']}")
        if data["checklist"]:
            out.append("Checklist:")
            out += [f"  [{t['status']}] {t['due_on']}  {t['title']}" for t in data["checklist"]]
        self.stdout.write("\n".join(out))


def case_as_dict(case: OffboardingCase) -> dict:
    """The case as scripts read it: state, reasons, checks, ``plan`` (each date with its rule, and
    ``plan.money``), the plan as told to the client once notified, and the checklist."""
    plan = plan_compute(case)
    return {
        "id": case.pk,
        "client": case.client.name,
        "state": case.state,
        "outward_reason": case.outward_reason,
        "attitude": case.attitude,
        "opened_by": case.opened_by.get_username(),
        "outcome": case.outcome,
        "reasons": [
            {
                "sign": reason.sign_id,
                "text": reason.text or reason.snapshot.get("explanation", ""),
                "snapshot": reason.snapshot,
                "added_by": reason.added_by.get_username(),
            }
            for reason in case.reasons.select_related("added_by").order_by("id")
        ],
        "reviews": [
            {"by": review.reviewer.get_username(), "decision": review.decision, "comment": review.comment}
            for review in case.reviews.select_related("reviewer").order_by("at", "id")
        ],
        "checks": [check.as_dict() for check in case_checks(case, plan)],
        "plan": plan.as_dict(),
        "plan_told": case.plan_told or None,
        "checklist": [
            {
                "kind": task.kind,
                "title": task_title(task),
                "required": task.required,
                "status": task.status,
                "due_on": task.due_on.isoformat(),
                "owner": task.owner.get_username() if task.owner else None,
                "notes": task.notes,
            }
            for task in case.tasks.select_related("owner").order_by("order", "id")
        ],
    }
