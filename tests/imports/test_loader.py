"""Loading (issue 10 §3, §4): matched to the right client, written all or nothing, never twice, a
corrected file changes what changed and says so, a dry run reports exactly what the import does."""

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command

from parting.audit.models import AuditEntry
from parting.clients.models import Client, Contact
from parting.evidence.models import ClientRequest, Invoice, Message, Payment
from parting.firms.models import Membership
from parting.imports.loader import Loader
from parting.imports.matching import Matcher, normalise_name
from parting.imports.models import ClientAlias, ImportRun
from parting.imports.problems import Problems, Source
from parting.imports.records import ClientRef, InvoiceRecord, MessageRecord, PaymentRecord
from parting.imports.services import run_import
from tests.factories import ClientFactory, FirmFactory, MembershipFactory

pytestmark = pytest.mark.django_db

REQUESTS = """client,client_email,id,description,requested_on,due_on,received_on
Acme,,R1,Bank statements for March,2026-04-01,2026-04-10,2026-04-15
Acme,,R2,Payroll hours,2026-05-01,2026-05-10,
Globex,,R3,Purchase invoices,2026-05-01,2026-05-10,2026-05-09
"""


def write(tmp_path: Path, text: str, name: str = "requests.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def invoice(number, client="Acme", amount="100", paid=None, day=dt.date(2026, 3, 1), line=2):
    return InvoiceRecord(
        source=Source("invoices.csv", line),
        client=ClientRef(name=client),
        number=number,
        issued_on=day,
        due_on=day + dt.timedelta(days=14),
        amount=Decimal(amount),
        amount_paid=Decimal(paid) if paid else None,
    )


def load(firm, records, **kwargs):
    loader = Loader(firm, **kwargs)
    for record in records:
        loader.add(record)
    return loader, loader.finish()


@pytest.mark.parametrize(
    ("written", "normalised"),
    [
        ("ACME Sp. z o.o.", "acme"),
        ("Ромашка ООО", "ромашка"),
        ('ООО "Ромашка"', "ромашка"),
        ('אלפא בע"מ', "אלפא"),
        ("S.C. Știință S.R.L.", "stiinta"),
        ("Müller GmbH & Co. KG", "muller"),
        ("Tallinn Design OÜ", "tallinn design"),
        ("Ltd", "ltd"),  # a name that is only a legal form stays a name
    ],
)
def test_names_match_whatever_their_case_accents_and_legal_form(written, normalised):
    assert normalise_name(written) == normalised


def test_a_record_matches_by_contact_address_then_domain_then_name_and_never_another_firms_client(firm):
    acme = ClientFactory(firm=firm, name="Acme Sp. z o.o.", email_domains="acme.pl")
    globex = ClientFactory(firm=firm, name="Globex")
    Contact.objects.create(client=globex, name="Ola", email="ola@gmail.com")
    ClientFactory(firm=FirmFactory(), name="Initech")  # another firm's client is never a match
    matcher = Matcher(firm)
    assert matcher.match(ClientRef(emails=("ola@gmail.com",))) == globex.id
    assert matcher.match(ClientRef(emails=("anyone@acme.pl",))) == acme.id
    assert matcher.match(ClientRef(emails=("someone@gmail.com",))) is None  # a public domain names no client
    assert matcher.match(ClientRef(name="ACME")) == acme.id
    assert matcher.match(ClientRef(name="Initech")) is None


def test_a_name_that_fits_two_clients_matches_neither(firm):
    ClientFactory(firm=firm, name="Acme Ltd")
    ClientFactory(firm=firm, name="Acme GmbH")
    assert Matcher(firm).match(ClientRef(name="Acme")) is None


def test_a_name_mapped_by_the_user_matches_its_client(firm):
    acme = ClientFactory(firm=firm, name="Acme")
    ClientAlias.objects.create(firm=firm, alias=normalise_name("ACME Holding (old name)"), client=acme)
    assert Matcher(firm).match(ClientRef(name="ACME Holding (old name)")) == acme.id


def test_unmatched_records_are_listed_with_counts_and_skipped_unless_clients_are_created(firm, tmp_path):
    ClientFactory(firm=firm, name="Acme")
    path = write(tmp_path, REQUESTS)
    result = run_import(firm=firm, by=None, kind="requests", paths=[path])
    assert result.ok
    assert result.run.unmatched == [["Globex", 1]]
    assert ClientRequest.objects.filter(firm=firm).count() == 2
    result = run_import(firm=firm, by=None, kind="requests", paths=[path], create_clients=True)
    assert Client.objects.filter(firm=firm, name="Globex").exists()
    assert ClientRequest.objects.filter(firm=firm).count() == 3
    assert result.run.counts["counts"]["requests"] == {"added": 1, "unchanged": 2}


def test_loading_the_same_file_twice_adds_nothing(firm, tmp_path):
    ClientFactory(firm=firm, name="Acme")
    ClientFactory(firm=firm, name="Globex")
    path = write(tmp_path, REQUESTS)
    run_import(firm=firm, by=None, kind="requests", paths=[path])
    before = list(ClientRequest.objects.filter(firm=firm).order_by("pk").values())
    again = run_import(firm=firm, by=None, kind="requests", paths=[path])
    assert again.run.counts["counts"] == {"requests": {"unchanged": 3}}
    assert list(ClientRequest.objects.filter(firm=firm).order_by("pk").values()) == before


def test_a_corrected_file_changes_what_changed_and_says_so(firm, tmp_path):
    ClientFactory(firm=firm, name="Acme")
    ClientFactory(firm=firm, name="Globex")
    run_import(firm=firm, by=None, kind="requests", paths=[write(tmp_path, REQUESTS)])
    corrected = REQUESTS.replace(
        "Payroll hours,2026-05-01,2026-05-10,", "Payroll hours,2026-05-01,2026-05-10,2026-05-12"
    )
    result = run_import(firm=firm, by=None, kind="requests", paths=[write(tmp_path, corrected, "fixed.csv")])
    assert result.run.counts["counts"] == {"requests": {"changed": 1, "unchanged": 2}}
    assert any("received_on" in line for line in result.run.counts["changes"])
    assert ClientRequest.objects.get(firm=firm, source_key="R2").received_on == dt.date(2026, 5, 12)


def test_one_bad_row_writes_nothing_not_even_the_good_rows_before_it(firm, tmp_path):
    ClientFactory(firm=firm, name="Acme")
    bad = REQUESTS + "Acme,,R4,Contract,2026-02-30,2026-03-10,\n"
    result = run_import(firm=firm, by=None, kind="requests", paths=[write(tmp_path, bad)], create_clients=True)
    assert not result.ok
    problem = next(iter(result.problems))
    assert (problem.source.file, problem.source.line, problem.column) == ("requests.csv", 5, "requested_on")
    assert not ClientRequest.objects.filter(firm=firm).exists()
    assert not Client.objects.filter(firm=firm, name="Globex").exists()
    assert result.run.state == ImportRun.State.FAILED and result.run.error_count == 1


def test_a_dry_run_reports_what_the_import_then_does_and_writes_nothing(firm, tmp_path):
    ClientFactory(firm=firm, name="Acme")
    path = write(tmp_path, REQUESTS)
    dry = run_import(firm=firm, by=None, kind="requests", paths=[path], dry_run=True, create_clients=True)
    assert not ClientRequest.objects.filter(firm=firm).exists()
    assert not Client.objects.filter(firm=firm, name="Globex").exists()
    assert dry.run.counts["per_client"] == {
        "Acme": {"requests added": 2},
        "Globex": {"clients added": 1, "requests added": 1},
    }
    real = run_import(firm=firm, by=None, kind="requests", paths=[path], create_clients=True)
    assert real.run.counts["counts"] == dry.run.counts["counts"]


def test_the_import_log_keeps_who_when_which_file_and_what_it_did_and_the_audit_log_has_it(firm, tmp_path):
    member = MembershipFactory(firm=firm).user
    ClientFactory(firm=firm, name="Acme")
    path = write(tmp_path, REQUESTS)
    result = run_import(firm=firm, by=member, kind="requests", paths=[path])
    run = ImportRun.objects.get(pk=result.run.pk)
    assert (run.by, run.file_name, run.state) == (member, "requests.csv", ImportRun.State.DONE)
    import hashlib

    assert run.file_sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    entry = AuditEntry.objects.filter(firm=firm, action="import.done").get()
    assert entry.data["sha256"] == run.file_sha256 and entry.data["counts"] == {
        "requests": {"added": 2, "skipped (no such client)": 1}
    }


def test_w7_an_invoice_paid_in_two_parts_from_a_payments_export_is_paid_on_the_second(firm):
    ClientFactory(firm=firm, name="Acme")
    load(firm, [invoice("INV-1", amount="1000", paid="1000")])
    assert Payment.objects.get(invoice__number="INV-1").origin == Payment.Origin.INVOICE  # the export's summary
    payments = [
        PaymentRecord(
            Source("payments.csv", 2), ClientRef(name="Acme"), dt.date(2026, 3, 20), Decimal("400"), "P1", "INV-1"
        ),
        PaymentRecord(
            Source("payments.csv", 3), ClientRef(name="Acme"), dt.date(2026, 4, 2), Decimal("600"), "P2", "INV-1"
        ),
    ]
    load(firm, payments[:1])
    row = Invoice.objects.get(firm=firm, number="INV-1")
    assert (row.amount_paid, row.paid_on) == (Decimal("400"), None)  # the summary gave way to the real payment
    load(firm, payments)
    row.refresh_from_db()
    assert (row.amount_paid, row.paid_on) == (Decimal("1000"), dt.date(2026, 4, 2))
    assert sorted(Payment.objects.filter(invoice=row).values_list("reference", flat=True)) == ["P1", "P2"]


def test_an_invoice_number_twice_in_one_import_is_a_problem_with_its_line(firm):
    ClientFactory(firm=firm, name="Acme")
    problems = Problems()
    load(firm, [invoice("INV-1"), invoice("INV-1", amount="5", line=7)], problems=problems)
    assert [(p.source.line, "twice" in p.reason) for p in problems] == [(7, True)]


def test_w3_mail_to_a_partner_who_is_not_the_clients_own_contact_counts_and_replies_are_threaded(firm):
    partner = MembershipFactory(firm=firm, role=Membership.Role.PARTNER, user__email="boss@firm.pl").user
    staff = MembershipFactory(firm=firm, role=Membership.Role.STAFF, user__email="ann@firm.pl").user
    ClientFactory(firm=firm, name="Acme", email_domains="acme.pl", assigned_to=staff)
    ClientFactory(firm=firm, name="Globex", email_domains="globex.pl", assigned_to=partner)
    at = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)

    def mail(key, sender, to, reply=""):
        return MessageRecord(
            Source("mail.mbox", 1), key, at, sender, to=(to,), in_reply_to=reply, client=ClientRef(emails=(sender, to))
        )

    load(
        firm,
        [
            mail("m1@acme.pl", "ceo@acme.pl", "boss@firm.pl"),
            mail("m2@firm.pl", "boss@firm.pl", "ceo@acme.pl", reply="m1@acme.pl"),
            mail("m3@acme.pl", "ceo@acme.pl", "ann@firm.pl"),
            mail("m4@globex.pl", "cfo@globex.pl", "boss@firm.pl"),  # the partner is Globex's own contact
        ],
    )
    rows = {m.source_key: m for m in Message.objects.filter(firm=firm)}
    assert [rows[k].to_senior for k in ("m1@acme.pl", "m3@acme.pl", "m4@globex.pl")] == [True, False, False]
    assert rows["m2@firm.pl"].direction == Message.Direction.OUTBOUND and rows["m1@acme.pl"].direction == "in"
    assert rows["m2@firm.pl"].in_reply_to_id == rows["m1@acme.pl"].pk


def test_the_import_command_prints_each_problem_with_file_line_and_column_and_exits_1(firm, tmp_path, capsys):
    ClientFactory(firm=firm, name="Acme")
    path = write(tmp_path, REQUESTS + "Acme,,R4,Contract,31/02/2026,2026-03-10,\n")
    with pytest.raises(SystemExit) as exit_:
        call_command("import", "requests", str(path), "--firm", firm.slug)
    assert exit_.value.code == 1
    err = capsys.readouterr().err
    assert "requests.csv, line 5, column 'requested_on'" in err and "nothing was written" in err
    assert not ClientRequest.objects.filter(firm=firm).exists()


def test_the_import_command_summarises_a_dry_run_per_client(firm, tmp_path, capsys):
    ClientFactory(firm=firm, name="Acme")
    call_command("import", "requests", str(write(tmp_path, REQUESTS)), "--firm", firm.slug, "--dry-run")
    out = capsys.readouterr().out
    assert "Dry run" in out and "Acme: Requests to the client: added: 2" in out and "Globex: 1" in out
    assert "1 record name 1 client Parting does not know" in out
    assert not ClientRequest.objects.filter(firm=firm).exists()


def test_the_import_command_speaks_the_language_of_the_member_it_acts_as(firm, tmp_path, capsys):
    """A Polish member's import prints its summary, its problems and its progress in Polish; without
    --user, the firm's default language (PARTING_LANGUAGE) speaks."""
    MembershipFactory(firm=firm, user__username="kasia", language="pl")
    ClientFactory(firm=firm, name="Acme")
    path = write(tmp_path, REQUESTS)
    call_command("import", "requests", str(path), "--firm", firm.slug, "--user", "kasia", "--dry-run")
    out, err = capsys.readouterr()
    assert "Import próbny" in out and "Acme: Prośby do klienta: dodane: 2" in out, out
    assert "odczytano " in err and "read " not in err
    bad = write(tmp_path, REQUESTS + "Acme,,R4,Contract,31/02/2026,2026-03-10,\n", name="bad.csv")
    with pytest.raises(SystemExit):
        call_command("import", "requests", str(bad), "--firm", firm.slug, "--user", "kasia")
    err = capsys.readouterr().err
    assert "1 problem; nic nie zapisano:" in err and "wiersz 5" in err, err
    call_command("import", "requests", str(path), "--firm", firm.slug, "--dry-run")
    assert "Dry run" in capsys.readouterr().out


def test_w7_a_stripe_payment_finds_its_invoice_by_the_exports_invoice_id(firm):
    ClientFactory(firm=firm, name="Acme")
    record = invoice("8F2C-0001", amount="499")
    load(firm, [InvoiceRecord(**{**{f: getattr(record, f) for f in record.__slots__}, "key": "in_1QaZ"})])
    payment = PaymentRecord(
        Source("payments.csv", 2), ClientRef(name="Acme"), dt.date(2026, 3, 9), Decimal("499"), "ch_1", "in_1QaZ"
    )
    load(firm, [payment])
    row = Invoice.objects.get(firm=firm, number="8F2C-0001")
    assert (row.paid_on, row.amount_paid) == (dt.date(2026, 3, 9), Decimal("499"))


def test_w7_a_payment_naming_no_invoice_pays_the_clients_oldest_open_invoices_first_and_only_once(firm):
    ClientFactory(firm=firm, name="Acme")
    load(
        firm,
        [
            invoice("A-2", amount="300", day=dt.date(2026, 2, 1)),
            invoice("A-1", amount="200", day=dt.date(2026, 1, 1)),
            invoice("A-3", amount="100", day=dt.date(2026, 3, 1)),
        ],
    )
    lump = [
        PaymentRecord(Source("payments.csv", 2), ClientRef(name="Acme"), dt.date(2026, 3, 20), Decimal("350"), "QB-7"),
        PaymentRecord(Source("payments.csv", 3), ClientRef(name="Acme"), dt.date(2026, 3, 21), Decimal("100"), "QB-8"),
    ]
    load(firm, lump)
    paid = dict(Invoice.objects.filter(firm=firm).values_list("number", "amount_paid"))
    assert paid == {"A-1": Decimal("200"), "A-2": Decimal("250"), "A-3": Decimal("0")}
    load(firm, lump)  # the same payments file again
    assert dict(Invoice.objects.filter(firm=firm).values_list("number", "amount_paid")) == paid
    assert Payment.objects.filter(firm=firm).count() == 3


def test_two_rows_of_one_clients_file_whose_names_differ_only_by_legal_form_are_two_clients(firm, tmp_path):
    path = write(tmp_path, "name,email\nAcme,\nAcme Ltd,\n", "clients.csv")
    result = run_import(firm=firm, by=None, kind="clients", paths=[path])
    assert result.ok, result.problems.summary()
    assert sorted(Client.objects.filter(firm=firm).values_list("name", flat=True)) == ["Acme", "Acme Ltd"]
    assert Matcher(firm).match(ClientRef(name="acme ltd")) == Client.objects.get(firm=firm, name="Acme Ltd").pk


def test_a_clients_file_row_finds_an_existing_client_by_its_name_without_the_legal_form(firm, tmp_path):
    acme = ClientFactory(firm=firm, name="ACME Sp. z o.o.")
    result = run_import(
        firm=firm, by=None, kind="clients", paths=[write(tmp_path, "name,domains\nAcme,acme.pl\n", "c.csv")]
    )
    assert result.ok and result.run.counts["counts"] == {"clients": {"changed": 1}}
    acme.refresh_from_db()
    assert acme.email_domains == "acme.pl"


def test_w10_an_imported_mails_negative_tone_is_labelled_as_the_heuristics_guess_on_the_client_page(firm, client):
    acme = ClientFactory(firm=firm, name="Acme", email_domains="acme.pl")
    client.force_login(MembershipFactory(firm=firm).user)
    at = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
    mail = MessageRecord(Source("mail.mbox", 1), "m1@acme.pl", at, "ceo@acme.pl", subject="Unacceptable", negative=True)
    load(
        firm,
        [
            MessageRecord(
                **{**{f: getattr(mail, f) for f in mail.__slots__}, "client": ClientRef(emails=("ceo@acme.pl",))}
            )
        ],
    )
    Message.objects.create(firm=firm, client=acme, sent_at=at, negative=True, summary="Logged by hand")
    page = client.get(f"/clients/{acme.pk}/").content.decode()
    assert page.count("negative tone (heuristic)") == 1


def test_w3_a_clients_file_says_who_looks_after_each_client_and_an_unknown_member_is_noted(firm, tmp_path):
    staff = MembershipFactory(firm=firm, role=Membership.Role.STAFF, user__email="ann@firm.pl").user
    MembershipFactory(firm=firm, role=Membership.Role.PARTNER, user__username="marek")
    good = write(tmp_path, "name,assigned_to\nAcme,ANN@firm.pl\nGlobex,marek\n", "clients.csv")
    assert run_import(firm=firm, by=None, kind="clients", paths=[good]).ok
    assigned = dict(Client.objects.filter(firm=firm).values_list("name", "assigned_to__username"))
    assert assigned == {"Acme": staff.username, "Globex": "marek"}
    other = write(tmp_path, "name,assigned_to\nInitech,nobody@firm.pl\n", "other.csv")
    result = run_import(firm=firm, by=None, kind="clients", paths=[other])
    assert result.ok and any("'nobody@firm.pl'" in note for note in result.run.counts["notes"])
    assert Client.objects.get(firm=firm, name="Initech").assigned_to is None


def test_w2_a_freelancer_on_gmail_still_counts_a_gmail_clients_mail_as_the_clients(firm):
    """A member's public mail domain is not the firm's: mail from another gmail.com address is inbound."""
    MembershipFactory(firm=firm, user__email="me.freelancer@gmail.com")
    acme = ClientFactory(firm=firm, name="Acme")
    Contact.objects.create(client=acme, name="Ola", email="ola@gmail.com")
    at = dt.datetime(2026, 3, 2, 21, tzinfo=dt.UTC)
    mail = MessageRecord(
        Source("mail.mbox", 1), "m1@gmail.com", at, "ola@gmail.com", to=("me.freelancer@gmail.com",),
        client=ClientRef(emails=("ola@gmail.com",)),
    )  # fmt: skip
    load(firm, [mail])
    assert Message.objects.get(firm=firm, source_key="m1@gmail.com").direction == Message.Direction.INBOUND


CLOCKIFY_IN_ANOTHER_LANGUAGE = (
    "Projekt,Klient,Opis,Użytkownik,Email,Rozliczane,Data rozpoczęcia,Godzina rozpoczęcia,Czas trwania (h)\n"
    "Strona,Acme,Przegląd,Anna,anna@firm.pl,Tak,05.01.2026,09:00,01:30:00\n"
)
CLOCKIFY_MAP = {"client": "Klient", "date": "Data rozpoczęcia", "hours": "Czas trwania (h)", "project": "Projekt"}


def test_a_mapping_saved_with_a_format_serves_the_next_file_with_its_columns_without_naming_the_format(firm, tmp_path):
    """Saved after `--format clockify --map …`, the mapping was found only when --format was given
    again: a file with the mapping's columns now finds it, format included."""
    from parting.imports.services import save_mapping

    ClientFactory(firm=firm, name="Acme")
    path = write(tmp_path, CLOCKIFY_IN_ANOTHER_LANGUAGE, "clockify.csv")
    save_mapping(FirmFactory(), "time", "clockify", CLOCKIFY_MAP, "dmy")  # another firm's serves no one here
    assert not run_import(firm=firm, by=None, kind="time", paths=[path], dry_run=True).ok  # no columns of ours
    save_mapping(firm, "time", "clockify", CLOCKIFY_MAP, "dmy")
    result = run_import(firm=firm, by=None, kind="time", paths=[path])
    assert result.ok, [str(p) for p in result.problems]
    assert result.run.counts["counts"]["time entries"] == {"added": 1}
    other = write(tmp_path, "Client,Date,Hours\nAcme,2026-01-06,2\n", "other.csv")  # lacks the mapping's columns
    assert run_import(firm=firm, by=None, kind="time", paths=[other]).ok  # read with its own column names


def test_time_entries_by_people_outside_the_firm_and_over_long_notes_are_noted_not_dropped_silently(firm, tmp_path):
    from parting.evidence.models import TimeEntry

    MembershipFactory(firm=firm, user__email="ann@firm.pl")
    ClientFactory(firm=firm, name="Acme")
    long_note = "x" * 400
    path = write(
        tmp_path,
        "client,date,hours,person,note\n"
        "Acme,2026-01-05,1,ann@firm.pl,short\n"
        "Acme,2026-01-06,2,Ghost Person,\n"
        f"Acme,2026-01-07,3,Ghost Person,{long_note}\n",
        "time.csv",
    )
    result = run_import(firm=firm, by=None, kind="time", paths=[path])
    assert result.ok
    notes = result.run.counts["notes"]
    assert any("2 time entries are by people who are not members of the firm (Ghost Person)" in n for n in notes)
    assert any("1 time entry had a project and note longer than 300 characters" in n for n in notes)
    assert TimeEntry.objects.filter(client__firm=firm, person__isnull=True).count() == 2
    assert len(TimeEntry.objects.get(client__firm=firm, date=dt.date(2026, 1, 7)).note) == 300
