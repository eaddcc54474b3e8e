"""The mail reader (issue 10 §2, Mail): Gmail Takeout and Thunderbird mbox files, Outlook and Apple
Mail .eml (and .emlx), maildir; encoded headers and bodies in declared, undeclared and wrongly
declared charsets; what is skipped, what is a problem; bounded memory on a large mbox."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import random
import tracemalloc
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parting.imports.problems import FileUnreadable, Problems, Source
from parting.imports.readers import mail
from parting.imports.records import MessageRecord, ReadOptions
from parting.imports.services import run_import

SAMPLES = Path(__file__).parent / "samples" / "mail"
FIRM = ReadOptions(own_domains=frozenset({"brightdesk.example"}))


def read(name: str, options: ReadOptions = FIRM) -> tuple[list[MessageRecord], Problems, Counter]:
    problems, skipped = Problems(), Counter()
    path = SAMPLES / name
    if path.is_dir():
        records = list(mail.read_maildir(str(path), name, options, problems, skipped))
    else:
        with path.open("rb") as stream:
            records = list(mail.read(stream, name, options, problems, skipped))
    return records, problems, skipped


def read_bytes(data: bytes, options: ReadOptions = FIRM, name: str = "test.eml"):
    problems, skipped = Problems(), Counter()
    records = list(mail.read(io.BytesIO(data), name, options, problems, skipped))
    return records, problems, skipped


def by_key(records):
    return {r.key: r for r in records}


# ---- Gmail Takeout ---------------------------------------------------------------------------------


def test_gmail_takeout_reads_every_client_message_with_its_headers():
    records, problems, _ = read("gmail_takeout.mbox")
    assert not problems
    assert [r.key for r in records] == [
        "CAHx5Qm1aA7bP2k@mail.gmail.com",
        "CAJz8Tw0sV3e@mail.gmail.com",
        "CAHx5Qm9zZ1@mail.gmail.com",
        "a1b2c3d4.5e6f@acme-corp.example",
        "CAMaria01@mail.gmail.com",
        "20260108134500.77@stroy-invest.example",
    ]
    first = records[0]
    assert first.source == Source("gmail_takeout.mbox", 1)  # the line of its "From " separator
    assert first.sent_at == dt.datetime(2026, 1, 5, 8, 12, 40, tzinfo=dt.UTC)
    assert first.sent_at.utcoffset() == dt.timedelta(hours=1)  # the zone the Date header gave
    assert first.sender == "anna@kowalski-design.example"
    assert first.to == ("tom@brightdesk.example",)
    assert first.subject == "Faktura 2025/118 – reklamacja"  # a UTF-8 Q-encoded word
    assert first.client.name == "Anna Kowalska"
    assert first.client.emails == ("anna@kowalski-design.example",)
    assert first.direction == "in"
    assert first.to_senior is None  # the loader decides W3 from the firm's roles
    assert first.channel == "email"


def test_gmail_takeout_sources_are_the_lines_of_the_from_separators():
    records, _, _ = read("gmail_takeout.mbox")
    lines = (SAMPLES / "gmail_takeout.mbox").read_bytes().split(b"\r\n")
    for record in records:
        assert lines[record.source.line - 1].startswith(b"From ")
        assert b"@xxx" in lines[record.source.line - 1]


def test_gmail_takeout_threads_through_in_reply_to_and_references():
    records = by_key(read("gmail_takeout.mbox")[0])
    reply = records["CAJz8Tw0sV3e@mail.gmail.com"]
    assert reply.in_reply_to == "CAHx5Qm1aA7bP2k@mail.gmail.com"
    assert reply.references == ("CAHx5Qm1aA7bP2k@mail.gmail.com",)
    third = records["CAHx5Qm9zZ1@mail.gmail.com"]
    assert third.in_reply_to == "CAJz8Tw0sV3e@mail.gmail.com"
    assert third.references == ("CAHx5Qm1aA7bP2k@mail.gmail.com", "CAJz8Tw0sV3e@mail.gmail.com")  # folded header


def test_gmail_takeout_directions_and_client_side_from_the_firms_domain():
    records = by_key(read("gmail_takeout.mbox")[0])
    out = records["CAMaria01@mail.gmail.com"]
    assert out.direction == "out"
    assert out.sender == "maria@brightdesk.example"
    assert out.client.emails == ("john.smith@acme-corp.example",)
    assert out.client.name == "John Smith"
    inbound = records["a1b2c3d4.5e6f@acme-corp.example"]
    assert inbound.cc == ("tom@brightdesk.example", "ann.lee@acme-corp.example")  # "Lee, Ann" is one name
    assert inbound.client.emails == ("john.smith@acme-corp.example", "ann.lee@acme-corp.example")
    assert inbound.sender == "john.smith@acme-corp.example"  # lower case


def test_gmail_takeout_skips_spam_drafts_chats_and_internal_mail_and_counts_them():
    records, problems, skipped = read("gmail_takeout.mbox")
    assert not problems
    assert skipped == Counter({"spam": 1, "draft": 1, "chat": 1, "internal": 1})
    keys = {r.key for r in records}
    assert not keys & {"spam-001@offers.example", "CADraft01@mail.gmail.com", "chat-01@gmail.example"}
    assert "internal-01@brightdesk.example" not in keys


def test_w10_gmail_takeout_tone_of_the_clients_own_words_only():
    records = by_key(read("gmail_takeout.mbox")[0])
    assert records["CAHx5Qm1aA7bP2k@mail.gmail.com"].negative  # "rozczarowana … niedopuszczalne"
    assert records["CAHx5Qm1aA7bP2k@mail.gmail.com"].language == "pl"
    # The client's thank-you quotes the firm's reply and her own complaint: quotes do not count.
    assert not records["CAHx5Qm9zZ1@mail.gmail.com"].negative
    assert not records["CAJz8Tw0sV3e@mail.gmail.com"].negative
    russian = records["20260108134500.77@stroy-invest.example"]
    assert russian.negative and russian.language == "ru"
    assert russian.subject == "Возмутительно: сроки снова сорваны"  # a UTF-8 B-encoded word
    assert russian.client.name == "Иван Петров"


def test_gmail_takeout_without_the_firms_addresses_lets_the_loader_decide():
    records = by_key(read("gmail_takeout.mbox", ReadOptions())[0])
    inbound = records["a1b2c3d4.5e6f@acme-corp.example"]
    assert inbound.direction == ""
    assert "maria@brightdesk.example" in inbound.client.emails
    sent = records["CAMaria01@mail.gmail.com"]  # Gmail's "Sent" label tells the firm's side
    assert sent.direction == "out"
    assert sent.client.emails == ("john.smith@acme-corp.example", "tom@brightdesk.example")
    assert "internal-01@brightdesk.example" in records  # internal mail cannot be told apart


def test_own_addresses_alone_tell_a_freelancers_side():
    options = ReadOptions(own_addresses=frozenset({"tom@brightdesk.example"}))
    records = by_key(read("thunderbird_Inbox", options)[0])
    assert records["8c1d2e3f-4a5b-6c7d-8e9f-0a1b2c3d4e5f@brightdesk.example"].direction == "out"
    assert records["5f3a9c1e-2b7d-4e8a-9f01-3c6b2d8e7a10@kowalski-design.example"].direction == "in"


def test_a_subdomain_of_the_firms_domain_is_the_firms():
    data = (
        b"From: Tom <tom@mail.brightdesk.example>\nTo: client@acme.example\nDate: Mon, 5 Jan 2026 09:00:00 +0000\n"
        b"Subject: hi\n\nhello\n"
    )
    (record,), _, _ = read_bytes(data)
    assert record.direction == "out"
    assert record.client.emails == ("client@acme.example",)


def test_quoted_from_lines_are_unquoted_and_do_not_split_messages():
    data = (SAMPLES / "gmail_takeout.mbox").read_bytes()
    messages = list(mail._split_mbox(io.BytesIO(data)))
    assert len(messages) == 10
    john = next(
        m for _, m, _, _, _ in messages if b"a1b2c3d4.5e6f" in m and b"Q1 report" in m and b"In-Reply-To" not in m
    )
    assert b"\r\nFrom the board: thanks" in john  # ">From " lost its ">"
    assert b">From the board" not in john


def test_a_body_line_starting_with_from_is_not_a_separator_unless_it_looks_like_one():
    data = (
        b"From a@b Mon Jan  5 09:00:00 2026\nFrom: c@client.example\nTo: t@brightdesk.example\n"
        b"Date: Mon, 5 Jan 2026 09:00:00 +0000\nSubject: one\n\nline\n\nFrom now on, weekly.\n\n"
        b"From a@b Mon Jan  5 10:00:00 2026\nFrom: c@client.example\nTo: t@brightdesk.example\n"
        b"Date: Mon, 5 Jan 2026 10:00:00 +0000\nSubject: two\n\nbody\n"
    )
    records, problems, _ = read_bytes(data, name="x.mbox")
    assert not problems
    assert [(r.subject, r.source.line) for r in records] == [("one", 1), ("two", 11)]


# ---- Outlook, Apple Mail ---------------------------------------------------------------------------


def test_outlook_eml_quoted_printable_multipart_alternative():
    (record,), problems, _ = read("outlook.eml")
    assert not problems
    assert record.key == "DB9PR03MB7345C1D2E3F4A5B6@DB9PR03MB7345.eurprd03.prod.outlook.com"
    assert record.subject == "Договор на 2026 год – подтверждение"
    assert record.source == Source("outlook.eml", 1)
    assert record.sent_at == dt.datetime(2026, 1, 6, 7, 3, 11, tzinfo=dt.UTC)
    assert record.language == "ru"
    # The firm's own harsh words sit below Outlook's "From: … Sent: …" block: not the client's.
    assert not record.negative


def test_outlook_eml_koi8r_encoded_subject_and_name():
    (record,), problems, _ = read("outlook_koi8r.eml")
    assert not problems
    assert record.subject == "Безобразие! Счёт выставлен дважды"
    assert record.client.name == "Ольга Петрова"
    assert record.sender == "olga@vostok-trade.example"  # lower case
    assert record.negative  # "безобразие", "верните деньги" in a koi8-r quoted-printable body


def test_apple_mail_eml_with_a_pdf_attachment():
    (record,), problems, _ = read("apple_mail.eml")
    assert not problems
    assert record.key == "7E2C9A44-1B3D-4F5E-8A6B-0C9D8E7F6A5B@popescu-consult.example"
    assert record.subject == "Raportul lunar – întârziere"
    assert record.language == "ro"
    assert record.negative  # "dezamăgit", "bătaie de joc"
    assert record.client == mail.ClientRef(name="Mihai Popescu", emails=("mihai@popescu-consult.example",), person=True)


def test_apple_mail_emlx_reads_as_the_same_message():
    (emlx,), problems, _ = read("apple_mail.emlx")
    (eml,), _, _ = read("apple_mail.eml")
    assert not problems
    assert (emlx.key, emlx.sent_at, emlx.subject, emlx.negative) == (eml.key, eml.sent_at, eml.subject, eml.negative)


# ---- Thunderbird --------------------------------------------------------------------------------------


def test_thunderbird_mbox_without_extension_and_its_deleted_message():
    records, problems, skipped = read("thunderbird_Inbox")
    assert not problems
    assert skipped == Counter({"deleted": 1})  # X-Mozilla-Status 0009: deleted, not yet compacted
    assert [r.source.line for r in records] == [1, 37]
    complaint, reply = records
    assert complaint.subject == "Zwrot pieniędzy"  # a raw cp1250 header, no encoded word
    assert complaint.negative and complaint.language == "pl"  # an undeclared cp1250 body
    assert reply.subject == "Re: Zwrot pieniędzy"  # a raw UTF-8 header
    assert reply.in_reply_to == complaint.key
    assert reply.direction == "out" and not reply.negative


# ---- maildir -------------------------------------------------------------------------------------------


def test_maildir_reads_cur_and_new_skips_trashed_and_tmp():
    records, problems, skipped = read("maildir")
    assert not problems  # tmp/ holds a half-delivered message: not read
    assert skipped == Counter({"trash": 1})
    assert [r.key for r in records] == ["md-1@acme-corp.example", "md-2@acme-corp.example"]
    assert records[0].source.file == "maildir/cur/1767603600.M112233P4242.mailhost,S=812,W=830:2,RS"
    assert records[1].source.file == "maildir/new/1767690000.M998877P4243.mailhost,S=650,W=664"
    assert records[1].negative  # shouted subject, "!!", "ridiculous"
    assert records[1].to == ("tom@brightdesk.example", "maria@brightdesk.example")


def test_maildir_plus_plus_subfolders_are_read_except_the_trash(tmp_path):
    root = tmp_path / "Maildir"
    message = (SAMPLES / "maildir/cur/1767603600.M112233P4242.mailhost,S=812,W=830:2,RS").read_bytes()
    for folder in ("", ".Clients", ".Trash", ".Junk"):
        for sub in ("cur", "new", "tmp"):
            (root / folder / sub).mkdir(parents=True, exist_ok=True)
        (root / folder / "cur" / "1.M1P1.host:2,S").write_bytes(message.replace(b"md-1", f"md{folder}".encode()))
    records, problems = [], Problems()
    records = list(mail.read_maildir(str(root), "Maildir", FIRM, problems))
    assert [r.source.file for r in records] == ["Maildir/cur/1.M1P1.host:2,S", "Maildir/.Clients/cur/1.M1P1.host:2,S"]


def test_a_directory_that_is_not_a_maildir_is_refused(tmp_path):
    with pytest.raises(FileUnreadable, match="not a maildir"):
        list(mail.read_maildir(str(tmp_path), "folder", FIRM, Problems()))


# ---- charsets -------------------------------------------------------------------------------------------


def test_undeclared_cp1251_body_and_header():
    (record,), problems, _ = read("undeclared_cp1251.eml")
    assert not problems
    assert record.subject == "Счёт за декабрь"
    assert record.language == "ru"
    assert record.negative  # "ужасно", "разочарован"


def test_cp1251_declared_as_iso_8859_1_is_read_as_cp1251():
    (record,), problems, _ = read("wrong_declared_cp1251.eml")
    assert not problems
    assert record.subject == "Спасибо за отчёт"
    assert record.language == "ru"
    assert not record.negative


def test_hebrew_iso_8859_8_i():
    (record,), problems, _ = read("hebrew_iso8859_8.eml")
    assert not problems
    assert record.subject == "תלונה על החשבונית"
    assert record.client.name == "יוסי כהן"
    assert record.language == "he"
    assert record.negative  # "לא מקובל", "מאוכזב"


def test_w10_utf8_labelled_koi8r_by_a_server_script_is_read_as_utf8_and_judged():
    """A client's web system sends UTF-8 labelled KOI8-R (body and encoded words): read in the
    declared charset it is "п╒п╣я│я┌…" and neither the language nor the threat is seen."""
    (record,), problems, _ = read("utf8_labelled_koi8r.eml")
    assert not problems
    assert record.subject == "Претензия по договору № 14/2025"
    assert record.client.name == "Сергей Волков"
    assert record.language == "ru"
    assert record.negative  # "недопустимая", "юристу", "в суд"


def test_w10_windows_1250_labelled_iso_8859_2_keeps_the_threat_of_court():
    """Polish Windows text labelled ISO-8859-2: "sądu" would read "sšdu" and "do sądu" be missed."""
    (record,), problems, _ = read("cp1250_labelled_iso8859_2.eml")
    assert not problems
    assert record.subject == "Faktura 2026/0041 – błędna kwota, sprawa do sądu"
    assert record.client.name == "Świętosław Ząbkowski"
    assert record.language == "pl"
    assert record.negative


RU_COMPLAINT = "Это недопустимо. Верните деньги, иначе обратимся в суд."


@pytest.mark.parametrize(
    ("written", "declared"),
    [("cp1251", "koi8-r"), ("koi8-r", "windows-1251"), ("utf-8", "windows-1251"), ("utf-8", "iso-8859-5")],
)
def test_w10_russian_text_under_another_cyrillic_label_is_read_in_its_real_charset(written, declared):
    data = (
        b"From: client@acme.example\nTo: t@brightdesk.example\nDate: Mon, 5 Jan 2026 09:00:00 +0300\n"
        b"Subject: x\nContent-Type: text/plain; charset=" + declared.encode() + b"\n\n" + RU_COMPLAINT.encode(written)
    )
    (record,), _, _ = read_bytes(data)
    assert record.language == "ru"
    assert record.negative


@pytest.mark.parametrize(
    ("text", "charset"),
    [
        ("Это недопустимо. Верните деньги.", "koi8-r"),
        ("Это недопустимо. Верните деньги.", "windows-1251"),
        ("Zażółć gęślą jaźń, proszę o fakturę.", "iso-8859-2"),
        ("Zażółć gęślą jaźń, proszę o fakturę.", "windows-1250"),
        ("Vă mulțumesc pentru factură, știu că ați lucrat mult.", "iso-8859-16"),
        ("אני מאוכזב מהשירות, זה לא מקובל.", "iso-8859-8"),
        ("Merci beaucoup, très bien reçu. Schöne Grüße", "iso-8859-1"),
    ],
)
def test_a_right_declaration_is_kept(text, charset):
    data = (
        b"From: client@acme.example\nTo: t@brightdesk.example\nDate: Mon, 5 Jan 2026 09:00:00 +0300\n"
        b"Subject: x\nContent-Type: text/plain; charset=" + charset.encode() + b"\n\n" + text.encode(charset)
    )
    assert mail.body_text(mail.BytesParser(policy=mail.compat32).parsebytes(data)) == text


def test_western_text_declared_iso_8859_1_stays_western():
    body = "Merci beaucoup, très bien reçu. Schöne Grüße".encode("latin-1")
    data = (
        b"From: client@acme.example\nTo: t@brightdesk.example\nDate: Mon, 5 Jan 2026 09:00:00 +0000\n"
        b'Subject: =?iso-8859-1?Q?Re=E7u?=\nContent-Type: text/plain; charset="iso-8859-1"\n\n' + body
    )
    (record,), _, _ = read_bytes(data)
    assert record.subject == "Reçu"


def test_encoded_words_split_inside_a_character_and_unknown_charsets():
    word = "Żółć".encode()
    data = (
        b"From: =?unknown-8bit?Q?Jan_Kowalski?= <JAN@Client.example>\nTo: t@brightdesk.example\n"
        b"Date: Mon, 5 Jan 2026 09:00:00 +0000\n"
        b"Subject: =?utf-8?Q?"
        + b"".join(b"=%02X" % c for c in word[:3])
        + b"?=\n =?utf-8?Q?"
        + b"".join(b"=%02X" % c for c in word[3:])
        + b"?= =?x-bogus?B?!!?=\n\nhello\n"
    )
    (record,), problems, _ = read_bytes(data)
    assert not problems
    assert record.subject.startswith("Żółć")
    assert record.client.name == "Jan Kowalski"
    assert record.sender == "jan@client.example"


# ---- problems and skipped -------------------------------------------------------------------------------


def test_a_message_without_date_is_a_problem_and_skipped():
    records, problems, _ = read("no_date.eml")
    assert records == []
    (problem,) = problems
    assert problem.source == Source("no_date.eml", 1)
    assert problem.column == "Date"
    assert "no Date header" in problem.reason


def test_an_unreadable_date_is_a_problem():
    data = b"From: c@client.example\nTo: t@brightdesk.example\nDate: sometime last week\nSubject: x\n\nbody\n"
    records, problems, _ = read_bytes(data)
    assert records == []
    assert "'sometime last week' cannot be read" in next(iter(problems)).reason


def test_a_date_without_zone_is_utc():
    data = b"From: c@client.example\nTo: t@brightdesk.example\nDate: Mon, 5 Jan 2026 09:00:00 -0000\n\nbody\n"
    (record,), _, _ = read_bytes(data)
    assert record.sent_at == dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC)


@pytest.mark.parametrize("sender", [b"", b"From: \n", b"From: undisclosed-recipients:;\n"])
def test_a_message_without_a_sender_address_is_passed_over_and_counted_not_a_reason_to_refuse_the_mailbox(sender):
    """No client wrote it and no one can answer it (a bounce, spam with an empty From); a user cannot
    edit a mailbox of gigabytes to take it out, so it is counted as passed over, not a problem."""
    data = sender + b"To: t@brightdesk.example\nDate: Mon, 5 Jan 2026 09:00:00 +0000\nSubject: x\n\nbody\n"
    records, problems, skipped = read_bytes(data)
    assert (records, list(problems), skipped) == ([], [], Counter({"no sender": 1}))


@pytest.mark.parametrize(
    ("date", "passed_over"),
    [(b"Thu, 01 Jan 1970 00:00:00 +0000", True), (b"Tue, 01 Jan 1980 00:00:00 +0000", False)],
)
def test_a_message_dated_before_1980_is_passed_over_not_a_date_that_cannot_be_read(date, passed_over):
    data = b"From: c@client.example\nTo: t@brightdesk.example\nDate: " + date + b"\nSubject: x\n\nbody\n"
    records, problems, skipped = read_bytes(data)
    assert not problems
    assert (len(records), skipped) == ((0, Counter({"impossible date": 1})) if passed_over else (1, Counter()))


@pytest.mark.parametrize(
    ("headers", "automated"),
    [
        (b"Auto-Submitted: auto-replied\n", True),
        (b"Auto-Submitted: auto-generated\n", True),
        (b"Auto-Submitted: no\n", False),
        (b"Precedence: bulk\n", True),
        (b"Precedence: list\n", True),
        (b"List-Id: <clients.lists.example>\n", True),
        (b"List-Unsubscribe: <mailto:unsubscribe@client.example>\n", True),
        (b"", False),
    ],
)
def test_w3_mail_a_machine_sent_is_passed_over(headers, automated):
    """Auto-replies and notifications (RFC 3834), list mail and newsletters (RFC 2369, 2919) are no
    one's correspondence: they neither count as the client writing nor, with --create-clients, make
    a newsletter a client."""
    data = (
        b"From: Anna <anna@client.example>\nTo: t@brightdesk.example\n" + headers
        + b"Date: Mon, 5 Jan 2026 09:00:00 +0000\nSubject: x\n\nbody\n"
    )  # fmt: skip
    records, problems, skipped = read_bytes(data)
    assert not problems
    assert (len(records), skipped) == ((0, Counter({"automated": 1})) if automated else (1, Counter()))


@pytest.mark.parametrize(
    ("sender", "automated"),
    [
        ("noreply@client.example", True),
        ("no-reply@client.example", True),
        ("do-not-reply@client.example", True),
        ("calendar-notification@google.com", True),
        ("MAILER-DAEMON (Mail Delivery System)", True),  # a bounce, with or without an address
        ("notifications+abc@client.example", True),
        ("norelle@client.example", False),  # a person whose name starts like "no"
        ("anna@client.example", False),
    ],
)
def test_a_no_reply_or_notification_sender_is_a_machine_but_a_person_is_not(sender, automated):
    data = (
        f"From: {sender}\nTo: t@brightdesk.example\nDate: Mon, 5 Jan 2026 09:00:00 +0000\nSubject: x\n\nb\n"
    ).encode()
    records, _problems, skipped = read_bytes(data)
    assert (len(records), skipped) == ((0, Counter({"automated": 1})) if automated else (1, Counter()))


def test_a_truncated_mbox_reports_its_last_message_and_keeps_the_others():
    records, problems, _ = read("truncated.mbox")
    assert [r.key for r in records] == ["trunc-1@acme-corp.example"]
    (problem,) = problems
    assert problem.source == Source("truncated.mbox", 31)
    assert "truncated" in problem.reason


def test_a_missing_closing_boundary_in_the_middle_of_an_mbox_is_not_truncation():
    whole = (SAMPLES / "truncated.mbox").read_bytes()
    first_end = whole.index(b"From ", 10)
    broken = whole[:first_end].replace(b"--0000000000000650001a1b2c3d4--", b"") + whole[:first_end]
    records, problems, _ = read_bytes(broken, name="x.mbox")
    assert len(records) == 2 and not problems


def test_message_id_missing_gives_a_stable_content_key():
    data = b"From: c@client.example\nTo: t@brightdesk.example\nDate: Mon, 5 Jan 2026 09:00:00 +0000\nSubject: x\n\nb\n"
    (one,), _, _ = read_bytes(data)
    (two,), _, _ = read_bytes(data)
    assert one.key.startswith("sha256:") and one.key == two.key


def test_outlook_unsent_draft_is_skipped():
    data = b"X-Unsent: 1\nFrom: t@brightdesk.example\nTo: c@client.example\nDate: Mon, 5 Jan 2026 09:00:00 +0000\n\nb\n"
    records, problems, skipped = read_bytes(data)
    assert records == [] and not problems and skipped == Counter({"draft": 1})


def test_a_huge_attachment_is_passed_over(monkeypatch):
    monkeypatch.setattr(mail, "MAX_MESSAGE", 4096)
    attachment = ("A" * 76 + "\n") * 2000
    data = (
        "From x@y Mon Jan  5 09:00:00 2026\nFrom: c@client.example\nTo: t@brightdesk.example\n"
        'Date: Mon, 5 Jan 2026 09:00:00 +0000\nSubject: big\nContent-Type: multipart/mixed; boundary="b"\n\n'
        "--b\nContent-Type: text/plain\n\nThis is unacceptable and ridiculous.\n--b\nContent-Type: application/pdf\n"
        f"Content-Transfer-Encoding: base64\n\n{attachment}--b--\n"
        "From x@y Mon Jan  5 10:00:00 2026\nFrom: c@client.example\nTo: t@brightdesk.example\n"
        "Date: Mon, 5 Jan 2026 10:00:00 +0000\nSubject: after\n\nok\n"
    ).encode()
    records, problems, _ = read_bytes(data, name="big.mbox")
    assert not problems
    assert [(r.subject, r.negative) for r in records] == [("big", True), ("after", False)]


def test_an_empty_file_holds_no_messages():
    assert read_bytes(b"") == ([], Problems(), Counter())


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "Outlook .msg"),
        (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", "not a mail file"),
        (b"name,amount\nAcme,12\n", "not a mail file"),
    ],
)
def test_files_that_are_not_mail_are_refused(data, reason):
    with pytest.raises(FileUnreadable, match=reason):
        read_bytes(data)


def test_read_mbox_refuses_a_single_message():
    with (SAMPLES / "outlook.eml").open("rb") as stream, pytest.raises(FileUnreadable, match="not an mbox"):
        list(mail.read_mbox(stream, "outlook.eml", FIRM, Problems()))


# ---- quoted replies, HTML --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "attribution",
    [
        "On Mon, 5 Jan 2026 at 10:00, Maria <maria@brightdesk.example> wrote:",
        "pon., 5 sty 2026 o 10:00 Maria <maria@brightdesk.example> napisał(a):",
        "пн, 5 янв. 2026 г. в 10:00, Maria <maria@brightdesk.example>:",
        "În lun., 5 ian. 2026 la 10:00, Maria <maria@brightdesk.example> a scris:",
        "\u202bבתאריך יום ב׳, 5 בינו׳ 2026 ב-10:00 מאת \u202aMaria\u202c <maria@brightdesk.example>:\u202c",
        "-----Original Message-----",
        "________________________________",
    ],
)
def test_strip_quoted_removes_the_reply_below_an_attribution(attribution):
    text = f"Thanks, all fine.\n\n{attribution}\nThis is unacceptable and ridiculous!!\n"
    assert mail.strip_quoted(text) == "Thanks, all fine."


def test_strip_quoted_removes_quote_marks_and_signature():
    text = "Fine by me.\n> awful, unacceptable\n>> terrible\nSee you.\n-- \nJohn, the worst signature\n"
    assert mail.strip_quoted(text) == "Fine by me.\nSee you."


def test_html_only_message_is_read_without_tags_styles_or_quotes():
    html = (
        "<html><head><style>.x{color:red}</style></head><body><p>All good&nbsp;&amp; thanks</p>"
        "<blockquote>this is unacceptable and ridiculous</blockquote></body></html>"
    )
    data = (
        b"From: c@client.example\nTo: t@brightdesk.example\nDate: Mon, 5 Jan 2026 09:00:00 +0000\n"
        b"Content-Type: text/html; charset=utf-8\n\n" + html.encode()
    )
    (record,), _, _ = read_bytes(data)
    assert not record.negative
    assert "All good\xa0& thanks" in mail.html_to_text(html)
    assert "color" not in mail.html_to_text(html)


# ---- any input ------------------------------------------------------------------------------------------

SAMPLE_FILES = sorted(p for p in SAMPLES.iterdir() if p.is_file())


def _run(data: bytes) -> None:
    problems = Problems()
    try:
        for record in mail.read(io.BytesIO(data), "fuzz", FIRM, problems, Counter()):
            assert isinstance(record, MessageRecord)
            assert record.sent_at.tzinfo is not None
            assert record.key and len(record.key) <= 300
            record.subject.encode("utf-8")  # no lone surrogates reach the database
            record.key.encode("utf-8")
            for address in (record.sender, *record.to, *record.cc):
                assert address == address.lower()
    except FileUnreadable:
        pass


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_random_bytes_give_records_problems_or_file_unreadable(data):
    _run(data)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=600))
def test_random_bytes_after_a_separator_or_a_header(data):
    _run(b"From x Mon Jan  5 09:00:00 2026\n" + data)
    _run(b"From: a@b.example\n" + data)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(SAMPLE_FILES),
    st.lists(st.tuples(st.floats(0, 1), st.binary(min_size=0, max_size=8), st.integers(0, 8)), max_size=6),
    st.floats(0, 1),
)
def test_mutated_samples_give_records_problems_or_file_unreadable(path, edits, cut):
    data = bytearray(path.read_bytes())
    for where, insert, delete in edits:
        at = int(where * len(data))
        data[at : at + delete] = insert
    data = bytes(data[: max(1, int(len(data) * (0.5 + cut / 2)))])
    _run(data)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(
                [
                    "From",
                    "To",
                    "Cc",
                    "Date",
                    "Subject",
                    "Message-ID",
                    "References",
                    "Content-Type",
                    "Content-Transfer-Encoding",
                    "X-Gmail-Labels",
                    "X-Mozilla-Status",
                ]
            ),
            st.text(max_size=60),
        ),
        max_size=10,
    ),
    st.text(max_size=200),
)
def test_arbitrary_header_values_give_records_or_problems(headers, body):
    text = "".join(f"{name}: {value}\n" for name, value in headers) + "\n" + body
    _run(text.encode("utf-8", "surrogatepass"))


# ---- streaming ------------------------------------------------------------------------------------------

MESSAGE = (
    "From {i}@xxx Mon Jan 05 09:00:00 +0000 2026\nFrom: Client {i} <c{c}@client{c}.example>\nTo: tom@brightdesk.example\n"
    "Subject: Message {i}\nDate: Mon, 5 Jan 2026 09:00:00 +0000\nMessage-ID: <m{i}@client.example>\n\n"
    "Hello Tom, here is number {i}.\n\n"
)


def _mbox(path: Path, count: int) -> list[int]:
    """Writes ``count`` small messages; the byte offset where each ends."""
    ends, offset = [], 0
    with path.open("wb") as out:
        for i in range(count):
            data = MESSAGE.format(i=i, c=i % 50).encode()
            out.write(data)
            offset += len(data)
            ends.append(offset)
    return ends


def test_a_large_mbox_is_read_one_message_at_a_time(tmp_path):
    path = tmp_path / "big.mbox"
    ends = _mbox(path, 20_000)
    with path.open("rb") as stream:
        count = 0
        for count, record in enumerate(mail.read(stream, "big.mbox", FIRM, Problems()), start=1):
            # When message n is handed over, the file has been read little past message n + 1.
            assert stream.tell() <= ends[min(count + 1, len(ends) - 1)] + 2 * mail.CHUNK + 8192
            assert record.key == f"m{count - 1}@client.example"
    assert count == 20_000


def test_reading_a_large_mbox_keeps_memory_bounded(tmp_path):
    path = tmp_path / "big.mbox"
    _mbox(path, 4_000)  # ~1 MB, ~4,000 records: holding them all would take several MB
    list(mail.read(io.BytesIO(MESSAGE.format(i=0, c=0).encode()), "warm.mbox", FIRM, Problems()))
    tracemalloc.start()
    try:
        with path.open("rb") as stream:
            count = sum(1 for _ in mail.read(stream, "big.mbox", FIRM, Problems()))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 4_000
    assert peak < 1_000_000


def test_random_order_of_mixed_messages_keeps_each_source_line(tmp_path):
    rng = random.Random(10)
    chunks, expected, line = [], [], 1
    for i in range(200):
        body = "\n".join("x" * rng.randint(0, 90) for _ in range(rng.randint(0, 6)))
        text = MESSAGE.format(i=i, c=1).replace("Hello Tom", body or "Hi")
        expected.append(line)
        line += text.count("\n")
        chunks.append(text)
    records, problems, _ = read_bytes("".join(chunks).encode(), name="m.mbox")
    assert not problems
    assert [r.source.line for r in records] == expected


# ---- a path: file, maildir, Apple Mail export, folder of messages -----------------------------------------


def test_read_path_takes_a_maildir_a_file_and_a_folder_of_messages(tmp_path):
    problems = Problems()
    maildir = list(mail.read_path(str(SAMPLES / "maildir"), "maildir", FIRM, problems))
    single = list(mail.read_path(str(SAMPLES / "outlook.eml"), "outlook.eml", FIRM, problems))
    assert [r.key for r in maildir] == ["md-1@acme-corp.example", "md-2@acme-corp.example"]
    assert len(single) == 1
    folder = tmp_path / "Messages"
    folder.mkdir()
    for name in ("apple_mail.emlx", "hebrew_iso8859_8.eml", "no_date.eml"):
        (folder / name).write_bytes((SAMPLES / name).read_bytes())
    (folder / "notes.txt").write_bytes(b"not mail at all")
    (folder / "picture.jpg").write_bytes(b"\xff\xd8\xff")  # not a mail extension: not opened
    records = list(mail.read_path(str(tmp_path), "export", FIRM, problems))
    assert [r.source.file for r in records] == [
        "export/Messages/apple_mail.emlx",
        "export/Messages/hebrew_iso8859_8.eml",
    ]
    assert [(p.source.file, p.column) for p in problems] == [
        ("export/Messages/no_date.eml", "Date"),
        ("export/Messages/notes.txt", ""),
    ]


def test_read_path_takes_apple_mails_exported_mailbox_folder(tmp_path):
    exported = tmp_path / "Clients.mbox"
    exported.mkdir()
    (exported / "mbox").write_bytes((SAMPLES / "thunderbird_Inbox").read_bytes())
    (exported / "Info.plist").write_bytes(b"<plist/>")
    records = list(mail.read_path(str(exported), "Clients.mbox", FIRM, Problems()))
    assert [r.source for r in records] == [Source("Clients.mbox/mbox", 1), Source("Clients.mbox/mbox", 37)]


def test_read_path_refuses_a_folder_without_mail(tmp_path):
    with pytest.raises(FileUnreadable, match="holds no mail"):
        list(mail.read_path(str(tmp_path), "empty", FIRM, Problems()))


# ---- an mbox re-saved on Windows (CRLF), with the messy messages real mailboxes hold ------------------

UTC = dt.UTC


def test_crlf_mbox_splits_only_on_separators_and_unquotes_from_lines():
    records, problems, skipped = read("takeout_windows_crlf.mbox")
    assert list(problems) == []
    assert [r.source.line for r in records] == [1, 21, 46, 62, 72]  # line 18 ">From …" is body text
    assert skipped == Counter({"chat": 1})


def test_obsolete_date_with_two_digit_year_and_zone_name_is_read():
    records, _, _ = read("takeout_windows_crlf.mbox")
    first = records[0]
    assert first.sent_at == dt.datetime(2026, 1, 5, 14, tzinfo=UTC)  # 09:00 EST
    assert first.sender == "jan.nowak@nowak-handel.example"  # From: in mixed case


def test_reply_from_the_sent_label_threads_to_the_clients_message():
    records, _, _ = read("takeout_windows_crlf.mbox")
    question, reply = records[0], records[1]
    assert reply.direction == "out" and question.direction == "in"
    assert reply.in_reply_to == question.key == "CAF1234abcd@mail.nowak-handel.example"
    assert (reply.sent_at - question.sent_at) == dt.timedelta(hours=1, minutes=10)


def test_message_without_date_takes_the_servers_received_time_and_gets_a_content_key():
    records, _, _ = read("takeout_windows_crlf.mbox")
    no_date = records[2]
    assert no_date.sent_at == dt.datetime(2026, 1, 7, 10, 59, 58, tzinfo=UTC)
    assert no_date.key.startswith("sha256:")
    assert no_date.subject == "Faktura 12/2025 – pilne pytanie"  # two encoded words over a folded line
    assert no_date.language == "pl"  # an unknown 8-bit charset declaration: the text is detected


def test_message_without_date_or_received_takes_the_mbox_separators_time():
    records, _, _ = read("takeout_windows_crlf.mbox")
    assert records[3].sent_at == dt.datetime(2026, 1, 8, 12, 30, tzinfo=UTC)
    assert records[3].client.name == "Jan Nowak"  # display name in an unknown charset's encoded word


def test_w10_html_only_quoted_printable_message_with_winmail_dat_is_judged_on_its_text():
    records, _, _ = read("takeout_windows_crlf.mbox")
    html_only = records[4]
    assert html_only.negative is True
    assert html_only.language == "pl"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("Monday, January 5, 2026 1:00 PM", dt.datetime(2026, 1, 5, 13, tzinfo=UTC)),
        ("Monday, January 5, 2026 12:15 AM", dt.datetime(2026, 1, 5, 0, 15, tzinfo=UTC)),
        ("Mon, 5 Jan 2026 11:59:59 am +0200", dt.datetime(2026, 1, 5, 9, 59, 59, tzinfo=UTC)),
        ("Mon, 5 Jan 2026 13:00:00 +0000", dt.datetime(2026, 1, 5, 13, tzinfo=UTC)),
        ("Mon, 5 Jan 2026 1:00 PM MSK", dt.datetime(2026, 1, 5, 10, tzinfo=UTC)),
    ],
)
def test_twelve_hour_dates_are_read_as_twelve_hour(header, expected):
    data = f"From: c@client.example\nTo: t@brightdesk.example\nDate: {header}\nSubject: x\n\nbody\n".encode()
    (record,), _, _ = read_bytes(data)
    assert record.sent_at == expected


def test_unreadable_date_falls_back_to_received_and_without_it_stays_a_problem():
    base = "From: c@client.example\nTo: t@brightdesk.example\nDate: sometime last week\nSubject: x\n\nbody\n"
    received = "Received: from a by b; Tue, 6 Jan 2026 10:00:00 +0000\n"
    (record,), problems, _ = read_bytes((received + base).encode())
    assert record.sent_at == dt.datetime(2026, 1, 6, 10, tzinfo=UTC) and list(problems) == []
    records, problems, _ = read_bytes(base.encode())
    assert records == [] and "'sometime last week' cannot be read" in next(iter(problems)).reason


def test_thunderbird_separator_without_zone_gives_utc_for_a_message_without_date():
    data = b"From - Thu Jan  8 12:30:00 2026\nFrom: c@client.example\nTo: t@brightdesk.example\nSubject: x\n\nbody\n"
    (record,), _, _ = read_bytes(data, name="Inbox")
    assert record.sent_at == dt.datetime(2026, 1, 8, 12, 30, tzinfo=UTC)


def test_read_path_takes_a_folder_of_apple_mail_exports_with_sub_mailboxes(tmp_path):
    thunderbird = (SAMPLES / "thunderbird_Inbox").read_bytes()
    for folder in ("Clients.mbox", "Clients.mbox/Nowak Handel.mbox", "Sent.mbox"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "table_of_contents").write_bytes(b"\x00\x01binary index")
    (tmp_path / "Clients.mbox" / "mbox").write_bytes(thunderbird)
    (tmp_path / "Clients.mbox" / "Nowak Handel.mbox" / "mbox").write_bytes(
        (SAMPLES / "takeout_windows_crlf.mbox").read_bytes()
    )
    (tmp_path / "Sent.mbox" / "mbox").write_bytes(b"")
    problems = Problems()
    records = list(mail.read_path(str(tmp_path), "Export", FIRM, problems))
    assert list(problems) == []
    files = Counter(r.source.file for r in records)
    assert files == {"Export/Clients.mbox/mbox": 2, "Export/Clients.mbox/Nowak Handel.mbox/mbox": 5}


@pytest.mark.parametrize(
    ("header", "utc_hour"),
    [
        ("Mon, 5 Jan 2026 09:00:00 MET", 8),
        ("Mon, 5 Jan 2026 09:00:00 CET (Central European Time)", 8),
        ("Mon, 5 Jan 2026 09:00:00 EET", 7),
        ("Mon, 5 Jan 2026 09:00:00 GMT+01:00", 8),
        ("Mon, 5 Jan 2026 09:00:00 GMT", 9),
        ("Mon, 5 Jan 2026 09:00:00 +0100 (Central European Standard Time)", 8),
        ("2026-01-05T09:00:00+02:00", 7),  # ISO, as scripts and some exporters write it
        ("2026-01-05 09:00:00", 9),
    ],
)
def test_zone_names_and_forms_outside_rfc_5322_are_not_read_as_utc(header, utc_hour):
    data = f"From: c@client.example\nTo: t@brightdesk.example\nDate: {header}\nSubject: x\n\nbody\n".encode()
    (record,), problems, _ = read_bytes(data)
    assert record.sent_at == dt.datetime(2026, 1, 5, utc_hour, tzinfo=UTC) and list(problems) == []


def test_reply_with_references_but_no_in_reply_to_threads_to_the_last_reference():
    data = (
        b"From: c@client.example\nTo: t@brightdesk.example\nDate: Mon, 5 Jan 2026 09:00:00 +0000\n"
        b"Subject: Re: x\nReferences: <root@client.example>\n <parent@brightdesk.example>\n\nbody\n"
    )
    (record,), _, _ = read_bytes(data)
    assert record.in_reply_to == "parent@brightdesk.example"
    assert record.references == ("root@client.example", "parent@brightdesk.example")


@pytest.mark.parametrize(
    "body_line",
    [
        b"From my side that is all for today, 9:30 works for me in 2026.",  # after a blank line
        b"From jan@nowak-handel.example Mon Jan  5 09:00:00 2026",  # exactly like a postmark
    ],
)
def test_unquoted_from_line_in_a_body_is_not_a_separator_when_no_header_follows(body_line):
    data = (
        (SAMPLES / "takeout_windows_crlf.mbox")
        .read_bytes()
        .replace(b">From my side that is all for today, 9:30 works for me in 2026.", body_line)
    )
    assert body_line in data
    records, problems, _ = read_bytes(data, name="All mail.mbox")
    assert list(problems) == []
    assert [r.source.line for r in records] == [1, 21, 46, 62, 72]


# ---- archives as the tools hand them out ---------------------------------------------------------------


def test_a_google_takeout_zip_is_read_without_unpacking(tmp_path):
    import zipfile

    archive = tmp_path / "takeout-20260601T090000Z-001.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("Takeout/archive_browser.html", "<html></html>")
        z.writestr(
            "Takeout/Mail/All mail Including Spam and Trash.mbox", (SAMPLES / "takeout_windows_crlf.mbox").read_bytes()
        )
        z.writestr("Takeout/Mail/User Settings/Filters.xml", "<feed/>")
    problems, skipped = Problems(), Counter()
    with archive.open("rb") as stream:
        records = list(mail.read(stream, archive.name, FIRM, problems, skipped))
    assert list(problems) == []
    assert {r.source.file for r in records} == {
        "takeout-20260601T090000Z-001.zip/Takeout/Mail/All mail Including Spam and Trash.mbox"
    }
    assert [r.source.line for r in records] == [1, 21, 46, 62, 72]
    assert skipped == Counter({"chat": 1})


def test_a_zip_member_that_is_not_mail_is_one_problem_and_a_zip_without_mail_is_refused():
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("Messages/1.eml", (SAMPLES / "outlook.eml").read_bytes())
        z.writestr("Messages/2.eml", b"%PDF-1.7 not mail")
    records, problems, _ = read_bytes(buffer.getvalue(), name="mail.zip")
    assert len(records) == 1
    assert [(p.source.file, p.source.line) for p in problems] == [("mail.zip/Messages/2.eml", 1)]
    empty = io.BytesIO()
    with zipfile.ZipFile(empty, "w") as z:
        z.writestr("notes.txt", "hello")
    with pytest.raises(FileUnreadable, match="holds no mail"):
        read_bytes(empty.getvalue(), name="x.zip")


def test_a_calendar_given_as_mail_is_refused_with_what_to_do():
    with pytest.raises(FileUnreadable, match="import it as a calendar"):
        read_bytes(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n", name="work.ics")


def test_damaged_zips_give_records_problems_or_file_unreadable_never_a_crash():
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("Takeout/Mail/Inbox.mbox", (SAMPLES / "takeout_windows_crlf.mbox").read_bytes())
        z.writestr("nested.eml", buffer.getvalue() or b"PK\x03\x04")
    good = buffer.getvalue()
    rnd = random.Random(10)
    for _ in range(150):
        data = bytearray(good)
        for _ in range(rnd.randint(1, 6)):
            data[rnd.randrange(len(data))] = rnd.randrange(256)
        with contextlib.suppress(FileUnreadable):
            read_bytes(bytes(data[: rnd.randint(4, len(data))]), name="t.zip")


def test_a_zipped_apple_mail_export_reads_the_mbox_file_and_ignores_the_table_of_contents():
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("Clients.mbox/table_of_contents", b"\x00\x00\x00\x01binary index")
        z.writestr("Clients.mbox/mbox", (SAMPLES / "thunderbird_Inbox").read_bytes())
        z.writestr("__MACOSX/Clients.mbox/._mbox", b"\x00\x05\x16\x07 resource fork")
    records, problems, _ = read_bytes(buffer.getvalue(), name="Clients.mbox.zip")
    assert list(problems) == []
    assert [r.source for r in records] == [
        Source("Clients.mbox.zip/Clients.mbox/mbox", 1),
        Source("Clients.mbox.zip/Clients.mbox/mbox", 37),
    ]


@pytest.mark.django_db
def test_w2_crlf_takeout_mbox_loads_threads_and_after_hours_in_the_firms_zone():
    """The messy mbox end to end: four messages from the client (09:00 EST, a Received time, the
    separator's time, 18:45 CET) and the firm's reply; in Warsaw, from 9:00 to 17:00 on weekdays, one
    of the four — Friday 18:45 — is after hours (W2: 25 %), and the reply threads to its question."""
    import time_machine

    from parting.clients.models import Client
    from parting.evidence.models import Message
    from parting.firms.models import Membership
    from parting.firms.services import firm_create, member_add
    from parting.imports.services import run_import
    from parting.signs.scoring import Scorer

    with time_machine.travel(dt.datetime(2026, 2, 1, 12, tzinfo=UTC), tick=False):
        firm = firm_create(
            name="Bright Desk",
            slug="bright-desk",
            time_zone="Europe/Warsaw",
            currency="PLN",
            working_hours=[(day, dt.time(9), dt.time(17)) for day in range(5)],
            email="office@brightdesk.example",
        )
        membership, _password = member_add(
            firm=firm,
            username="anna",
            role=Membership.Role.OWNER,
            email="anna@brightdesk.example",
            first_name="Anna",
            last_name="Lis",
        )
        client = Client.objects.create(firm=firm, name="Nowak Handel", email_domains="nowak-handel.example")
        result = run_import(firm=firm, by=membership.user, kind="mail", paths=[SAMPLES / "takeout_windows_crlf.mbox"])
        assert result.ok, [str(p) for p in result.problems]
        messages = Message.objects.filter(firm=firm, client=client).order_by("sent_at")
        assert [m.sent_at for m in messages] == [
            dt.datetime(2026, 1, 5, 14, tzinfo=UTC),
            dt.datetime(2026, 1, 5, 15, 10, tzinfo=UTC),
            dt.datetime(2026, 1, 7, 10, 59, 58, tzinfo=UTC),
            dt.datetime(2026, 1, 8, 12, 30, tzinfo=UTC),
            dt.datetime(2026, 1, 9, 17, 45, tzinfo=UTC),
        ]
        question, reply = messages[0], messages[1]
        assert reply.in_reply_to_id == question.pk
        score = next(r for r in Scorer(firm).score() if r.name == "Nowak Handel")
        w2 = score.sign("W2")
        assert w2.value == 25.0, w2.explanation


# ---- Dates without a zone (W2) ------------------------------------------------------------------------


def test_dates_without_a_zone_take_it_from_the_servers_received_line_across_the_clock_change():
    """A client's system writes its local clock with no zone ("Fri, 27 Mar 2026 16:40:12") or with a
    colon in the offset ("+02:00"). RFC 5322 §4.3 reads an unknown zone as UTC unless out-of-band
    information says more; the firm's server's Received line does: Warsaw's +01:00 before the clock
    change, +02:00 after. The firm's own reply, with its zone, is read as written."""
    records, problems, _ = read("thunderbird_client_dates_without_zone")
    assert not problems
    assert [r.sent_at.astimezone(UTC) for r in records] == [
        dt.datetime(2026, 3, 27, 15, 40, 12, tzinfo=UTC),
        dt.datetime(2026, 3, 30, 14, 30, 5, tzinfo=UTC),
        dt.datetime(2026, 3, 31, 6, 15, 33, tzinfo=UTC),
        dt.datetime(2026, 4, 1, 9, 0, tzinfo=UTC),
        dt.datetime(2026, 3, 31, 8, 2, 15, tzinfo=UTC),
    ]
    assert [r.sent_at.utcoffset() for r in records[:4]] == [dt.timedelta(hours=h) for h in (1, 2, 2, 2)]


@pytest.mark.parametrize(
    ("date", "received", "expected"),
    [
        # no Received line: RFC 5322 §4.3, UTC
        ("Mon, 5 Jan 2026 09:00:00", None, dt.datetime(2026, 1, 5, 9, tzinfo=UTC)),
        # "-0000" says the time is UTC: the Received line does not change it
        ("Mon, 5 Jan 2026 09:00:00 -0000", "Mon, 5 Jan 2026 08:00:04 +0000", dt.datetime(2026, 1, 5, 9, tzinfo=UTC)),
        # a zone name whose meaning is unknown: the Received line tells it (Tokyo)
        ("Mon, 5 Jan 2026 09:00:00 JST", "Mon, 5 Jan 2026 00:00:04 +0000", dt.datetime(2026, 1, 5, 0, tzinfo=UTC)),
        # a Received line days later (a queued message) says nothing of the zone
        ("Mon, 5 Jan 2026 09:00:00", "Thu, 8 Jan 2026 08:00:04 +0000", dt.datetime(2026, 1, 5, 9, tzinfo=UTC)),
        # India's half hour
        ("Mon, 5 Jan 2026 14:30:00", "Mon, 5 Jan 2026 09:00:20 +0000", dt.datetime(2026, 1, 5, 9, tzinfo=UTC)),
        # a zone the Date states is kept, whatever the Received line says
        ("Mon, 5 Jan 2026 09:00:00 +0100", "Mon, 5 Jan 2026 10:00:04 +0000", dt.datetime(2026, 1, 5, 8, tzinfo=UTC)),
        ("2026-01-05T09:00:00Z", "Mon, 5 Jan 2026 08:00:04 +0000", dt.datetime(2026, 1, 5, 9, tzinfo=UTC)),
        ("2026-01-05T09:00:00+02:00", "Mon, 5 Jan 2026 08:00:04 +0000", dt.datetime(2026, 1, 5, 7, tzinfo=UTC)),
        ("Mon, 5 Jan 2026 09:00:00 CET", "Mon, 5 Jan 2026 10:00:04 +0000", dt.datetime(2026, 1, 5, 8, tzinfo=UTC)),
        ("Mon, 5 Jan 2026 09:00:00 EST", "Mon, 5 Jan 2026 10:00:04 +0000", dt.datetime(2026, 1, 5, 14, tzinfo=UTC)),
        # an ISO date without a zone is told by the Received line too
        ("2026-01-05T09:00:00", "Mon, 5 Jan 2026 08:00:04 +0000", dt.datetime(2026, 1, 5, 8, tzinfo=UTC)),
    ],
)
def test_a_date_without_zone_is_utc_unless_the_received_line_tells_its_zone(date, received, expected):
    header = f"Received: from a by mx.brightdesk.example; {received}\n" if received else ""
    data = (
        f"{header}From: client@acme.example\nTo: t@brightdesk.example\nDate: {date}\nSubject: x\n\nHello\n"
    ).encode()
    (record,), _, _ = read_bytes(data)
    assert record.sent_at == expected


@pytest.mark.django_db
def test_w2_client_dates_without_zone_are_after_hours_in_the_firms_zone_only_when_they_were():
    """End to end: in Warsaw, 9:00 to 17:00 on weekdays, the client's four messages were written at
    16:40, 16:30, 08:15 and 11:00 local time: one (08:15) is after hours, W2 25 %. Read as UTC, 16:40
    and 16:30 would have been after hours and 08:15 within them (50 %)."""
    import time_machine

    from parting.clients.models import Client
    from parting.firms.models import Membership
    from parting.firms.services import firm_create, member_add
    from parting.imports.services import run_import
    from parting.signs.scoring import Scorer

    with time_machine.travel(dt.datetime(2026, 4, 20, 12, tzinfo=UTC), tick=False):
        firm = firm_create(
            name="Bright Desk",
            slug="bright-desk",
            time_zone="Europe/Warsaw",
            currency="PLN",
            working_hours=[(day, dt.time(9), dt.time(17)) for day in range(5)],
            email="office@brightdesk.example",
        )
        membership, _password = member_add(
            firm=firm,
            username="anna",
            role=Membership.Role.OWNER,
            email="anna@brightdesk.example",
            first_name="Anna",
            last_name="Lis",
        )
        Client.objects.create(firm=firm, name="Kowalczyk Budowa", email_domains="kowalczyk-budowa.example")
        result = run_import(
            firm=firm, by=membership.user, kind="mail", paths=[SAMPLES / "thunderbird_client_dates_without_zone"]
        )
        assert result.ok, [str(p) for p in result.problems]
        score = next(r for r in Scorer(firm).score() if r.name == "Kowalczyk Budowa")
        w2 = score.sign("W2")
        assert w2.value == 25.0, w2.explanation


# ---- Outlook's quoted thread below a reply (W10) ---------------------------------------------------------


def test_w10_polish_outlook_reply_is_judged_without_the_quoted_thread_below_it():
    """Outlook puts the whole thread under a reply, each message behind a header block "Od: … /
    Wysłane: … / Do: … / Temat: …" in the writer's language. The client's reply is polite; the angry
    message quoted below it was judged when it came and must not count again."""
    (record,), problems, _ = read("outlook_pl_reply_above_quoted_thread.eml")
    assert not problems
    assert record.language == "pl"
    assert not record.negative
    assert record.in_reply_to == "20260113100512.44a1@brightdesk.example"


def test_w10_polish_outlook_html_reply_alone_is_judged_without_the_quoted_thread():
    data = (SAMPLES / "outlook_pl_reply_above_quoted_thread.eml").read_bytes()
    msg = mail.BytesParser(policy=mail.compat32).parsebytes(data)
    html_part = next(p for p in msg.walk() if p.get_content_type() == "text/html")
    text = mail.strip_quoted(mail.html_to_text(html_part.get_payload(decode=True).decode("utf-8")))
    assert "Sprawę uważam za zamkniętą" in text
    assert "skandal" not in text and "Anna Lis" not in text


@pytest.mark.parametrize(
    ("sender", "sent"),
    [
        ("From: Anna Lis", "Sent: Tuesday, January 13, 2026 10:05 AM"),
        ("From: Anna Lis", "Date: Tuesday, 13 January 2026 at 10:05"),
        ("Od: Anna Lis", "Wysłane: wtorek, 13 stycznia 2026 10:05"),
        ("Od: Anna Lis", "Wysłano: wtorek, 13 stycznia 2026 10:05"),
        ("От: Анна Лис", "Отправлено: 13 января 2026 г. 10:05"),
        ("De la: Anna Lis", "Trimis: marți, 13 ianuarie 2026 10:05"),
        ("מאת: אנה ליס", "נשלח: יום שלישי 13 ינואר 2026 10:05"),
    ],
)
def test_outlook_header_block_in_each_language_ends_the_writers_own_words(sender, sent):
    text = f"Thanks, all fine.\n\n{sender}\n{sent}\nTo: x\nSubject: y\n\nThis is a scandal, we will sue you."
    assert mail.strip_quoted(text) == "Thanks, all fine."


# ---- Signatures and capitals that are not shouting (W10) -------------------------------------------------


def test_w10_routine_reply_with_a_lawyers_signature_and_the_company_in_capitals_is_not_negative():
    """A Russian client's Outlook reply: subject in capitals, "жалобу … отзываем" (one complaint
    word), signed "юрист" and "ООО «СТРОЙИНВЕСТ ГРУПП»". Outlook writes no "-- " line: the
    signature after "С уважением," is not the writer's tone, and a subject or a company name in
    capitals is not shouting."""
    (record,), problems, _ = read("outlook_ru_signature_company_in_capitals.eml")
    assert not problems
    assert record.language == "ru"
    assert not record.negative


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        (
            "Invoice received, thanks.\n\nBest regards,\nJohn Smith\nAttorney at Law\nACME HOLDINGS LTD",
            "Invoice received, thanks.",
        ),
        ("Faktura dotarła.\n\nPozdrawiam\nJan Kowalski\nadwokat", "Faktura dotarła."),
        ("Factura a sosit.\nCu stimă,\nIon Popescu", "Factura a sosit."),
        ('החשבונית התקבלה.\nבברכה,\nיוסי כהן, עו"ד', "החשבונית התקבלה."),
        # a closing formula that opens the message, or one followed by a long text, stays
        (
            "Thanks,\nthe report is late again and this is unacceptable.",
            "Thanks,\nthe report is late again and this is unacceptable.",
        ),
        (
            "Ok.\nThanks\n"
            + "This is a long paragraph that goes on well past the length of any signature line at all.",
            None,
        ),
    ],
)
def test_the_signature_after_a_closing_formula_is_not_the_writers_words(text, kept):
    assert mail.strip_quoted(text) == (text if kept is None else kept)


@pytest.mark.parametrize("prefix", [b"\xef\xbb\xbf", b"\r\n", b"\xef\xbb\xbf\r\n\r\n"])
def test_an_eml_saved_with_a_byte_order_mark_or_blank_lines_first_is_read(prefix):
    data = (SAMPLES / "outlook.eml").read_bytes()
    (plain,), _, _ = read_bytes(data)
    (record,), problems, _ = read_bytes(prefix + data)
    assert not problems
    assert (record.key, record.sent_at, record.sender, record.subject) == (
        plain.key,
        plain.sent_at,
        plain.sender,
        plain.subject,
    )


def test_a_maildir_message_and_an_mbox_beginning_with_a_byte_order_mark_are_read(tmp_path):
    """Office 365 sometimes sends a message with a UTF-8 BOM before its headers; a fetcher stores it
    as it came into the maildir."""
    data = (SAMPLES / "outlook.eml").read_bytes()
    (plain,), _, _ = read_bytes(data)
    (tmp_path / "cur").mkdir()
    (tmp_path / "new").mkdir()
    (tmp_path / "cur" / "1767600000.M1P1.host:2,S").write_bytes(b"\xef\xbb\xbf" + data)
    problems, skipped = Problems(), Counter()
    (record,) = mail.read_maildir(str(tmp_path), "Maildir", FIRM, problems, skipped)
    assert not problems
    assert record.key == plain.key
    mbox = b"\xef\xbb\xbfFrom - Mon Jan  5 09:00:00 2026\n" + data.replace(b"\r\n", b"\n")
    (record,), problems, _ = read_bytes(mbox, name="Inbox")
    assert not problems
    assert record.key == plain.key


def test_w10_an_inline_text_file_named_with_rfc_2231_is_an_attachment_not_the_message():
    """Apple Mail attaches files "inline" with a filename; a name may come as an RFC 2231 parameter.
    The message's text is its HTML part, not the attached meeting notes full of complaint words."""
    data = (
        b"From: client@acme.example\nTo: t@brightdesk.example\nDate: Mon, 5 Jan 2026 09:00:00 +0000\n"
        b'Subject: Notes\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="Apple-Mail=_1"\n\n'
        b"--Apple-Mail=_1\nContent-Type: text/html; charset=utf-8\n\n"
        b"<html><body><p>Thank you, notes from the call attached.</p></body></html>\n"
        b"--Apple-Mail=_1\nContent-Disposition: inline;\n\tfilename*=utf-8''Notatki%20%E2%80%93%20skargi.txt\n"
        b"Content-Type: text/plain;\n\tx-unix-mode=0644;\n\tname*=utf-8''Notatki%20%E2%80%93%20skargi.txt\n\n"
        b"Complaints we received: unacceptable delays, customers threaten legal action, refund demands.\n"
        b"--Apple-Mail=_1--\n"
    )
    (record,), problems, _ = read_bytes(data)
    assert not problems
    assert not record.negative
    msg = mail.BytesParser(policy=mail.compat32).parsebytes(data)
    assert mail.body_text(msg).strip() == "Thank you, notes from the call attached."


def test_a_date_without_zone_takes_it_from_the_first_servers_received_line_not_a_later_fetch():
    """The oldest Received line is the first server's, seconds after sending; a fetcher (fetchmail,
    getmail) adds its own on top hours later, which would give a wrong zone."""
    data = (
        b"Received: from pop.example by localhost with POP3 (fetchmail-6.4.38)\n"
        b"\tfor <t@brightdesk.example> (single-drop); Mon, 05 Jan 2026 14:02:11 +0100 (CET)\n"
        b"Received: from mail.acme.example (mail.acme.example [203.0.113.9])\n"
        b"\tby mx.brightdesk.example (Postfix) with ESMTPS id 4Z3k1L0q2Bz9s; Mon, 5 Jan 2026 08:00:09 +0000 (UTC)\n"
        b"Received: from localhost by mail.acme.example; Mon, 5 Jan 2026 09:00:04\n"
        b"From: client@acme.example\nTo: t@brightdesk.example\nDate: Mon, 5 Jan 2026 09:00:00\nSubject: x\n\nHello\n"
    )
    (record,), _, _ = read_bytes(data)
    assert record.sent_at == dt.datetime(2026, 1, 5, 8, tzinfo=UTC)
    assert record.sent_at.utcoffset() == dt.timedelta(hours=1)


@pytest.mark.parametrize("charset_line", [b"", b"; charset=unknown-8bit"])
def test_w10_undeclared_koi8r_body_is_told_from_cp1251(charset_line):
    """KOI8-R and cp1251 hold the same letters with the cases swapped; undeclared KOI8-R read as
    cp1251 gives "ьФП ОЕДПРХУФЙНП" and the complaint is lost."""
    data = (
        b"From: client@acme.example\nTo: t@brightdesk.example\nDate: Mon, 5 Jan 2026 09:00:00 +0300\n"
        b"Subject: x\nContent-Type: text/plain" + charset_line + b"\n\n" + RU_COMPLAINT.encode("koi8-r")
    )
    (record,), _, _ = read_bytes(data)
    assert record.language == "ru"
    assert record.negative


# --- folders as mail programs keep them -------------------------------------------------------------


def read_folder(path: Path, name: str):
    problems, skipped = Problems(), Counter()
    records = list(mail.read_path(str(path), name, FIRM, problems, skipped))
    return records, problems, skipped


def test_a_thunderbird_local_folders_directory_is_read_with_its_sub_folders_and_without_its_indexes():
    """Thunderbird keeps each folder as an mbox file without an extension ("Inbox"), its sub-folders
    in "Inbox.sbd/", an index beside each (".msf") and an empty file for an empty folder ("Trash"):
    docs/imports.md sends users to this directory."""
    records, problems, skipped = read_folder(SAMPLES / "thunderbird_local_folders", "Local Folders")
    assert list(problems) == []
    senders = sorted(r.sender for r in records)
    assert senders.count("zofia@glina-ceramika.pl") == 2  # the third is deleted (X-Mozilla-Status 0009)
    assert "marek.kowalski@kowalskiisynowie.pl" in senders and "jan.dabrowski@dabrowski-bud.pl" in senders
    assert skipped == Counter({"deleted": 1, "spam": 1, "chat": 1})


@pytest.mark.django_db
def test_a_thunderbird_folder_chosen_with_its_index_file_imports_the_folder(firm):
    """ "Select all" in the folder picks Inbox and Inbox.msf: the index is not mail and is passed over."""
    folder = SAMPLES / "thunderbird_local_folders"
    result = run_import(firm=firm, by=None, kind="mail", paths=[folder / "Inbox", folder / "Inbox.msf"])
    assert result.ok, [str(p) for p in result.problems]


def test_a_maildirs_own_cur_folder_is_read_as_its_messages():
    records, problems, skipped = read_folder(SAMPLES / "maildir" / "cur", "cur")
    assert list(problems) == []
    assert len(records) + sum(skipped.values()) == 2


@pytest.mark.parametrize("folder", ["maildir", "thunderbird_local_folders"])
def test_a_zipped_maildir_or_thunderbird_folder_reads_as_the_folder_itself(folder):
    """Maildir files ("1767603600.M112233P4242.mailhost,S=812,W=830:2,RS") and Thunderbird's mbox
    files ("Inbox", "Inbox.sbd/Klienci") have no mail extension: inside a .zip they are read too,
    with the same flags skipped, tmp/ and the .msf indexes left alone."""
    import zipfile

    root = SAMPLES / folder
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for path in sorted(root.rglob("*")):
            if path.is_file():
                z.write(path, f"{folder}/{path.relative_to(root).as_posix()}")
    folder_problems, folder_skipped = Problems(), Counter()
    from_folder = list(mail.read_path(str(root), folder, FIRM, folder_problems, folder_skipped))
    records, problems, skipped = read_bytes(buffer.getvalue(), name=f"{folder}.zip")
    assert from_folder and [r.key for r in records] == [r.key for r in from_folder]
    assert list(problems) == list(folder_problems) == []
    assert skipped == folder_skipped


@pytest.mark.parametrize(
    ("path", "is_mail"),
    [
        ("Maildir/cur/1767603600.M1P2.host,S=812:2,RS", True),
        ("Maildir/.Klienci/new/1767603600.M1P2.host", True),
        ("Maildir/.Trash/cur/1767603600.M1P2.host:2,S", False),  # the trash is not the client's mail
        ("Maildir/tmp/1767603600.M1P2.host", False),  # a delivery in progress
        ("Local Folders/Inbox", None),  # its first bytes tell
        ("Local Folders/Inbox.msf", False),
        ("Clients.mbox/mbox", True),
        ("Clients.mbox/table_of_contents", False),
        ("notes.txt", False),
    ],
)
def test_which_files_of_a_zip_are_mail(path, is_mail):
    assert mail.zip_member_is_mail(path) is is_mail
