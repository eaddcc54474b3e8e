"""Clients CSV reader (issue 10 §2): the generic columns, Xero's contacts export and QuickBooks
Online's customer contact list; and our contacts CSV. Samples in tests/imports/samples/clients/.

The client list is what evidence is matched to (e-mail addresses, domains, names: issue 10 §3) and
carries the letters' language (C-rules), services (W12) and who referred the client (D6).
No database: readers are plain functions.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parting.imports.problems import FileUnreadable, Problems
from parting.imports.readers.clients import (
    PRESETS,
    detect,
    domain_of,
    language_code,
    read,
    read_contacts,
)
from parting.imports.readers.generic import find_header
from parting.imports.records import ClientRecord, ContactRecord, ReadOptions

SAMPLES = Path(__file__).parent / "samples" / "clients"
HEAD = "name,status,email,contact,phone,language,domains,services,referral_source,referred_by,client_since,notes\n"


def clients(name: str, data: bytes | None = None, **options) -> tuple[list[ClientRecord], Problems]:
    problems = Problems()
    stream = io.BytesIO(data if data is not None else (SAMPLES / name).read_bytes())
    return list(read(stream, name, ReadOptions(**options), problems)), problems


def contacts(name: str, data: bytes | None = None, **options) -> tuple[list[ClientRecord], Problems]:
    problems = Problems()
    stream = io.BytesIO(data if data is not None else (SAMPLES / name).read_bytes())
    return list(read_contacts(stream, name, ReadOptions(**options), problems)), problems


def reasons(problems: Problems) -> list[tuple[int, str, str]]:
    return [(p.source.line, p.column, p.reason) for p in problems]


# ---- generic ------------------------------------------------------------------------------------------


def test_generic_clients_with_every_column():
    records, problems = clients("generic.csv")
    assert not problems
    acme = records[0]
    assert acme.name == "Acme Sp. z o.o."
    assert acme.key == "acme sp z oo"
    assert acme.status == "active"
    assert acme.language == "pl"
    assert acme.domains == ("acme.example", "acme-group.example")
    assert acme.services == ("Bookkeeping", "Payroll")
    assert (acme.referral_source, acme.referred_by) == ("Referral", "Baker & Sons")
    assert acme.started_on == dt.date(2021, 3, 15)
    assert acme.notes == "Prefers calls, not mail"


def test_several_addresses_in_one_cell_become_contacts_matchable_by_address():
    records, _ = clients("generic.csv")
    acme, levi = records[0], records[2]
    assert acme.contacts == (
        ContactRecord(name="Jan Kowalski", email="jan.kowalski@acme.example", phone="+48 22 555 01 00", language="pl"),
        ContactRecord(name="faktury@acme.example", email="faktury@acme.example", language="pl", named=False),
    )
    assert [c.email for c in levi.contacts] == ["dana@levi.example", "ops@levi.example"]  # separated by a space


def test_services_separated_by_a_bar_and_language_by_its_english_name():
    records, _ = clients("generic.csv")
    baker = records[1]
    assert baker.services == ("Annual accounts", "Tax")
    assert baker.language == "en"
    assert baker.status == ""  # empty: leave the client's status as it is


def test_domain_with_an_at_sign_and_language_written_in_hebrew():
    records, _ = clients("generic.csv")
    levi = records[2]
    assert levi.name == "Levi Technologies, Ltd"
    assert levi.domains == ("levi.example",)
    assert levi.language == "he"
    assert levi.status == "under_review"


def test_a_client_without_contacts_and_in_cyrillic():
    records, _ = clients("generic.csv")
    romashka = records[3]
    assert romashka.name == "ООО «Ромашка»"
    assert romashka.contacts == ()
    assert (romashka.language, romashka.status) == ("ru", "former")


def test_polish_names_in_cp1250_with_semicolons_and_dotted_dates():
    records, problems = clients("generic_pl_cp1250.csv")
    assert not problems
    assert [r.name for r in records] == [
        "Przedsiębiorstwo Handlowe Łęczyca Sp. z o.o.",
        "Świętokrzyska Spółdzielnia Mleczarska",
        "Zakład Usług Różnych „Źródło”",
    ]
    assert records[0].contacts[0].name == "Łukasz Żółkiewski"
    assert records[0].services == ("Księgowość", "Kadry i płace")
    assert [r.started_on for r in records] == [dt.date(2021, 3, 15), dt.date(2018, 9, 1), None]
    assert [r.language for r in records] == ["pl", "pl", ""]


def test_russian_names_in_cp1251():
    records, problems = clients("generic_ru_cp1251.csv")
    assert not problems
    assert [r.name for r in records] == ["ООО «Ромашка»", "ИП Сидоров А. В.", "АО «Северсталь-Сервис»"]
    assert records[1].services == ("Зарплата", "Налоги")
    assert {r.language for r in records} == {"ru"}


def test_messy_clients_file_reports_every_bad_row():
    records, problems = clients("messy.csv")
    assert [r.name for r in records] == ["Good Client Ltd"]
    assert [(line, column) for line, column, _ in reasons(problems)] == [
        (3, "language"),
        (4, "email"),
        (5, "name"),
        (6, "client_since"),
        (7, "name"),
        (8, "status"),
        (9, "domains"),
    ]
    text = {line: reason for line, _, reason in reasons(problems)}
    assert "already appears on line 2" in text[5]  # same name but for case and spaces


def test_file_without_a_name_column_is_unreadable_and_lists_its_columns():
    with pytest.raises(FileUnreadable) as error:
        clients("missing_name_column.csv")
    assert "name" in error.value.reason and "'Firma', 'E-mail'" in error.value.reason


def test_mapping_names_the_columns_of_another_language():
    records, problems = clients("missing_name_column.csv", mapping={"name": "Firma", "email": "E-mail"})
    assert not problems
    assert records[0].name == "Acme" and records[0].contacts[0].email == "biuro@acme.example"


def test_id_column_when_mapped_is_the_key():
    data = b"Nr,name\nK-17,Acme\n"
    records, _ = clients("x.csv", data, mapping={"id": "Nr"})
    assert records[0].key == "K-17"


def test_client_since_day_first_from_the_whole_column():
    data = (HEAD + "A,,,,,,,,,,01/02/2024,\nB,,,,,,,,,,25/12/2023,\n").encode()
    records, problems = clients("x.csv", data)
    assert not problems
    assert [r.started_on for r in records] == [dt.date(2024, 2, 1), dt.date(2023, 12, 25)]


def test_client_since_ambiguous_column_asks():
    data = (HEAD + "A,,,,,,,,,,01/02/2024,\n").encode()
    with pytest.raises(FileUnreadable) as error:
        clients("x.csv", data)
    assert error.value.column == "client_since"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("en", "en"),
        ("EN-gb", "en"),
        ("pl_PL", "pl"),
        ("Polish", "pl"),
        ("polski", "pl"),
        ("Russian", "ru"),
        ("русский", "ru"),
        ("Romanian", "ro"),
        ("română", "ro"),
        ("Hebrew", "he"),
        ("עברית", "he"),
        ("iw", "he"),
        ("", ""),
    ],
)
def test_language_codes_and_names(text, code):
    assert language_code(text) == code


@pytest.mark.parametrize("text", ["de", "German", "klingon"])
def test_languages_parting_does_not_write_are_refused(text):
    with pytest.raises(ValueError):
        language_code(text)


@pytest.mark.parametrize(
    ("text", "domain"),
    [
        ("acme.pl", "acme.pl"),
        ("@Acme.PL", "acme.pl"),
        ("https://www.acme.pl/", "acme.pl"),
        ("office@acme.pl", "acme.pl"),
        ("żabka.pl", "żabka.pl"),
        ("mail.acme.co.uk", "mail.acme.co.uk"),
    ],
)
def test_domains_as_people_write_them(text, domain):
    assert domain_of(text) == domain


@pytest.mark.parametrize("text", ["localhost", "acme", "not_a.domain!", "192.168.0.1", "-acme.pl"])
def test_what_is_not_a_domain(text):
    with pytest.raises(ValueError):
        domain_of(text)


# ---- Xero ----------------------------------------------------------------------------------------------


def test_xero_contacts_export():
    records, problems = clients("xero_contacts.csv")
    assert not problems
    assert [r.name for r in records] == [
        "Marlow Constructions Pty Ltd",
        "Ashfield, Bell & Co",
        "Elena Reyes",
        'The "Corner" Café',
    ]
    marlow = records[0]
    assert marlow.key == "MAR001"  # the account number when there is one
    assert marlow.contacts == (
        ContactRecord(name="Gavin Marlow", email="gavin@marlowcon.example", phone="02 9000 1111"),
    )
    assert marlow.domains == ("marlowcon.example",)  # from Website


def test_xero_without_account_number_keys_by_normalised_name():
    records, _ = clients("xero_contacts.csv")
    assert records[1].key == "ashfield bell co"


def test_xero_mobile_number_when_there_is_no_phone_number():
    records, _ = clients("xero_contacts.csv")
    assert records[1].contacts[0].phone == "0412 338 902"


def test_xero_website_with_a_path_gives_no_domain():
    records, _ = clients("xero_contacts.csv")
    assert records[1].domains == ()


def test_xero_contact_without_a_person_is_named_after_the_client():
    records, _ = clients("xero_contacts.csv")
    assert records[3].contacts == (
        ContactRecord(name='The "Corner" Café', email="hello@cornercafe.example", named=False),
    )


@pytest.mark.parametrize(("word", "status"), [("ARCHIVED", "former"), ("ACTIVE", ""), ("GDPRREQUEST", "")])
def test_xero_archived_contact_is_a_former_client_other_statuses_leave_it(word, status):
    data = f"*ContactName,EmailAddress,ContactStatus\nAcme,,{word}\n".encode()
    records, problems = clients("x.csv", data)
    assert not problems and records[0].status == status


# ---- QuickBooks Online ----------------------------------------------------------------------------------


def test_quickbooks_customer_contact_list_skips_title_and_footer_lines():
    records, problems = clients("quickbooks_customer_contact_list.csv")
    assert not problems
    assert [r.name for r in records] == [
        "Bayview Dental Clinic",
        "Pine, Oak & Birch Realty, Inc.",
        "Summit Outfitters",  # "Summit Outfitters:Warehouse 2": a job of that customer
        "Priya Raman",
    ]
    assert [r.source.line for r in records] == [5, 6, 7, 8]  # lines of the file, title lines counted


def test_quickbooks_contact_full_name_email_and_first_phone_number():
    records, _ = clients("quickbooks_customer_contact_list.csv")
    pine = records[1]
    assert pine.contacts[0] == ContactRecord(name="Marcus Webb", email="ap@pineoak.example", phone="(415) 555-0172")
    assert [c.email for c in pine.contacts] == ["ap@pineoak.example", "ceo@pineoak.example"]


def test_find_header_after_report_title_lines():
    data = (SAMPLES / "quickbooks_customer_contact_list.csv").read_bytes()
    offset, skipped = find_header(io.BytesIO(data))
    assert skipped == 3
    assert data[offset:].startswith(b"Customer,Phone Numbers")


def test_find_header_leaves_an_ordinary_file_alone():
    assert find_header(io.BytesIO((SAMPLES / "generic.csv").read_bytes())) == (0, 0)


# ---- detection -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "preset"),
    [
        (["*ContactName", "AccountNumber", "EmailAddress"], "xero"),
        (["Customer", "Phone Numbers", "Email", "Full Name"], "quickbooks"),
        (["name", "email"], None),
    ],
)
def test_detect(header, preset):
    assert detect(header) == preset


def test_presets():
    assert {"generic", "xero", "quickbooks"} <= set(PRESETS)


def test_unknown_format_is_refused():
    with pytest.raises(FileUnreadable):
        clients("generic.csv", format="harvest")


# ---- contacts --------------------------------------------------------------------------------------------


def test_contacts_file_gives_one_record_per_contact_keyed_by_client():
    records, problems = contacts("contacts.csv")
    assert not problems
    assert [(r.name, r.key) for r in records] == [
        ("Acme Sp. z o.o.", "acme sp z oo"),
        ("Acme Sp. z o.o.", "acme sp z oo"),
        ("Levi Technologies, Ltd", "levi technologies ltd"),
        ("ООО «Ромашка»", "ооо ромашка"),
    ]
    assert records[1].contacts == (
        ContactRecord(
            name="Ewa Nowak",
            email="faktury@acme.example",
            language="pl",
            form_of_address="feminine",
            honorific="Dr",
            is_primary=False,
        ),
    )


def test_contacts_key_matches_the_clients_file_key():
    people, _ = contacts("contacts.csv")
    firms, _ = clients("generic.csv")
    assert {p.key for p in people} <= {f.key for f in firms}


def test_contacts_bad_rows():
    data = (
        b"client,name,email,phone,language,form_of_address,honorific,is_primary\n"
        b"Acme,,a@acme.example,,,,,\n"
        b",Jan,,,,,,\n"
        b"Acme,Jan,a@acme.example b@acme.example,,,,,\n"
        b"Acme,Jan,,,de,,,\n"
        b"Acme,Jan,,,,sir,,\n"
        b"Acme,Jan,,,,,,sometimes\n"
        b"Acme,Jan,,,,Feminine,,No\n"
    )
    records, problems = contacts("x.csv", data)
    assert [r.source.line for r in records] == [8]
    assert [(line, column) for line, column, _ in reasons(problems)] == [
        (2, "name"),
        (3, "client"),
        (4, "email"),
        (5, "language"),
        (6, "form_of_address"),
        (7, "is_primary"),
    ]


def test_contacts_file_needs_client_and_name_columns():
    with pytest.raises(FileUnreadable):
        contacts("x.csv", b"client,email\nAcme,a@acme.example\n")


# ---- bad input never raises anything but FileUnreadable (issue 10 §5) --------------------------------


def _read_anything(reader, data: bytes, **options) -> None:
    try:
        for record in reader(io.BytesIO(data), "fuzz.csv", ReadOptions(**options), Problems()):
            assert isinstance(record, ClientRecord) and record.name
    except FileUnreadable:
        pass


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000), st.sampled_from([read, read_contacts]))
def test_random_bytes_give_records_problems_or_unreadable(data, reader):
    _read_anything(reader, data)


VALID = [
    (SAMPLES / n).read_bytes()
    for n in (
        "generic.csv",
        "generic_pl_cp1250.csv",
        "xero_contacts.csv",
        "quickbooks_customer_contact_list.csv",
        "contacts.csv",
    )
]


@st.composite
def mutated(draw):
    data = bytearray(draw(st.sampled_from(VALID)))
    for _ in range(draw(st.integers(1, 8))):
        if not data:
            break
        where = draw(st.integers(0, len(data) - 1))
        action = draw(st.sampled_from(["flip", "delete", "insert", "cut"]))
        if action == "flip":
            data[where] = draw(st.integers(0, 255))
        elif action == "delete":
            del data[where : where + draw(st.integers(1, 20))]
        elif action == "insert":
            data[where:where] = draw(
                st.sampled_from(
                    [b'"', b",", b";", b"|", b"\n", b"\x00", b"@", b"xn--", b"..", b"\xef\xbb\xbf", b"31.02.2026"]
                )
            )
        else:
            del data[where:]
    return bytes(data)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated(), st.sampled_from([read, read_contacts]), st.sampled_from(["", "xero", "quickbooks", "generic"]))
def test_mutated_exports_give_records_problems_or_unreadable(data, reader, fmt):
    _read_anything(reader, data, format=fmt)


# ---- real exports as users bring them (issue 10 §2, §5) ---------------------------------------------------


def test_quickbooks_modern_contact_list_resaved_by_excel_in_cp1252():
    """The newer QuickBooks report (`Customer full name`, `Phone numbers`, sentence case) from a UK
    company, opened in Excel and saved as CSV on Windows: cp1252, `;`, empty trailing columns,
    billing addresses over three lines, a sub-customer, and the run time written day first."""
    records, problems = clients("quickbooks_customer_contact_list_excel_uk_cp1252.csv")
    assert not problems
    assert [(r.name, r.source.line) for r in records] == [
        ("Brasserie Léon Ltd", 5),
        ("Ashby Joinery", 10),  # the row above spans lines 5–9 (two addresses of three lines)
        ("Zoë Kowalczyk", 12),  # "Ashby Joinery:Site 2 – Leeds" (line 11), a job with no people: nothing to add
    ]
    leon = records[0]
    assert leon.contacts == (
        ContactRecord(name="Léonie Marchand", email="compta@brasserie-leon.example", phone="020 7946 0321"),
    )
    assert [c.email for c in records[1].contacts] == ["office@ashbyjoinery.example", "jo@ashbyjoinery.example"]


@pytest.mark.parametrize(
    "header",
    [
        ["Customer full name", "Phone numbers", "Email", "Full name", "Billing address"],
        ["Customer name", "Phone", "Email"],
        ["Display Name", "Email address", "Phone"],
    ],
)
def test_detect_quickbooks_contact_lists_of_every_edition(header):
    assert detect(header) == "quickbooks"


@pytest.mark.parametrize(
    "sample", ["quickbooks_customer_contact_list.csv", "xero_contacts.csv", "generic.csv", "generic_pl_cp1250.csv"]
)
def test_line_endings_of_excel_for_mac_and_windows_read_the_same(sample):
    """Excel for Mac's "CSV (Macintosh)" ends lines with CR alone; Windows with CR LF; a last line
    without its newline."""
    data = (SAMPLES / sample).read_bytes()
    expected, problems = clients(sample, data)
    assert not problems
    unix = data.replace(b"\r\n", b"\n")
    for variant in (unix.replace(b"\n", b"\r"), unix.replace(b"\n", b"\r\n"), unix.rstrip(b"\n")):
        records, problems = clients(sample, variant)
        assert not problems
        assert [(r.key, r.contacts, r.source.line) for r in records] == [
            (r.key, r.contacts, r.source.line) for r in expected
        ]


@pytest.mark.parametrize("total", ["Total", "TOTAL:", "Razem", "Итого"])
@pytest.mark.parametrize("sample", ["generic.csv", "xero_contacts.csv", "quickbooks_customer_contact_list.csv"])
def test_a_total_row_below_the_clients_is_not_a_client(sample, total):
    data = (SAMPLES / sample).read_bytes().rstrip(b"\r\n") + f"\r\n{total},,,,,4\r\n".encode()
    records, problems = clients(sample, data)
    assert not problems
    assert total not in [r.name for r in records]
    assert len(records) == len(clients(sample)[0])


def test_a_client_named_like_a_total_with_an_address_is_still_a_client():
    data = HEAD.encode() + b"Total,,office@total.example,,,,,,,,,\n"
    records, problems = clients("t.csv", data)
    assert not problems and [r.name for r in records] == ["Total"]


@pytest.mark.parametrize("sample", ["xero_contacts.csv", "generic.csv"])
def test_client_columns_in_another_order_with_extra_columns_read_the_same(sample):
    import csv
    import random

    expected, _ = clients(sample)
    rows = list(csv.reader(io.StringIO((SAMPLES / sample).read_text("utf-8-sig"))))
    order = list(range(len(rows[0])))
    random.Random(sample).shuffle(order)
    moved = [[row[i] if i < len(row) else "" for i in order] + ["x", "Our tag,\nsecond line"] for row in rows]
    moved[0][-2:] = ["Ref", "Tags"]
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(moved)
    records, problems = clients(sample, out.getvalue().encode())
    assert not problems
    assert [(r.key, r.contacts, r.domains, r.language) for r in records] == [
        (r.key, r.contacts, r.domains, r.language) for r in expected
    ]


@pytest.mark.parametrize("sample", ["quickbooks_customer_contact_list.csv", "xero_contacts.csv", "generic.csv"])
def test_excel_unicode_text_utf16_tab_separated_reads_the_same(sample):
    """Excel's "Unicode Text" (UTF-16 with a BOM, tab-separated), title lines included."""
    import csv

    rows = list(csv.reader(io.StringIO((SAMPLES / sample).read_text("utf-8-sig"))))
    out = io.StringIO()
    csv.writer(out, delimiter="\t", lineterminator="\r\n").writerows(rows)
    records, problems = clients(sample, out.getvalue().encode("utf-16"))
    expected, _ = clients(sample)
    assert not problems
    assert [(r.key, r.contacts, r.source.line) for r in records] == [
        (r.key, r.contacts, r.source.line) for r in expected
    ]


def test_xero_contacts_additional_people_become_contacts_so_their_mail_is_matched():
    """Xero's contacts export lists up to five more people per contact (`Person1FirstName,
    Person1LastName, Person1Email, Person1IncludeInEmails` … `Person5…`): each becomes a contact of
    the client, so mail and meetings from them match it; an address the contact already has is not
    added twice, and a bad one is a problem at its line."""
    records, problems = clients("xero_contacts_additional_people.csv")
    tasman, kauri = records
    assert tasman.name == "Tasman Freight, Ltd" and tasman.key == "TAS-004"
    assert [(c.name, c.email) for c in tasman.contacts] == [
        ("Aroha Ngata", "accounts@tasmanfreight.example"),
        ("Wiremu Parata", "wiremu.parata@tasmanfreight.example"),
        ("Mei Chen", "mei.chen@tasmanfreight.example"),
    ]
    assert tasman.domains == ("tasmanfreight.example",)
    assert kauri.name == 'Kauri "Greenhouse" Café'
    assert [(c.name, c.email) for c in kauri.contacts] == [("Sione Tupou", "sione@kauricafe.example")]
    # Tasman's address holds a line break: Harbourside's row starts on line 5
    assert [(line, column) for line, column, _reason in reasons(problems)] == [(5, "Person1Email")]
    assert "tom.reed" in reasons(problems)[0][2]


def test_quickbooks_sub_customers_give_their_people_to_the_parent_customer():
    """QuickBooks lists a sub-customer or job by its full name, `Parent:Job` (a colon cannot be part of
    a customer's own name): it is no client of its own; its people and addresses become contacts of
    the parent, so that mail from them is matched to it."""
    records, problems = clients("quickbooks_customer_contact_list_sub_customers.csv")
    assert not problems
    assert [r.name for r in records] == [
        "Amy's Bird Sanctuary",
        "Freeman Sporting Goods",
        "Freeman Sporting Goods",
        "Freeman Sporting Goods",
        "Jeff's Jalopies",
    ]
    parent, ocean, twin = records[1:4]
    assert parent.key == ocean.key == twin.key == "freeman sporting goods"
    assert [(c.name, c.email) for c in ocean.contacts] == [("Sasha Tillou", "sporting_goods@intuit.com")]
    assert [(c.name, c.email, c.phone) for c in twin.contacts] == [
        ("55 Twin Lane", "tim.f@freeman.example", "(650) 555-0987")
    ]
    # only contacts: nothing that would change the client the first row gave
    assert not (ocean.domains or ocean.notes or ocean.status or ocean.services or ocean.referral_source)


@pytest.mark.django_db
def test_importing_a_contact_list_with_sub_customers_gives_one_client_with_their_contacts():
    from parting.clients.models import Client, Contact
    from parting.imports.services import run_import
    from tests.factories import FirmFactory

    firm = FirmFactory()
    result = run_import(
        firm=firm, by=None, kind="clients", paths=[SAMPLES / "quickbooks_customer_contact_list_sub_customers.csv"]
    )
    assert not result.problems
    assert sorted(Client.objects.filter(firm=firm).values_list("name", flat=True)) == [
        "Amy's Bird Sanctuary",
        "Freeman Sporting Goods",
        "Jeff's Jalopies",
    ]
    freeman = Client.objects.get(firm=firm, name="Freeman Sporting Goods")
    assert set(Contact.objects.filter(client=freeman).values_list("email", flat=True)) == {
        "sporting_goods@intuit.com",
        "tim.f@freeman.example",
    }


@pytest.mark.parametrize("language", ["", "en", "he", "ru"])
def test_hebrew_names_in_cp1255_as_excel_on_hebrew_windows_saves_them(language):
    """Excel on Hebrew Windows saves "CSV" in cp1255. Its letters sit at the bytes where cp1251 has
    small Cyrillic letters and KOI8-R capital ones, so the file is also "Russian"; the frequent
    letters of each language tell them apart, whatever the member's language (a Russian-speaking
    member in Israel imports such files too)."""
    records, problems = clients("generic_he_cp1255.csv", language=language)
    assert not problems
    assert [r.name for r in records] == ["כהן ושות' רואי חשבון בע\"מ", "לוי הנדסה", "מאפיית אבו-חמיד, יפו"]
    assert records[0].services == ("הנהלת חשבונות", "שכר")
    assert {r.language for r in records} == {"he"}


@pytest.mark.parametrize(("email", "named"), [("only.email@example.org", "only.email@example.org"), ("", None)])
def test_a_customer_without_a_name_is_named_after_its_address_and_one_without_either_is_a_problem(email, named):
    """Stripe customers are often an address alone; one such row used to refuse the whole file."""
    data = f"id,Description,Email,Name\ncus_1,,jason@clear.example,Clearwater\ncus_2,,{email},\n".encode()
    records, problems = clients("stripe_customers.csv", data)
    if named:
        assert not problems and [r.name for r in records] == ["Clearwater", named]
        assert records[1].contacts[0].email == email
    else:
        assert [r.name for r in records] == ["Clearwater"]
        assert [(p.source.line, p.reason) for p in problems] == [(3, "the client's name is missing")]
