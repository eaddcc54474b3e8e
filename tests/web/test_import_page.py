"""The Import page (issue 10 §7): upload → preview and column mapping → dry run → import; choices for
clients Parting does not know; the run's page with its errors and progress; the owners' export.
Everything within the member's firm; bad input is a message on the page, never a 500."""

from __future__ import annotations

import io
import json
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as BrowserClient
from django.urls import reverse

from parting.audit.models import AuditEntry
from parting.evidence.models import Invoice, Meeting
from parting.imports import worker as import_worker
from parting.imports.matching import normalise_name
from parting.imports.models import ClientAlias, ColumnMapping, ImportRun
from parting.imports.worker import run_queued_imports, upload_dir
from tests.factories import ClientFactory, FirmFactory, MembershipFactory

GENERIC = (
    b"client,number,issued_on,due_on,amount\r\n"
    b"Acme Corp,INV-1,2026-01-05,2026-02-04,100.00\r\n"
    b"Acme Corp,INV-2,2026-02-05,2026-03-07,250.50\r\n"
)
OWN_COLUMNS = (
    b"Customer;Invoice No;Date;Due;Total\r\n"
    b"Acme Corp;A-7;05.01.2026;04.02.2026;1.200,00\r\n"
    b"Acme Corp;A-8;15.01.2026;14.02.2026;80,00\r\n"
)


@pytest.fixture
def member(owner, client):
    client.force_login(owner.user)
    return owner


@pytest.fixture
def acme(firm):
    return ClientFactory(firm=firm, name="Acme Corp")


def upload(client, files, kind="invoices"):
    data = {"kind": kind, "files": [SimpleUploadedFile(name, content) for name, content in files]}
    return client.post(reverse("imports"), data)


def token_of(response) -> str:
    assert response.status_code == 302, response.content.decode()[:2000]
    return re.search(r"/import/upload/([0-9a-f]{32})/", response["Location"]).group(1)


def dry_run(client, token, **fields):
    response = client.post(reverse("import_upload", kwargs={"token": token}), fields)
    assert response.status_code == 302, response.content.decode()[:3000]
    return ImportRun.objects.get(pk=int(response["Location"].rstrip("/").rsplit("/", 1)[1]))


def confirm(client, run, **choices):
    response = client.post(reverse("import_confirm", kwargs={"pk": run.pk}), choices)
    assert response.status_code == 302
    return ImportRun.objects.get(pk=int(response["Location"].rstrip("/").rsplit("/", 1)[1]))


# -- the whole flow ----------------------------------------------------------------------------


def test_upload_preview_dry_run_then_import_of_a_small_invoices_csv(client, member, acme):
    token = token_of(upload(client, [("january.csv", GENERIC)]))
    stored = list(upload_dir(token).iterdir())
    assert "january.csv" not in {p.name for p in stored}  # the member's name is never a path

    preview = client.get(reverse("import_upload", kwargs={"token": token})).content.decode()
    assert "INV-1" in preview and "250.50" in preview and "january.csv" in preview
    assert re.search(r'name="map_number"[^>]*>.*?<option value="number" selected>', preview, re.S)

    run = dry_run(client, token, format="", date_order="")
    assert run.dry_run and run.state == ImportRun.State.DONE and run.error_count == 0
    assert run.counts["counts"]["invoices"]["added"] == 2
    assert Invoice.objects.count() == 0  # a dry run writes nothing
    page = client.get(reverse("import_run", kwargs={"pk": run.pk})).content.decode()
    assert (
        "Invoices</th><td>2 added" in page
        and "Acme Corp" in page
        and reverse("import_confirm", kwargs={"pk": run.pk}) in page
    )

    imported = confirm(client, run)
    assert not imported.dry_run and imported.state == ImportRun.State.DONE
    assert set(Invoice.objects.filter(client=acme).values_list("number", flat=True)) == {"INV-1", "INV-2"}
    assert imported.file_sha256 == run.file_sha256 and len(imported.file_sha256) == 64
    assert not upload_dir(token).exists()  # the upload is gone once imported
    assert AuditEntry.objects.filter(action="import.done", firm=member.firm).count() == 1

    listing = client.get(reverse("imports")).content.decode()
    assert run.file_sha256[:12] in listing and "january.csv" in listing and "2 added" in listing


def test_a_dry_run_imported_once_is_not_imported_twice(client, member, acme):
    run = dry_run(client, token_of(upload(client, [("a.csv", GENERIC)])))
    first = confirm(client, run)
    response = client.post(reverse("import_confirm", kwargs={"pk": run.pk}))
    assert response["Location"] == reverse("import_run", kwargs={"pk": first.pk})
    assert ImportRun.objects.filter(dry_run=False).count() == 1
    assert Invoice.objects.count() == 2


def test_a_mapping_is_saved_and_preselected_for_the_next_file_with_those_columns(client, member, acme):
    token = token_of(upload(client, [("own.csv", OWN_COLUMNS)]))
    preview = client.get(reverse("import_upload", kwargs={"token": token})).content.decode()
    assert "Invoice No" in preview and "1.200,00" in preview
    assert not re.search(r'<option value="Invoice No" selected>', preview)
    mapping = {
        "map_client": "Customer",
        "map_number": "Invoice No",
        "map_issued_on": "Date",
        "map_due_on": "Due",
        "map_amount": "Total",
    }
    run = dry_run(client, token, date_order="dmy", save_mapping="on", **mapping)
    assert run.state == ImportRun.State.DONE, run.errors
    saved = ColumnMapping.objects.get(firm=member.firm, kind="invoices")
    assert saved.mapping == {k.removeprefix("map_"): v for k, v in mapping.items()} and saved.date_order == "dmy"
    confirm(client, run)
    assert Invoice.objects.get(number="A-7").amount == 1200

    again = token_of(upload(client, [("own-february.csv", OWN_COLUMNS.replace(b"A-7", b"A-9"))]))
    preview = client.get(reverse("import_upload", kwargs={"token": again})).content.decode()
    assert re.search(r'<option value="Invoice No" selected>', preview)
    assert re.search(r'<option value="dmy" selected>', preview)

    # the next file spells a column otherwise ('Invoice no'): the saved mapping still chooses it
    respelt = OWN_COLUMNS.replace(b"Invoice No", b"Invoice  no").replace(b"A-7", b"A-10")
    third = token_of(upload(client, [("own-march.csv", respelt)]))
    preview = client.get(reverse("import_upload", kwargs={"token": third})).content.decode()
    assert re.search(r'name="map_number"[^>]*>.*?<option value="Invoice  no" selected>', preview, re.S)


def test_back_from_a_failed_dry_run_the_columns_the_member_chose_are_still_chosen(client, member, acme):
    token = token_of(upload(client, [("own.csv", OWN_COLUMNS)]))
    mapping = {"map_client": "Customer", "map_number": "Invoice No", "map_issued_on": "Date", "map_amount": "Total"}
    run = dry_run(client, token, date_order="mdy", **mapping)  # 15.01.2026 is no month-first date
    assert run.state == ImportRun.State.FAILED and run.error_count
    page = client.get(reverse("import_run", kwargs={"pk": run.pk})).content.decode()
    back = reverse("import_upload", kwargs={"token": token}) + f"?run={run.pk}"
    assert f'href="{back}"' in page
    form = client.get(back).content.decode()
    assert re.search(r'name="map_number"[^>]*>.*?<option value="Invoice No" selected>', form, re.S)
    assert re.search(r'<option value="mdy" selected>', form)
    assert not re.search(r'name="map_due_on"[^>]*>.*?<option value="Due" selected>.*?</select>', form, re.S)
    assert not re.search(r'<input[^>]*name="save_mapping"[^>]*checked', form)  # not ticked: not ticked again

    # another firm's run, or a run of other files, preselects nothing of theirs
    stranger = MembershipFactory(firm=FirmFactory(), role="owner")
    theirs = ImportRun.objects.create(
        firm=stranger.firm,
        kind="invoices",
        dry_run=True,
        options={"upload": token, "date_order": "dmy", "mapping": {"number": "Invoice No"}},
    )
    for pk in (theirs.pk, "x", "9" * 30):
        form = client.get(reverse("import_upload", kwargs={"token": token}) + f"?run={pk}")
        assert form.status_code == 200
        assert not re.search(
            r'<option value="dmy" selected>|<option value="Invoice No" selected>', form.content.decode()
        )

    # "Save this mapping", ticked for the failed dry run, is still ticked on coming back
    run = dry_run(client, token, date_order="mdy", save_mapping="on", **mapping)
    form = client.get(reverse("import_upload", kwargs={"token": token}) + f"?run={run.pk}").content.decode()
    assert re.search(r'<input[^>]*name="save_mapping"[^>]*checked', form)


def test_a_name_mapped_to_an_existing_client_is_saved_as_an_alias_and_its_rows_land_on_that_client(
    client, member, acme
):
    csv = GENERIC.replace(b"Acme Corp", b"ACME Holdings International")
    run = dry_run(client, token_of(upload(client, [("holding.csv", csv)])))
    assert run.unmatched == [["ACME Holdings International", 2]]
    page = client.get(reverse("import_run", kwargs={"pk": run.pk})).content.decode()
    assert "ACME Holdings International" in page and f'<option value="{acme.pk}">Acme Corp</option>' in page

    confirm(client, run, choice_0=str(acme.pk))
    alias = ClientAlias.objects.get(firm=member.firm)
    assert alias.alias == normalise_name("ACME Holdings International") and alias.client == acme
    assert Invoice.objects.filter(client=acme).count() == 2


def test_unknown_names_are_created_or_skipped_as_the_member_chooses_for_each(client, member):
    csv = (
        b"client,number,issued_on,amount\r\n"
        b"New Co,N-1,2026-01-05,10\r\n"
        b"Stranger Ltd,S-1,2026-01-06,20\r\n"
        b"New Co,N-2,2026-01-07,30\r\n"
    )
    run = dry_run(client, token_of(upload(client, [("mixed.csv", csv)])))
    assert dict(run.unmatched) == {"New Co": 2, "Stranger Ltd": 1}
    names = [name for name, _n in run.unmatched]
    choices = {f"choice_{i}": ("create" if name == "New Co" else "skip") for i, name in enumerate(names)}
    imported = confirm(client, run, **choices)
    assert imported.state == ImportRun.State.DONE, imported.errors
    assert sorted(Invoice.objects.values_list("number", "client__name")) == [("N-1", "New Co"), ("N-2", "New Co")]
    assert not member.firm.clients.filter(name__icontains="Stranger").exists()


def test_unknown_names_are_all_created_when_that_is_the_choice_for_every_name(client, member):
    csv = b"client,number,issued_on,amount\r\nNew Co,N-1,2026-01-05,10\r\nOther Co,O-1,2026-01-06,20\r\n"
    run = dry_run(client, token_of(upload(client, [("new.csv", csv)])))
    confirm(client, run, others="create")
    assert set(member.firm.clients.values_list("name", flat=True)) == {"New Co", "Other Co"}
    assert Invoice.objects.count() == 2


def test_several_files_are_uploaded_and_imported_together(client, member, acme):
    second = b"client,number,issued_on,amount\r\nAcme Corp,INV-3,2026-03-01,5\r\n"
    run = dry_run(client, token_of(upload(client, [("a.csv", GENERIC), ("b.csv", second)])))
    assert run.file_name == "a.csv, b.csv" and run.counts["counts"]["invoices"]["added"] == 3
    confirm(client, run)
    assert Invoice.objects.count() == 3


def test_a_calendar_is_detected_from_its_name_and_has_nothing_to_map(client, member):
    ics = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:e1@test\r\n"
        b"DTSTAMP:20260101T000000Z\r\nDTSTART:20260105T090000Z\r\nDTEND:20260105T100000Z\r\n"
        b"SUMMARY:Review\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    response = upload(client, [("work.ics", ics)], kind="")
    token = token_of(response)
    page = client.get(reverse("import_upload", kwargs={"token": token})).content.decode()
    assert "no columns to map" in page and "map_" not in page
    run = dry_run(client, token)
    assert run.kind == "calendar" and run.state in (ImportRun.State.DONE, ImportRun.State.FAILED)


def test_an_unknown_address_or_organisation_given_to_a_client_is_remembered_and_its_meetings_land_there(
    client, member, acme
):
    event = (
        "BEGIN:VEVENT\r\nUID:{uid}@test\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260105T090000Z\r\n"
        "DTEND:20260105T100000Z\r\nSUMMARY:Review\r\nATTENDEE:mailto:{who}\r\nEND:VEVENT\r\n"
    )
    ics = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n"
        + event.format(uid="e1", who="ceo@acme.example")
        + event.format(uid="e2", who="ola.acme@gmail.com")
        + "END:VCALENDAR\r\n"
    ).encode()
    run = dry_run(client, token_of(upload(client, [("work.ics", ics)], kind="")))
    assert run.unmatched == [["@acme.example", 1], ["ola.acme@gmail.com", 1]]
    page = client.get(reverse("import_run", kwargs={"pk": run.pk})).content.decode()
    assert "Change the format or the columns" not in page  # a calendar has neither
    assert "A name that starts with @ is an organisation" in page
    imported = confirm(client, run, choice_0=str(acme.pk), choice_1=str(acme.pk))
    assert imported.state == ImportRun.State.DONE, imported.errors
    acme.refresh_from_db()
    assert acme.email_domains == "acme.example"  # everyone at acme.example, from now on
    assert list(acme.contacts.values_list("email", flat=True)) == ["ola.acme@gmail.com"]
    assert Meeting.objects.filter(client=acme).count() == 2


# -- bad input -----------------------------------------------------------------------------------


def test_no_file_is_a_message_not_an_error_page(client, member):
    response = client.post(reverse("imports"), {"kind": "invoices"})
    assert response.status_code == 400 and "Choose at least one file" in response.content.decode()


def test_an_empty_file_is_refused_with_its_name(client, member):
    response = upload(client, [("empty.csv", b"")])
    assert response.status_code == 400
    assert "empty.csv is empty." in response.content.decode()


def test_a_calendar_uploaded_as_invoices_is_the_wrong_kind(client, member):
    response = upload(client, [("work.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")], kind="invoices")
    assert response.status_code == 400
    assert "work.ics looks like a calendar (.ics), but “Invoices” was chosen" in response.content.decode()


@pytest.mark.parametrize("kind", ["calendar", "mail", "archive"])
def test_a_spreadsheet_uploaded_as_a_calendar_mail_or_export_is_the_wrong_kind(client, member, kind):
    response = upload(client, [("own.xlsx", b"PK\x03\x04 not read: refused by its name")], kind=kind)
    assert response.status_code == 400
    page = response.content.decode()
    assert "own.xlsx is a spreadsheet, but “" in page and "is read from other files" in page


def test_the_preview_of_a_workbook_says_which_of_its_sheets_it_shows(client, member):
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "Summary"
    book.active.append(["Invoice report", "Q1"])
    book.create_sheet("Invoices").append(["client", "number", "issued_on", "amount"])
    raw = io.BytesIO()
    book.save(raw)
    token = token_of(upload(client, [("q1.xlsx", raw.getvalue())]))
    preview = client.get(reverse("import_upload", kwargs={"token": token})).content.decode()
    assert "the sheet “Summary” was read" in preview


def test_a_csv_file_uploaded_as_mail_is_the_wrong_kind(client, member):
    response = upload(client, [("inbox.csv", GENERIC)], kind="mail")
    assert response.status_code == 400
    page = response.content.decode()
    assert "inbox.csv is a CSV file, but “" in page and "is read from other files" in page


def test_a_csv_file_cannot_be_detected_from_its_name(client, member):
    response = upload(client, [("export.csv", GENERIC)], kind="")
    assert response.status_code == 400 and "cannot be told from their names" in response.content.decode()


def test_an_unknown_kind_is_refused(client, member):
    response = upload(client, [("export.csv", GENERIC)], kind="spreadsheets")
    assert response.status_code == 400 and "Choose what the files hold" in response.content.decode()


def test_a_csv_uploaded_as_mail_is_the_wrong_kind(client, member):
    response = upload(client, [("export.csv", GENERIC)], kind="mail")
    assert response.status_code == 400 and "is a CSV file" in response.content.decode()


def test_an_upload_over_the_limit_is_refused_before_it_is_read(client, member, settings):
    settings.IMPORT_MAX_BYTES = 1000
    response = upload(client, [("big.csv", GENERIC + b"x" * 2000)])
    assert response.status_code == 413 and "larger than" in response.content.decode()
    assert ImportRun.objects.count() == 0


def test_a_binary_file_as_invoices_shows_why_on_the_preview_and_the_dry_run_lists_the_problem(client, member):
    token = token_of(upload(client, [("photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))]))
    preview = client.get(reverse("import_upload", kwargs={"token": token}))
    assert preview.status_code == 200 and "cannot be read" in preview.content.decode()
    run = dry_run(client, token)
    assert run.state == ImportRun.State.FAILED and run.error_count >= 1
    page = client.get(reverse("import_run", kwargs={"pk": run.pk})).content.decode()
    assert "photo.csv" in page and "Traceback" not in page and "nothing was written" in page
    assert reverse("import_confirm", kwargs={"pk": run.pk}) not in page  # nothing to import


def test_errors_are_a_table_of_file_line_column_reason_escaped(client, member):
    csv = b"client,number,<script>alert(1)</script>,amount\r\nAcme,1,2026-01-01,10\r\n"
    run = dry_run(client, token_of(upload(client, [("x<b>.csv", csv)])))
    assert run.state == ImportRun.State.FAILED
    page = client.get(reverse("import_run", kwargs={"pk": run.pk})).content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert "x<b>.csv" not in page and "x&lt;b&gt;.csv" in page
    table = page[page.index('class="errors"') :]
    for heading in ("File", "Line", "Column", "Reason"):
        assert f">{heading}</th>" in table


def test_a_mapping_to_a_column_the_file_lacks_is_a_form_error(client, member):
    token = token_of(upload(client, [("a.csv", GENERIC)]))
    response = client.post(reverse("import_upload", kwargs={"token": token}), {"map_number": "No such column"})
    assert response.status_code == 400 and "Select a valid choice" in response.content.decode()
    assert ImportRun.objects.count() == 0


def test_an_upload_cleared_before_its_dry_run_or_its_import_is_a_message_not_an_error(client, member, acme):
    token = token_of(upload(client, [("a.csv", GENERIC)]))
    (upload_dir(token) / "1").unlink()
    response = client.post(reverse("import_upload", kwargs={"token": token}), {})
    assert response.status_code == 404 and ImportRun.objects.count() == 0

    token = token_of(upload(client, [("a.csv", GENERIC)]))
    run = dry_run(client, token)
    (upload_dir(token) / "1").unlink()
    assert (
        reverse("import_confirm", kwargs={"pk": run.pk})
        not in client.get(reverse("import_run", kwargs={"pk": run.pk})).content.decode()
    )
    response = client.post(reverse("import_confirm", kwargs={"pk": run.pk}), follow=True)
    assert "upload the files again" in response.content.decode()
    assert Invoice.objects.count() == 0 and ImportRun.objects.filter(dry_run=False).count() == 0


def test_upload_needs_the_csrf_token(member, db):
    browser = BrowserClient(enforce_csrf_checks=True)
    browser.force_login(member.user)
    response = browser.post(reverse("imports"), {"kind": "invoices", "files": [SimpleUploadedFile("a.csv", GENERIC)]})
    assert response.status_code == 403
    assert ImportRun.objects.count() == 0


def test_an_unknown_upload_token_is_404(client, member):
    assert client.get(reverse("import_upload", kwargs={"token": "0" * 32})).status_code == 404
    assert client.get(reverse("import_upload", kwargs={"token": "..%2F..%2Fetc"})).status_code == 404


# -- another firm ------------------------------------------------------------------------------


def test_another_firms_runs_uploads_and_clients_are_404(client, member, acme):
    other_owner = MembershipFactory(firm=FirmFactory())
    other = BrowserClient()
    other.force_login(other_owner.user)
    token = token_of(upload(other, [("theirs.csv", GENERIC)]))
    theirs = dry_run(other, token)
    for name in ("import_run", "import_progress"):
        assert client.get(reverse(name, kwargs={"pk": theirs.pk})).status_code == 404
    assert client.post(reverse("import_confirm", kwargs={"pk": theirs.pk})).status_code == 404
    assert client.get(reverse("import_upload", kwargs={"token": token})).status_code == 404
    assert theirs.file_name not in client.get(reverse("imports")).content.decode()

    # Our dry run, with an unknown name given to the other firm's client: 404, nothing imported.
    their_client = ClientFactory(firm=other_owner.firm, name="Theirs")
    ours = dry_run(client, token_of(upload(client, [("ours.csv", GENERIC.replace(b"Acme Corp", b"Nobody"))])))
    response = client.post(reverse("import_confirm", kwargs={"pk": ours.pk}), {"choice_0": str(their_client.pk)})
    assert response.status_code == 404
    assert not ClientAlias.objects.exists() and Invoice.objects.count() == 0


# -- large files: the worker, and the progress fragment ------------------------------------------


def test_a_large_upload_waits_for_the_worker_and_its_page_polls_until_done(client, member, acme, monkeypatch):
    monkeypatch.setattr(import_worker, "INLINE_BYTES", 10)
    run = dry_run(client, token_of(upload(client, [("big.csv", GENERIC)])))
    assert run.state == ImportRun.State.QUEUED
    page = client.get(reverse("import_run", kwargs={"pk": run.pk})).content.decode()
    assert 'hx-trigger="every 2s"' in page and reverse("import_progress", kwargs={"pk": run.pk}) in page
    assert '<meta http-equiv="refresh"' in page  # without JavaScript the page reloads itself

    assert run_queued_imports() == "1 queued import(s) run"
    run.refresh_from_db()
    assert run.state == ImportRun.State.DONE and run.progress == 100
    fragment = client.get(reverse("import_progress", kwargs={"pk": run.pk}), HTTP_HX_REQUEST="true")
    assert 'hx-trigger="every 2s"' not in fragment.content.decode()
    assert fragment["HX-Refresh"] == "true"  # the page reloads once to show the result

    imported = confirm(client, run)
    assert imported.state == ImportRun.State.QUEUED and Invoice.objects.count() == 0
    run_queued_imports()
    assert Invoice.objects.filter(client=acme).count() == 2


def test_the_progress_fragment_shows_the_running_imports_percent_and_keeps_polling(client, member):
    token = token_of(upload(client, [("a.csv", GENERIC)]))
    run = ImportRun.objects.create(
        firm=member.firm,
        by=member.user,
        kind="invoices",
        file_name="a.csv",
        state=ImportRun.State.RUNNING,
        options={"upload": token, "files": [["1", "a.csv"]]},
    )
    (upload_dir(token) / f".progress-{run.pk}").write_text("42")
    response = client.get(reverse("import_progress", kwargs={"pk": run.pk}), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert 'value="42"' in html and 'hx-trigger="every 2s"' in html and "HX-Refresh" not in response
    assert "<html" not in html


# -- export --------------------------------------------------------------------------------------


def test_staff_and_partners_cannot_export(client, firm, team):
    for role in ("staff", "partner"):
        client.force_login(team[role])
        assert client.post(reverse("import_export")).status_code == 403
        assert "Export all data" not in client.get(reverse("imports")).content.decode()


def test_an_owner_gets_the_firms_data_as_a_zip(client, member, acme):
    assert "Export all data" in client.get(reverse("imports")).content.decode()
    assert client.get(reverse("import_export")).status_code == 405
    response = client.post(reverse("import_export"))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"] and ".zip" in response["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert "manifest.json" in archive.namelist()
    assert "Acme Corp" in archive.read("clients.csv").decode()


def test_the_menu_links_to_the_import_page(client, member):
    assert f'href="{reverse("imports")}"' in client.get(reverse("dashboard")).content.decode()


def test_the_mapping_step_offers_what_an_invoice_still_owes_and_the_row_type_for_other_tools(client, member, acme):
    """Another tool's invoice list with a balance column: mapped to amount_due, the unpaid part stays
    owed (W7, D10), and a row typed as an estimate is no invoice."""
    other_tool = (
        b"Customer;Invoice No;Date;Due;Total;Still owed;Kind\r\n"
        b"Acme Corp;B-1;05.01.2026;04.02.2026;1.000,00;400,00;Invoice\r\n"
        b"Acme Corp;B-2;06.01.2026;05.02.2026;90,00;90,00;Estimate\r\n"
    )
    token = token_of(upload(client, [("other.csv", other_tool)]))
    preview = client.get(reverse("import_upload", kwargs={"token": token})).content.decode()
    assert 'name="map_amount_due"' in preview and 'name="map_type"' in preview
    mapping = {
        "map_client": "Customer",
        "map_number": "Invoice No",
        "map_issued_on": "Date",
        "map_due_on": "Due",
        "map_amount": "Total",
        "map_amount_due": "Still owed",
        "map_type": "Kind",
    }
    run = dry_run(client, token, date_order="dmy", **mapping)
    assert run.state == ImportRun.State.DONE, run.errors
    confirm(client, run)
    invoice = Invoice.objects.get(number="B-1")
    assert invoice.amount == 1000 and invoice.balance == 400 and invoice.paid_on is None
    assert not Invoice.objects.filter(number="B-2").exists()


@pytest.mark.parametrize(("language", "shown"), [("pl", "Gdańsk Sp. z o.o."), ("en", "Gdañsk Sp. z o.o.")])
def test_the_preview_reads_a_legacy_charset_as_the_import_will_for_the_member(client, firm, language, shown):
    """Byte F1 is "ń" in cp1250 (Polish Windows) and "ñ" in cp1252 (English Windows): the preview
    reads the file in the charset of the member's language, as the import does."""
    member = MembershipFactory(firm=firm, language=language)
    client.force_login(member.user)
    content = "name,language\r\nGdańsk Sp. z o.o.,pl\r\n".encode("cp1250")
    token = token_of(upload(client, [("klienci.csv", content)], kind="clients"))
    page = client.get(reverse("import_upload", kwargs={"token": token})).content.decode()
    assert f"<td>{shown}</td>" in page


def test_a_dry_run_started_while_an_import_holds_the_write_lock_says_to_try_again_not_a_server_error(
    client, member, acme, monkeypatch
):
    """SQLite has one write lock, and a large import holds it for its whole transaction: a page that
    must write meanwhile waits 20 s, then gets "database is locked". It is a page that says so (503,
    Retry-After), in the member's language, never a 500."""
    from django.db import OperationalError

    from parting.web.views import imports as views

    token = token_of(upload(client, [("january.csv", GENERIC)]))

    def locked(*args, **kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(views, "start_run", locked)
    response = client.post(reverse("import_upload", kwargs={"token": token}), {})
    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert "Parting is busy writing an import" in response.content.decode()


def test_other_database_errors_are_not_taken_for_a_busy_database(client, member, acme, monkeypatch):
    from django.db import OperationalError

    from parting.web.views import imports as views

    token = token_of(upload(client, [("january.csv", GENERIC)]))

    def broken(*args, **kwargs):
        raise OperationalError("no such table: imports_importrun")

    monkeypatch.setattr(views, "start_run", broken)
    client.raise_request_exception = True
    with pytest.raises(OperationalError):
        client.post(reverse("import_upload", kwargs={"token": token}), {})


def test_mail_files_uploaded_by_name_keep_what_their_names_say(client, member):
    """Uploads are stored under numbers; what a file's own name says still counts: Thunderbird's
    .msf index and Apple Mail's table_of_contents chosen with the mail are not mail, and a maildir
    file's flags (T: trashed) are in its name."""
    from pathlib import Path

    samples = Path(__file__).parents[1] / "imports" / "samples" / "mail"
    trashed = next((samples / "maildir" / "cur").glob("*,ST"))
    files = [
        ("Inbox", (samples / "thunderbird_local_folders" / "Inbox").read_bytes()),
        ("Inbox.msf", (samples / "thunderbird_local_folders" / "Inbox.msf").read_bytes()),
        ("table_of_contents", b"\x00\x01binary listing"),
        (trashed.name, trashed.read_bytes()),
    ]
    run = dry_run(client, token_of(upload(client, files, kind="mail")))
    run_queued_imports()
    run.refresh_from_db()
    assert run.error_count == 0, run.errors
    assert run.counts["counts"]["messages"]["passed over (trash)"] == 1


def _zipped(**members: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name.replace("__", "/"), data)
    return buffer.getvalue()


@pytest.mark.parametrize(("chosen", "kind"), [("", "calendar"), ("calendar", "calendar")])
def test_a_google_calendar_export_zip_is_a_calendar_whether_chosen_or_detected(client, member, chosen, kind):
    """Google Calendar's export is a .zip of one .ics per calendar; a .zip was taken for a Parting
    export by its name alone, and refused when "Calendar" was chosen."""
    from pathlib import Path

    ics = (Path(__file__).parents[1] / "imports" / "samples" / "calendar" / "google_export.ics").read_bytes()
    data = {
        "kind": chosen,
        "files": [SimpleUploadedFile("me@example.com.ical.zip", _zipped(**{"me@example.com.ics": ics}))],
    }
    response = client.post(reverse("imports"), data)
    token = token_of(response)
    assert json.loads((upload_dir(token) / "upload.json").read_text())["kind"] == kind


def _kind_uploaded(client, name: str, data: bytes, chosen: str = "") -> str:
    token = token_of(client.post(reverse("imports"), {"kind": chosen, "files": [SimpleUploadedFile(name, data)]}))
    return json.loads((upload_dir(token) / "upload.json").read_text())["kind"]


def test_a_zip_of_mail_is_mail_and_a_zip_with_a_manifest_is_a_parting_export(client, member):
    assert _kind_uploaded(client, "takeout.zip", _zipped(**{"Takeout__Mail__All mail.mbox": b"From x\n"})) == "mail"
    export = _zipped(**{"manifest.json": b"{}", "clients.csv": b"name\n"})
    assert _kind_uploaded(client, "parting.zip", export) == "archive"
    maildir = _zipped(**{"Maildir__cur__1767603600.M1P2.host,S=812:2,RS": b"From: a@b.example\n\nhi\n"})
    assert _kind_uploaded(client, "Maildir.zip", maildir) == "mail"  # its files have no extension


def test_files_of_two_time_trackers_uploaded_together_import_with_the_columns_the_page_preselects(client, member):
    """Toggl has a column "Billable", Harvest "Billable?": preselected from the first file alone, the
    mapping sent Harvest's file looking for Toggl's column, and the member, who chose nothing, got a
    problem. Only columns every file has are preselected."""
    from pathlib import Path

    samples = Path(__file__).parents[1] / "imports" / "samples" / "time"
    files = [(n, (samples / n).read_bytes()) for n in ("toggl_detailed.csv", "harvest_detailed.csv")]
    token = token_of(upload(client, files, kind="time"))
    page = client.get(reverse("import_upload", kwargs={"token": token}))
    fields = {name: page.context["form"].initial.get(name, "") for name in page.context["form"].fields}
    assert fields["map_billable"] == ""  # "Billable" is Toggl's alone
    assert fields["map_client"] == "Client"  # both files have it
    submitted = {name: value for name, value in fields.items() if value}
    run = dry_run(client, token, **submitted)
    run_queued_imports()
    run.refresh_from_db()
    assert not [e for e in (run.errors or []) if "does not have" in str(e)], run.errors


@pytest.mark.parametrize(
    ("sample", "kind", "column"),
    [
        ("money/quickbooks_invoice_list.csv", "invoices", "Num"),
        ("clients/quickbooks_customer_contact_list.csv", "clients", "Full Name"),
    ],
)
def test_a_reports_preview_shows_the_columns_below_its_title_lines(client, member, sample, kind, column):
    """QuickBooks Online puts the company, the report's name and its period above the header: the
    preview took the company's name for the header, so the member could map nothing (the dry run,
    which looks below them, read the file)."""
    from pathlib import Path

    data = (Path(__file__).parents[1] / "imports" / "samples" / sample).read_bytes()
    token = token_of(upload(client, [(Path(sample).name, data)], kind=kind))
    page = client.get(reverse("import_upload", kwargs={"token": token}))
    assert page.status_code == 200 and "cannot be read" not in page.content.decode()
    assert column in page.context["header"] and "Northwind Advisory LLC" not in page.context["header"]


def test_a_mapping_saved_for_one_sheet_is_not_forced_on_another_tools_file(client, member, acme):
    """Saved for the firm's own sheet (its columns, day-first dates), the mapping preselected its
    format and date order for a QuickBooks report too, and the run applied columns the report lacks."""
    from pathlib import Path

    mapping = {"map_client": "Customer", "map_number": "Invoice No", "map_issued_on": "Date", "map_amount": "Total"}
    run = dry_run(
        client, token_of(upload(client, [("own.csv", OWN_COLUMNS)])), date_order="dmy", save_mapping="on", **mapping
    )
    assert run.state == ImportRun.State.DONE and ColumnMapping.objects.filter(firm=member.firm).exists()

    report = (Path(__file__).parents[1] / "imports" / "samples" / "money" / "quickbooks_invoice_list.csv").read_bytes()
    token = token_of(upload(client, [("qbo.csv", report)]))
    form = client.get(reverse("import_upload", kwargs={"token": token})).context["form"]
    assert form.initial["format"] == "" and form.initial["date_order"] == ""
    assert form.initial["map_client"] == "" and form.initial["map_number"] == ""
    run = dry_run(client, token, format="", date_order="")
    assert run.state == ImportRun.State.DONE, run.errors
    assert run.counts["counts"]["invoices"]["added"] >= 1


def test_a_dry_run_that_cannot_be_imported_says_why_instead_of_just_losing_its_button(client, member, acme):
    empty = dry_run(client, token_of(upload(client, [("empty.csv", b"client,number,issued_on,amount\r\n")])))
    page = client.get(reverse("import_run", kwargs={"pk": empty.pk})).content.decode()
    assert "there is nothing to import" in page and reverse("import_confirm", kwargs={"pk": empty.pk}) not in page

    run = dry_run(client, token_of(upload(client, [("a.csv", GENERIC)])))
    imported = confirm(client, run)
    page = client.get(reverse("import_run", kwargs={"pk": run.pk})).content.decode()
    assert "have been imported since" in page and reverse("import_run", kwargs={"pk": imported.pk}) in page

    later = dry_run(client, token_of(upload(client, [("b.csv", GENERIC.replace(b"INV-", b"B-"))])))
    import shutil

    shutil.rmtree(upload_dir(later.options["upload"]))  # cleared as stale
    page = client.get(reverse("import_run", kwargs={"pk": later.pk})).content.decode()
    assert "The uploaded files are gone" in page and reverse("import_confirm", kwargs={"pk": later.pk}) not in page
