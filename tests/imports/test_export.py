"""Export (issue 10 §6, no lock-in): every table of the firm as CSV in the generic readers' columns,
a manifest with counts and SHA-256, nothing of another firm, and an export that imports into an empty
firm with the same scores, client by client (W1–W15), and adds nothing when imported again."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import zipfile
import zoneinfo
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from parting.audit.models import AuditEntry
from parting.clients.models import AccessGrant, Client, Contact, Credential, Engagement
from parting.evidence.models import ClientRequest, Incident, Invoice, Meeting, Message, Payment, TimeEntry
from parting.evidence.services import settle_invoices
from parting.firms.models import Service
from parting.imports.columns import GENERIC
from parting.imports.export import IMPORTED_BACK, export_firm
from parting.imports.services import run_import
from parting.letters.services import letter_generate
from parting.signs.scoring import Scorer
from tests.conftest import submitted_case, troubled_client
from tests.factories import ClientFactory, FirmFactory, MembershipFactory

pytestmark = pytest.mark.django_db

WARSAW = zoneinfo.ZoneInfo("Europe/Warsaw")
AS_OF = dt.date(2026, 6, 30)
NOW = dt.datetime(2026, 6, 30, 15, 0, tzinfo=WARSAW)
EVIDENCE = (Invoice, Payment, Meeting, Message, ClientRequest, Incident, TimeEntry)


def at(day: str, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour, minute), WARSAW)


def d(day: str) -> dt.date:
    return dt.date.fromisoformat(day)


def pay(invoice: Invoice, day: str, amount: str, reference: str = "", method: str = "") -> Payment:
    return Payment.objects.create(
        firm=invoice.firm,
        client=invoice.client,
        invoice=invoice,
        paid_on=d(day),
        amount=Decimal(amount),
        reference=reference,
        method=method,
        origin=Payment.Origin.IMPORTED if reference else Payment.Origin.LOGGED,
    )


def invoice(client, number: str, issued: str, due: str, amount: str, **kwargs) -> Invoice:
    return Invoice.objects.create(
        firm=client.firm,
        client=client,
        number=number,
        issued_on=d(issued),
        due_on=d(due),
        amount=Decimal(amount),
        currency=kwargs.pop("currency", client.firm.currency),
        **kwargs,
    )


def evidence_of(client, people: dict, tag: str = "", credit_note: bool = True) -> None:
    """Evidence of every kind for one client: invoices paid in two parts, late, half paid, a credit
    note, a foreign-currency invoice with a discount (W7, W9, W8, W11); meetings cancelled at short
    notice, missed, late (W4); messages after hours, to a partner, negative, with replies (W2, W3,
    W10); requests late and missing (W1, W14); incidents (W5, W6, W9, W13, W15); time (W11, W13)."""
    firm = client.firm
    n = f"{tag}{client.pk}"
    paid_in_two = invoice(client, f"{n}-INV-1", "2026-02-01", "2026-02-15", "1000.00", reminders_sent=2)
    pay(paid_in_two, "2026-02-20", "400.00", reference=f"ch_{n}_1", method="card")
    pay(paid_in_two, "2026-03-10", "600.00", method="bank transfer")  # logged by hand: no reference
    half_paid = invoice(client, f"{n}-INV-2", "2026-04-01", "2026-04-15", "500.00", disputed=True)
    pay(half_paid, "2026-04-20", "200.00")
    if credit_note:
        invoice(client, f"{n}-CN-1", "2026-04-05", "2026-04-05", "-200.00")
    foreign = invoice(
        client,
        f"{n}-INV-3",
        "2026-05-02",
        "2026-05-16",
        "2300.00",
        currency="PLN",
        fx_rate=Decimal("0.234500"),
        discount_requested=True,
        discount_given=Decimal("100.00"),
    )
    pay(foreign, "2026-05-10", "2200.00", reference=f"xero-{n}")
    on_time = invoice(client, f"{n}-INV-4", "2026-06-01", "2026-06-15", "750.50")
    pay(on_time, "2026-06-14", "800.00")  # paid too much …
    pay(on_time, "2026-06-20", "-49.50", method="refund")  # … and refunded
    settle_invoices(Invoice.objects.filter(client=client).values_list("pk", flat=True))

    Meeting.objects.create(
        firm=firm,
        client=client,
        starts_at=at("2026-03-10", 9),
        ends_at=at("2026-03-10", 10),
        status=Meeting.Status.CANCELLED_BY_CLIENT,
        cancelled_at=at("2026-03-10", 7, 30),  # 90 minutes' notice (W4)
        subject="Quarterly review",
        source_key=f"weekly-{n}@calendar.example/20260310T080000Z",
    )
    Meeting.objects.create(
        firm=firm,
        client=client,
        starts_at=at("2026-03-31", 9),  # the day after the change to summer time
        ends_at=at("2026-03-31", 10),
        status=Meeting.Status.CANCELLED_BY_CLIENT,
        cancelled_at=at("2026-03-27", 12),  # four days' notice: not short
    )
    Meeting.objects.create(
        firm=firm, client=client, starts_at=at("2026-04-14", 14), ends_at=at("2026-04-14", 15), status="no_show"
    )
    Meeting.objects.create(
        firm=firm, client=client, starts_at=at("2026-05-05", 11), ends_at=at("2026-05-05", 12), minutes_late=25
    )
    Meeting.objects.create(
        firm=firm,
        client=client,
        starts_at=at("2026-05-20", 11),
        ends_at=at("2026-05-20", 12),
        status=Meeting.Status.CANCELLED_BY_US,
        cancelled_at=at("2026-05-20", 10),
    )

    question = Message.objects.create(
        firm=firm,
        client=client,
        sent_at=at("2026-03-14", 22, 15),  # a Saturday night (W2)
        to_senior=True,  # past the assigned staff member, to a partner (W3)
        negative=True,
        summary=f"Why is this taking so long?!{tag}",
        source_key=f"q-{n}@acme.example",
    )
    answer = Message.objects.create(
        firm=firm,
        client=client,
        sent_at=at("2026-03-16", 9, 5),
        direction=Message.Direction.OUTBOUND,
        in_reply_to=question,
        summary="Re: Why is this taking so long?!",
    )
    Message.objects.create(
        firm=firm,
        client=client,
        sent_at=at("2026-03-16", 19, 40),
        in_reply_to=answer,
        summary="Re: Re: Why is this taking so long?!",
    )
    Message.objects.create(
        firm=firm, client=client, sent_at=at("2026-04-02", 12), channel=Message.Channel.PHONE, summary="Call, 10 min"
    )

    ClientRequest.objects.create(
        firm=firm,
        client=client,
        description="Bank statements for March",
        requested_on=d("2026-04-01"),
        due_on=d("2026-04-10"),
        received_on=d("2026-04-24"),  # two weeks late (W1)
    )
    ClientRequest.objects.create(
        firm=firm, client=client, description="Payroll hours", requested_on=d("2026-05-01"), due_on=d("2026-05-10")
    )  # still missing (W14)
    ClientRequest.objects.create(
        firm=firm,
        client=client,
        description="Purchase invoices",
        requested_on=d("2026-06-01"),
        due_on=d("2026-06-10"),
        received_on=d("2026-06-09"),
        source_key=f"req-{n}",
    )

    for kind, day, hours, note in (
        (Incident.Kind.REWORK, "2026-03-05", "3.50", "Re-filed the VAT return, their figures were wrong"),
        (Incident.Kind.SCOPE_CREEP, "2026-04-09", "2.00", 'Extra "quick" report, unbilled'),
        (Incident.Kind.DISRESPECT, "2026-05-12", "0", "Shouted at Ana on the phone\nsecond line"),
        (Incident.Kind.HAGGLING, "2026-05-13", "0", ""),
        (Incident.Kind.EXPERTISE_CHALLENGED, "2026-06-02", "0.75", "Their cousin says otherwise"),
    ):
        Incident.objects.create(
            firm=firm, client=client, kind=kind, occurred_on=d(day), hours_lost=Decimal(hours), note=note
        )

    for day, hours, billable, person in (
        ("2026-03-02", "2.50", True, people["staff"]),
        ("2026-03-02", "2.50", True, people["staff"]),  # the same again: two entries
        ("2026-04-15", "1.25", False, people["partner"]),
        ("2026-05-20", "7.00", True, None),
    ):
        TimeEntry.objects.create(
            firm=firm, client=client, date=d(day), hours=Decimal(hours), billable=billable, person=person, note="Books"
        )


def build_firm(firm, tag: str = "", credit_notes: bool = True) -> dict[str, Client]:
    """A firm of four clients with evidence of every kind, services, a referral, contacts."""
    people = {
        "owner": MembershipFactory(firm=firm, user__email=f"olga{tag}@firm.example").user,
        "partner": MembershipFactory(firm=firm, partner=True, user__email=f"piotr{tag}@firm.example").user,
        "staff": MembershipFactory(firm=firm, staff=True, user__email=f"ana{tag}@firm.example").user,
    }
    books, payroll, web = (
        Service.objects.create(firm=firm, name=f"{name}{tag}") for name in ("Bookkeeping", "Payroll", "Web design")
    )
    firm.focus_services.set([books])
    acme = ClientFactory(
        firm=firm,
        name=f"Acme Sp. z o.o.{tag}",
        email_domains="acme.pl acme.example",
        referral_source="Conference, 2023",
        started_on=d("2023-05-01"),
        notes='Pays late; "prefers phone",\nsecond line',
        assigned_to=people["staff"],
    )
    acme.services.set([books, web])
    Contact.objects.create(
        client=acme,
        name="Anna Nowak",
        email="anna@acme.pl",
        phone="+48 600 100 200",
        language="pl",
        form_of_address=Contact.Address.FEMININE,
        honorific="Dr",
    )
    Contact.objects.create(client=acme, name="Bob Smith", email="Bob@Acme.example", is_primary=False)
    Contact.objects.create(client=acme, name="Reception", phone="+48 22 100 00 00", is_primary=False)
    globex = ClientFactory(firm=firm, name=f"Globex{tag}", referred_by=acme, started_on=None)
    globex.services.set([payroll])
    Contact.objects.create(client=globex, name="Ola", email="ola@gmail.com", language="en")
    romashka = ClientFactory(firm=firm, name=f"Ромашка ООО{tag}")
    Contact.objects.create(client=romashka, name="Иван Петров", email="ivan@romashka.example", language="ru")
    initech = ClientFactory(firm=firm, name=f"Initech{tag}", status=Client.Status.FORMER)
    quiet = ClientFactory(firm=firm, name=f"Quiet{tag}")  # no evidence: "not enough evidence yet"
    for client in (acme, globex, romashka, initech):
        evidence_of(client, people, tag, credit_note=credit_notes)
    # What is not imported back but belongs to the firm.
    AccessGrant.objects.create(client=acme, name="Bank portal", kind="bank", level="admin", granted_on=d("2024-01-02"))
    Engagement.objects.create(client=acme, name="Annual accounts 2025", service=books, due_on=d("2026-07-31"))
    Credential.objects.create(client=acme, name="Domain registrar")
    return {"acme": acme, "globex": globex, "romashka": romashka, "initech": initech, "quiet": quiet, **people}


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def export_bytes(firm, **kwargs) -> tuple[bytes, dict]:
    out = io.BytesIO()
    manifest = export_firm(firm, out, **kwargs)
    return out.getvalue(), manifest


def scores(firm) -> dict[str, tuple]:
    """Each client's fit score, advice, value and every sign's value and band."""
    return {
        s.name: (
            s.score,
            s.enough_evidence,
            s.recommendation,
            [d.text for d in s.dealbreakers],
            s.revenue,
            round(s.hours, 2),
            len(s.referred),
            [(x.id, x.value, x.band) for x in s.signs],
        )
        for s in Scorer(firm, as_of=AS_OF, now=NOW).score()
    }


def import_archive(firm, data: bytes, tmp_path: Path, name: str = "export.zip"):
    path = tmp_path / name
    path.write_bytes(data)
    return run_import(firm=firm, by=None, kind="archive", paths=[path])


def table_counts(firm) -> dict[str, int]:
    counts = {model.__name__: model.objects.filter(firm=firm).count() for model in EVIDENCE}
    counts["Client"] = Client.objects.filter(firm=firm).count()
    counts["Contact"] = Contact.objects.filter(client__firm=firm).count()
    return counts


@pytest.fixture
def built(firm):
    return build_firm(firm)


# ---- the archive -----------------------------------------------------------------------------------


def test_the_archive_holds_every_file_with_the_manifests_row_counts_sizes_and_sha256(firm, built):
    data, manifest = export_bytes(firm)
    files = members(data)
    assert set(files) == {*manifest["files"], "manifest.json"}
    assert json.loads(files["manifest.json"]) == manifest
    for name, facts in manifest["files"].items():
        content = files[name]
        assert facts["bytes"] == len(content), name
        assert facts["sha256"] == hashlib.sha256(content).hexdigest(), name
        assert facts["rows"] == len(rows(content)), name
        assert next(csv.reader(io.StringIO(content.decode("utf-8-sig")))) == facts["columns"], name
    counted = manifest["files"]
    assert counted["clients.csv"]["rows"] == 5
    assert counted["contacts.csv"]["rows"] == 5
    assert counted["invoices.csv"]["rows"] == 4 * 5
    assert counted["payments.csv"]["rows"] == 4 * 6
    assert counted["meetings.csv"]["rows"] == 4 * 5
    assert counted["messages.csv"]["rows"] == 4 * 4
    assert counted["requests.csv"]["rows"] == 4 * 3
    assert counted["incidents.csv"]["rows"] == 4 * 5
    assert counted["time.csv"]["rows"] == 4 * 4
    assert counted["access_grants.csv"]["rows"] == counted["engagements.csv"]["rows"] == 1


def test_the_manifest_names_the_firm_its_settings_the_time_and_partings_version(firm, built):
    import parting

    _data, manifest = export_bytes(firm)
    assert manifest["format"] == "parting-export" and manifest["format_version"] == 1
    assert manifest["parting_version"] == parting.__version__
    assert dt.datetime.fromisoformat(manifest["exported_at"]).utcoffset() is not None
    about = manifest["firm"]
    assert (about["name"], about["currency"], about["time_zone"]) == (firm.name, "EUR", "Europe/Warsaw")
    assert about["focus_services"] == ["Bookkeeping"]
    assert about["working_hours"][0] == {"weekday": 0, "starts": "09:00", "ends": "17:00"}
    assert about["policy"]["window_months"] == 12
    imported = {name for name, f in manifest["files"].items() if f["imported_back"]}
    assert imported == {f"{kind}.csv" for kind in IMPORTED_BACK}


def test_evidence_files_have_exactly_the_generic_readers_columns(firm, built):
    files = members(export_bytes(firm)[0])
    for kind in IMPORTED_BACK:
        header = next(csv.reader(io.StringIO(files[f"{kind}.csv"].decode("utf-8-sig"))))
        assert tuple(header) == GENERIC[kind], kind


def test_cells_are_utf8_iso_dates_instants_with_the_firms_offset_and_point_decimals(firm, built):
    files = members(export_bytes(firm)[0])
    assert files["clients.csv"].startswith(b"\xef\xbb\xbfname,status,")  # a BOM, for Excel
    assert b"\r\n" in files["clients.csv"]
    clients = {r["name"]: r for r in rows(files["clients.csv"])}
    acme = clients["Acme Sp. z o.o."]
    assert (acme["email"], acme["contact"], acme["phone"]) == ("", "", "")  # contacts.csv has them, whole
    assert acme["language"] == "pl"  # the primary contact's
    assert acme["domains"] == "acme.pl; acme.example"
    assert acme["services"] == "Bookkeeping; Web design"
    assert acme["client_since"] == "2023-05-01"
    assert acme["notes"] == 'Pays late; "prefers phone",\nsecond line'
    assert clients["Globex"]["referred_by"] == "Acme Sp. z o.o."
    assert clients["Ромашка ООО"]["language"] == "ru"
    contacts = [r for r in rows(files["contacts.csv"]) if r["client"] == "Acme Sp. z o.o."]
    assert [(c["name"], c["email"], c["phone"], c["language"], c["is_primary"]) for c in contacts] == [
        ("Anna Nowak", "anna@acme.pl", "'+48 600 100 200", "pl", "yes"),  # guarded: a spreadsheet runs +48…
        ("Bob Smith", "Bob@Acme.example", "", "en", "no"),
        ("Reception", "", "'+48 22 100 00 00", "en", "no"),
    ]
    assert [r["name"] for r in rows(files["contacts.csv"]) if r["client"] == "Ромашка ООО"] == ["Иван Петров"]
    assert clients["Initech"]["status"] == "former"

    n = built["acme"].pk
    invoices = {r["number"]: r for r in rows(files["invoices.csv"])}
    foreign = invoices[f"{n}-INV-3"]
    assert (foreign["issued_on"], foreign["amount"], foreign["currency"], foreign["fx_rate"]) == (
        "2026-05-02",
        "2300.00",
        "PLN",
        "0.234500",
    )
    assert (foreign["discount_requested"], foreign["discount_given"], foreign["disputed"]) == ("yes", "100.00", "no")
    assert invoices[f"{n}-CN-1"]["amount"] == "-200.00"
    assert all(r["amount_paid"] == r["paid_on"] == "" for r in invoices.values())  # payments.csv has them
    assert invoices[f"{n}-INV-1"]["client_email"] == "anna@acme.pl"

    meetings = [r for r in rows(files["meetings.csv"]) if r["client"] == "Acme Sp. z o.o."]
    assert meetings[0]["starts_at"] == "2026-03-10T09:00:00+01:00"
    assert meetings[0]["cancelled_at"] == "2026-03-10T07:30:00+01:00"
    assert meetings[1]["starts_at"] == "2026-03-31T09:00:00+02:00"  # summer time
    assert meetings[0]["uid"] == f"weekly-{n}@calendar.example/20260310T080000Z"
    assert (
        meetings[1]["uid"] == f"meeting-{Meeting.objects.get(client=built['acme'], starts_at=at('2026-03-31', 9)).pk}"
    )


def test_every_payment_has_a_key_its_reference_or_a_stable_one_and_replies_name_their_parent(firm, built):
    first = members(export_bytes(firm)[0])
    second = members(export_bytes(firm)[0])
    assert first["payments.csv"] == second["payments.csv"]  # the same keys each time
    n = built["acme"].pk
    payments = [r for r in rows(first["payments.csv"]) if r["invoice_number"] == f"{n}-INV-1"]
    logged = Payment.objects.get(invoice__number=f"{n}-INV-1", reference="")
    assert [(p["id"], p["paid_on"], p["amount"], p["method"]) for p in payments] == [
        (f"ch_{n}_1", "2026-02-20", "400.00", "card"),
        (f"payment-{logged.pk}", "2026-03-10", "600.00", "bank transfer"),
    ]
    messages = [r for r in rows(first["messages.csv"]) if r["client"] == "Acme Sp. z o.o."]
    assert messages[0]["message_id"] == f"q-{n}@acme.example"
    assert (messages[0]["to_senior"], messages[0]["negative"], messages[0]["direction"]) == ("yes", "yes", "in")
    assert messages[0]["sent_at"] == "2026-03-14T22:15:00+01:00"
    answer = Message.objects.get(client=built["acme"], summary="Re: Why is this taking so long?!")
    assert messages[1]["message_id"] == f"message-{answer.pk}"  # no Message-ID of its own
    assert messages[1]["in_reply_to"] == messages[0]["message_id"]
    assert messages[2]["in_reply_to"] == messages[1]["message_id"]


def test_a_generated_key_never_repeats_one_the_firm_already_holds(firm, built):
    """A firm that imported an earlier export holds keys such as payment-12: a row of its own with
    id 12 and no reference gets another key, or a second import would see one payment twice."""
    hand_logged = Payment.objects.filter(firm=firm, reference="").first()
    other = Payment.objects.filter(firm=firm).exclude(pk=hand_logged.pk).exclude(reference="").first()
    other.reference = f"payment-{hand_logged.pk}"
    other.save()
    keys = [r["id"] for r in rows(members(export_bytes(firm)[0])["payments.csv"])]
    assert len(keys) == len(set(keys))
    assert f"payment-{hand_logged.pk}.2" in keys


def test_another_firms_rows_never_appear(firm, built):
    other = FirmFactory(name="Other Firm")
    build_firm(other, tag=" SECRET")
    trouble, incident = troubled_client(other, name="Trouble SECRET")
    submitted_case(trouble, MembershipFactory(firm=other, staff=True).user, incident)
    data, manifest = export_bytes(firm)
    for name, content in members(data).items():
        assert b"SECRET" not in content, name
        assert b"Other Firm" not in content, name
    assert manifest["files"]["clients.csv"]["rows"] == 5
    assert manifest["files"]["payments.csv"]["rows"] == Payment.objects.filter(firm=firm).count()


def test_cases_reasons_plans_letters_and_access_are_exported(firm, team, client_in_trouble):
    client, incident = client_in_trouble
    case = submitted_case(client, team["staff"], incident)
    letter_generate(case=case, by=team["staff"], lang="pl")
    AccessGrant.objects.create(client=client, name="Payroll system", kind="payroll")
    Engagement.objects.create(client=client, name="VAT return Q2", due_on=d("2026-07-25"))
    files = members(export_bytes(firm)[0])
    cases = rows(files["cases.csv"])
    assert [(c["case"], c["client"], c["state"], c["opened_by"]) for c in cases] == [
        (str(case.pk), "Trouble Ltd", "in_review", team["staff"].username)
    ]
    reasons = rows(files["case_reasons.csv"])
    assert [r["sign"] for r in reasons] == ["W7", "W15", ""]
    assert reasons[2]["text"] == "Shouted at Ana on the phone"
    assert json.loads(reasons[0]["snapshot"])  # the evidence frozen when the reason was added
    assert [p["case"] for p in rows(files["case_plans.csv"])] == [str(case.pk)] * len(rows(files["case_plans.csv"]))
    letters = rows(files["letters.csv"])
    assert letters and letters[0]["language"] == "pl" and letters[0]["version"] == "1"
    assert letters[0]["text"] == case.letters.get().current.body
    assert rows(files["access_grants.csv"])[0]["system"] == "Payroll system"
    assert rows(files["engagements.csv"])[0]["due_on"] == "2026-07-25"
    assert {t["to_state"] for t in rows(files["case_transitions.csv"])} >= {"in_review"}
    assert any(a["action"].startswith("case.") for a in rows(files["audit_log.csv"]))


def test_what_the_letters_use_goes_out_too_names_per_language_and_script_number_country_notes(firm):
    """No lock-in for the letters' data (issue 14): the client's number and country, the names the
    client reads per language, a contact's name in each script, a login's internal notes and the
    countries a referral provider works in are all in the archive."""
    from parting.cases.models import ReferralProvider

    acme = ClientFactory(firm=firm, name="Acme", number="C-042", country="GB")
    Contact.objects.create(client=acme, name="Иван Петров", email="ivan@acme.example", name_latin="Ivan Petrov")
    AccessGrant.objects.create(client=acme, name="Kadry", kind="payroll", client_names={"en": "Payroll system"})
    Engagement.objects.create(
        client=acme, name="VAT Q2", due_on=d("2026-07-25"), client_names={"pl": "Deklaracja VAT za II kwartał"}
    )
    Credential.objects.create(client=acme, name="Bank", notes="PIN in the safe", client_names={"en": "Bank portal"})
    ReferralProvider.objects.create(firm=firm, name="Harbour Books", countries=["GB", "IE"])
    files = members(export_bytes(firm)[0])
    terms = rows(files["client_terms.csv"])[0]
    assert (terms["number"], terms["country"]) == ("C-042", "GB")
    (named,) = rows(files["contact_names.csv"])
    assert (named["name"], named["name_latin"], named["name_cyrillic"]) == ("Иван Петров", "Ivan Petrov", "")
    assert json.loads(rows(files["access_grants.csv"])[0]["client_names"]) == {"en": "Payroll system"}
    assert json.loads(rows(files["engagements.csv"])[0]["client_names"]) == {"pl": "Deklaracja VAT za II kwartał"}
    login = rows(files["credentials.csv"])[0]
    assert login["notes"] == "PIN in the safe" and json.loads(login["client_names"]) == {"en": "Bank portal"}
    assert json.loads(rows(files["referral_providers.csv"])[0]["countries"]) == ["GB", "IE"]


def test_the_export_never_runs_a_query_per_client(firm):
    people = {"staff": MembershipFactory(firm=firm, staff=True).user, "partner": None}
    evidence_of(ClientFactory(firm=firm, name="One"), people)
    with CaptureQueriesContext(connection) as one:
        export_bytes(firm)
    for n in range(6):
        client = ClientFactory(firm=firm, name=f"More {n}")
        Contact.objects.create(client=client, name="X", email=f"x{n}@more.example")
        evidence_of(client, people)
    with CaptureQueriesContext(connection) as seven:
        export_bytes(firm)
    assert len(seven.captured_queries) == len(one.captured_queries)


def test_an_unseekable_stream_takes_the_archive(firm, built):
    """The page streams the archive into its response: a file object that can only be written."""

    class Sink(io.RawIOBase):
        def __init__(self):
            super().__init__()
            self.data = bytearray()

        def writable(self):
            return True

        def write(self, b):
            self.data += b
            return len(b)

    sink = Sink()
    manifest = export_firm(firm, sink)
    files = members(bytes(sink.data))
    assert hashlib.sha256(files["invoices.csv"]).hexdigest() == manifest["files"]["invoices.csv"]["sha256"]


def test_an_invoices_id_in_its_own_export_goes_out_and_comes_back(firm, built, tmp_path):
    """Stripe's in_… id finds the invoice for a later payments import: invoices.csv carries it in
    its id column, and an import of the archive keeps it."""
    number = f"{built['acme'].pk}-INV-1"
    Invoice.objects.filter(firm=firm, number=number).update(source_key="in_1PqR2sT3uV")
    data, manifest = export_bytes(firm)
    row = next(r for r in rows(members(data)["invoices.csv"]) if r["number"] == number)
    assert row["id"] == "in_1PqR2sT3uV"
    target = new_firm_like(manifest)
    assert import_archive(target, data, tmp_path).ok
    assert Invoice.objects.get(firm=target, number=number).source_key == "in_1PqR2sT3uV"


@pytest.mark.django_db(transaction=True)
def test_an_export_outside_a_transaction_reads_one_snapshot_and_leaves_the_connection_writable(tmp_path):
    """On PostgreSQL the export runs in a REPEATABLE READ, READ ONLY transaction of its own; it ends
    with the export, so the audit entry after it (and whatever comes next) can write."""
    firm = FirmFactory()
    owner = MembershipFactory(firm=firm).user
    evidence_of(ClientFactory(firm=firm, name="Acme"), {"staff": owner, "partner": None})
    manifest = export_firm(firm, tmp_path / "out.zip", by=owner)
    assert manifest["files"]["invoices.csv"]["rows"] == 5
    assert AuditEntry.objects.filter(firm=firm, action="export.done").count() == 1
    ClientFactory(firm=firm, name="Written after")


def test_the_export_is_logged_in_the_audit_log_when_someone_asks_for_it(firm, built):
    export_bytes(firm, by=built["owner"])
    entry = AuditEntry.objects.filter(firm=firm, action="export.done").get()
    assert entry.actor == built["owner"] and entry.data["rows"]["clients.csv"] == 5


# ---- the round trip --------------------------------------------------------------------------------


def new_firm_like(manifest: dict):
    """An empty firm in the same zone and currency, with the same working hours and policy (the
    factory's, which the manifest shows the exported firm has too)."""
    about = manifest["firm"]
    return FirmFactory(name="Imported", time_zone=about["time_zone"], currency=about["currency"])


def take_focus(target, manifest: dict) -> None:
    wanted = manifest["firm"]["focus_services"]
    target.focus_services.set(Service.objects.filter(firm=target, name__in=wanted))


# The loader settles only the invoices it loads payments or a paid amount for, so a new credit note
# (settled on its issue day, with no payment) comes in unpaid and W7 counts it late (reported with
# issue 10). test_credit_notes_come_back_settled… is a strict xfail until the loader settles it; then
# set this flag to True, and the round trips below build their firm with credit notes too.
LOADER_SETTLES_NEW_CREDIT_NOTES = True


@pytest.fixture
def trip(firm):
    """The firm of ``built`` as far as the loader reads it back today (see the flags above)."""
    return build_firm(firm, credit_notes=LOADER_SETTLES_NEW_CREDIT_NOTES)


def test_an_export_imported_into_an_empty_firm_gives_the_same_scores_client_by_client(firm, trip, tmp_path):
    """Issue 10 §6: W1–W15 values and bands, scores, advice, dealbreakers, revenue, hours, referrals."""
    data, manifest = export_bytes(firm)
    target = new_firm_like(manifest)
    result = import_archive(target, data, tmp_path)
    assert result.ok, result.problems.summary()
    assert result.run.unmatched == []
    take_focus(target, manifest)
    before, after = scores(firm), scores(target)
    assert set(after) == set(before)
    for name in before:
        assert after[name] == before[name], name
    # Not a trivial equality: the signs found something.
    acme = before["Acme Sp. z o.o."]
    assert acme[1] and acme[0] < 100
    assert {band for _id, _v, band in acme[-1]} >= {"poor"}
    assert before["Quiet"][2] == "insufficient"


def test_the_round_trip_keeps_invoices_payments_threads_and_clients_exactly(firm, trip, tmp_path):
    data, manifest = export_bytes(firm)
    target = new_firm_like(manifest)
    assert import_archive(target, data, tmp_path).ok

    def invoices(f):
        return sorted(
            Invoice.objects.filter(firm=f).values_list(
                "client__name",
                "number",
                "issued_on",
                "due_on",
                "amount",
                "currency",
                "fx_rate",
                "amount_paid",
                "paid_on",
                "reminders_sent",
                "discount_requested",
                "discount_given",
                "disputed",
            )
        )

    assert invoices(target) == invoices(firm)
    half = Invoice.objects.get(firm=target, number=f"{trip['acme'].pk}-INV-2")
    assert (half.amount_paid, half.paid_on) == (Decimal("200.00"), None)  # paid by half: still unpaid (W7)

    def payments(f):
        return sorted(
            Payment.objects.filter(firm=f).values_list("invoice__number", "paid_on", "amount", "method", "client__name")
        )

    assert payments(target) == payments(firm)

    def threads(f):
        return sorted(
            Message.objects.filter(firm=f).values_list(
                "client__name",
                "sent_at",
                "channel",
                "direction",
                "to_senior",
                "negative",
                "summary",
                "in_reply_to__sent_at",
            )
        )

    assert threads(target) == threads(firm)

    def meetings(f):
        return sorted(
            Meeting.objects.filter(firm=f).values_list(
                "client__name", "starts_at", "ends_at", "status", "cancelled_at", "minutes_late", "subject"
            )
        )

    assert meetings(target) == meetings(firm)

    def rest(f):
        return (
            sorted(
                ClientRequest.objects.filter(firm=f).values_list(
                    "client__name", "description", "requested_on", "due_on", "received_on"
                )
            ),
            sorted(
                Incident.objects.filter(firm=f).values_list("client__name", "kind", "occurred_on", "hours_lost", "note")
            ),
            sorted(TimeEntry.objects.filter(firm=f).values_list("client__name", "date", "hours", "billable", "note")),
        )

    assert rest(target) == rest(firm)

    def clients(f):
        return sorted(
            (
                c.name,
                c.status,
                c.started_on,
                c.referral_source,
                c.notes,
                c.referred_by.name if c.referred_by else None,
                sorted(c.email_domains.split()),
                sorted(s.name for s in c.services.all()),
            )
            for c in Client.objects.filter(firm=f)
        )

    assert clients(target) == clients(firm)

    def contacts(f):
        fields = ("client__name", "name", "email", "phone", "language", "form_of_address", "honorific", "is_primary")
        return sorted(
            (client, name, email.lower(), *rest)
            for client, name, email, *rest in Contact.objects.filter(client__firm=f).values_list(*fields)
        )

    assert contacts(target) == contacts(firm)


def test_importing_the_same_export_again_changes_nothing(firm, trip, tmp_path):
    data, manifest = export_bytes(firm)
    target = new_firm_like(manifest)
    assert import_archive(target, data, tmp_path).ok
    take_focus(target, manifest)
    counts, before = table_counts(target), scores(target)
    again = import_archive(target, data, tmp_path, name="again.zip")
    assert again.ok, again.problems.summary()
    done = again.run.counts["counts"]
    assert not any(what.get("added") or what.get("changed") for what in done.values()), done
    invoices = 20 if LOADER_SETTLES_NEW_CREDIT_NOTES else 16
    assert done["invoices"]["unchanged"] == invoices and done["payments"]["unchanged"] == 24
    # each client once (clients.csv), each contact once (contacts.csv): a contact's row is not a client's
    assert done["clients"]["unchanged"] == Client.objects.filter(firm=target).count()
    assert done["contacts"]["unchanged"] == Contact.objects.filter(client__firm=target).count()
    assert table_counts(target) == counts
    assert scores(target) == before
    # And its own export is the same files, but for the keys it now holds as its own.
    second, _ = export_bytes(target)
    assert rows(members(second)["invoices.csv"]) == rows(members(data)["invoices.csv"])


@pytest.mark.xfail(
    not LOADER_SETTLES_NEW_CREDIT_NOTES,
    strict=True,
    reason="the loader leaves a new credit note unsettled (LOADER_SETTLES_NEW_CREDIT_NOTES)",
)
def test_credit_notes_come_back_settled_on_their_issue_day_and_the_scores_with_them(firm, built, tmp_path):
    """W7, D10: a credit note is settled when it is issued; imported, it must not turn into a late invoice."""
    data, manifest = export_bytes(firm)
    target = new_firm_like(manifest)
    assert import_archive(target, data, tmp_path).ok
    take_focus(target, manifest)
    credit = Invoice.objects.get(firm=target, number=f"{built['acme'].pk}-CN-1")
    assert (credit.amount_paid, credit.paid_on) == (Decimal("0.00"), dt.date(2026, 4, 5))
    assert scores(target) == scores(firm)


# ---- the command -----------------------------------------------------------------------------------


def test_parting_export_writes_the_archive_and_prints_the_counts(firm, built, tmp_path, capsys):
    out = tmp_path / "acme.zip"
    call_command("export", "--user", built["owner"].username, "-o", str(out))
    printed = capsys.readouterr().out
    assert "invoices.csv: 20 rows" in printed and "clients.csv: 5 rows" in printed
    assert str(out) in printed
    with zipfile.ZipFile(out) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    assert manifest["firm"]["name"] == firm.name
    assert not list(tmp_path.glob("*.part"))
    assert AuditEntry.objects.filter(firm=firm, action="export.done", actor=built["owner"]).exists()


def test_parting_export_speaks_the_language_of_the_member_it_acts_as(firm, built, tmp_path, capsys):
    member = MembershipFactory(firm=firm, language="ru")
    out = tmp_path / "acme.zip"
    call_command("export", "--user", member.user.username, "-o", str(out))
    printed = capsys.readouterr().out
    assert "invoices.csv: 20 строк" in printed and "clients.csv: 5 строк" in printed, printed
    assert "экспортированы в" in printed and "Exported" not in printed
    with pytest.raises(CommandError, match="уже существует"):
        call_command("export", "--user", member.user.username, "-o", str(out))


def test_parting_export_refuses_to_overwrite_a_file_unless_forced(firm, built, tmp_path):
    out = tmp_path / "acme.zip"
    out.write_bytes(b"keep me")
    with pytest.raises(CommandError, match="already exists"):
        call_command("export", "--firm", firm.slug, "-o", str(out))
    assert out.read_bytes() == b"keep me"
    call_command("export", "--firm", firm.name, "-o", str(out), "--force")
    assert zipfile.is_zipfile(out)


def test_parting_export_acts_only_for_a_member_of_the_named_firm(firm, built, tmp_path):
    other = FirmFactory(name="Other Firm")
    outsider = MembershipFactory(firm=other).user
    with pytest.raises(CommandError, match="not a member"):
        call_command("export", "--firm", firm.slug, "--user", outsider.username, "-o", str(tmp_path / "x.zip"))
    with pytest.raises(CommandError, match="no firm"):
        call_command("export", "--firm", "nobody", "-o", str(tmp_path / "x.zip"))
    assert not (tmp_path / "x.zip").exists()


def test_parting_export_needs_a_folder_that_exists(firm, built, tmp_path):
    with pytest.raises(CommandError, match="no such folder"):
        call_command("export", "--firm", firm.slug, "-o", str(tmp_path / "missing" / "x.zip"))


def test_an_export_read_back_into_the_same_firm_adds_nothing_and_keys_its_hand_logged_rows(firm, trip, tmp_path):
    """Issue 10 §6: rows logged by hand have no key of their own; the export names them
    ``<kind>-<id>``. Read back into the firm it came from (a restore, an edited export), those names
    find the rows they came from instead of adding a copy of every hand-logged row — and the rows keep
    the key, so the next export names them the same way."""
    unkeyed = {model: model.objects.filter(firm=firm, **{key_field(model): ""}).count() for model in EVIDENCE}
    assert all(unkeyed[model] for model in (Payment, Meeting, Message, ClientRequest, Incident, TimeEntry))
    data, _manifest = export_bytes(firm)
    counts, before = table_counts(firm), scores(firm)
    again = import_archive(firm, data, tmp_path)
    assert again.ok, again.problems.summary()
    done = again.run.counts["counts"]
    assert not any(what.get("added") for what in done.values()), done
    assert table_counts(firm) == counts
    assert scores(firm) == before
    for model in (Payment, Meeting, Message, ClientRequest, Incident, TimeEntry):
        assert not model.objects.filter(firm=firm, **{key_field(model): ""}).exists(), model.__name__
    second, _ = export_bytes(firm)
    for name in ("payments.csv", "meetings.csv", "messages.csv", "requests.csv", "incidents.csv", "time.csv"):
        assert rows(members(second)[name]) == rows(members(data)[name]), name


def key_field(model) -> str:
    return "reference" if model is Payment else "source_key"


def test_a_generated_key_claims_only_this_firms_unkeyed_row_of_the_same_client(firm, trip, tmp_path):
    """A ``meeting-<id>`` naming another client's meeting, a meeting that already has a key, or
    another firm's meeting is a new row, never a change to that one."""
    data, _manifest = export_bytes(firm)
    meetings = rows(members(data)["meetings.csv"])
    hand = Meeting.objects.filter(firm=firm, source_key="").select_related("client").first()
    keyed = Meeting.objects.filter(firm=firm).exclude(source_key="").first()
    other_client = Client.objects.filter(firm=firm).exclude(pk=hand.client_id).first()
    elsewhere = FirmFactory()
    foreign = Meeting.objects.create(
        firm=elsewhere, client=ClientFactory(firm=elsewhere), starts_at=at("2026-05-04"), ends_at=at("2026-05-04", 11)
    )
    template = next(r for r in meetings if r["uid"] == f"meeting-{hand.pk}")
    forged = [
        {**template, "client": other_client.name, "client_email": ""},  # another client's row
        {**template, "uid": f"meeting-{keyed.pk}", "client": keyed.client.name, "client_email": ""},
        {**template, "uid": f"meeting-{foreign.pk}"},  # another firm's row
    ]
    path = tmp_path / "meetings.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.DictWriter(f, fieldnames=list(template))
        out.writeheader()
        out.writerows(forged)
    before = {m.pk: (m.client_id, m.source_key, m.starts_at) for m in Meeting.objects.all()}
    result = run_import(firm=firm, by=None, kind="meetings", paths=[path])
    assert result.ok, result.problems.summary()
    assert result.run.counts["counts"]["meetings"]["added"] == 3
    for pk, was in before.items():
        m = Meeting.objects.get(pk=pk)
        assert (m.client_id, m.source_key, m.starts_at) == was


def test_an_archive_changed_since_the_export_is_read_and_the_summary_names_the_changed_file(firm, built, tmp_path):
    """The manifest's SHA-256 per file is checked on import: a changed file is read as it is (a
    correction is legitimate) but never silently."""
    data, manifest = export_bytes(firm)
    untouched = import_archive(new_firm_like(manifest), data, tmp_path)
    assert untouched.ok and not any("SHA-256" in note for note in untouched.run.counts["notes"])

    source = zipfile.ZipFile(io.BytesIO(data))
    changed = io.BytesIO()
    with zipfile.ZipFile(changed, "w") as out:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "incidents.csv":
                content = content.replace(b"rework", b"haggling", 1)
            out.writestr(info, content)
    about = manifest["firm"]
    target = FirmFactory(name="Another copy", time_zone=about["time_zone"], currency=about["currency"])
    result = import_archive(target, changed.getvalue(), tmp_path, name="changed.zip")
    assert result.ok
    notes = [n for n in result.run.counts["notes"] if "SHA-256" in n]
    assert len(notes) == 1 and notes[0].startswith("incidents.csv is not the file the export wrote")
