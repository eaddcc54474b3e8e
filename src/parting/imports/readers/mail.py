"""Mail: mbox (Gmail Takeout, Thunderbird, any mboxo/mboxrd file), single messages (.eml from
Outlook, Apple Mail, Thunderbird; Apple Mail's .emlx), maildir directories, Apple Mail's exported
"Name.mbox" folders, and .zip archives of any of these (a Takeout archive is read as it is unpacked).

Each message becomes a ``MessageRecord``: its headers (Message-ID, Date, From, To, Cc, Subject,
In-Reply-To, References) and two verdicts read from its text — the language and the negative-tone
heuristic (W10, ``parting.imports.tone``). The body is read for those two verdicts only and is not
kept; the record's summary is the subject.

How the mail is read:

- An mbox is split on its "From " separator lines by this module, one message at a time, so memory
  stays bounded whatever the size of the mailbox; at most ``MAX_MESSAGE`` bytes of a message are
  kept (its headers and text come first; the rest, attachments, is passed over). A separator is a
  line "From <sender> <asctime date>" (Gmail Takeout writes "From 1234…@xxx Mon Jan 05 09:00:00
  +0000 2026", Thunderbird "From - Mon Jan  5 09:00:00 2026") followed by a header line; a body
  line beginning with "From " is a separator only when it follows a blank line, carries a time and
  a year, and a header line follows it. Body lines quoted as ">From " (mboxo and mboxrd) lose one ">".
- Headers are parsed with the ``compat32`` policy, which never raises on malformed headers, and
  decoded here: RFC 2047 encoded words in any charset (a wrong or unknown declaration falls back to
  detection, ``parting.imports.text.decode_bytes``), and raw 8-bit headers in an undeclared charset.
- Body parts: the first text/plain part that is not an attachment, else the first text/html one
  with its tags removed; quoted-printable and base64 are undone; the charset is the declared one
  when it decodes cleanly and is not a catch-all (us-ascii, iso-8859-1, windows-1252 declared over
  Cyrillic or Central European bytes are corrected), else detected. Quoted replies (lines starting
  with ">", everything from an "On … wrote:" line or an "-----Original Message-----" line on) and
  the signature (after "-- ") are removed before the tone is judged, so the firm's own quoted
  words do not count against the client.

What is passed over without a problem (counted in ``skipped`` when the caller gives a Counter):
Gmail's Spam, Trash, Drafts and Chat labels (X-Gmail-Labels), messages Thunderbird has deleted but
not yet compacted away (X-Mozilla-Status flag 0x0008), Outlook's unsent drafts (X-Unsent: 1),
maildir files flagged T (trashed) or D (draft), internal mail — messages whose addresses are all
the firm's (``options.own_addresses`` / ``options.own_domains``) —, mail a machine sent
(``_automated``), a message without a sender address and one dated before 1980 or after 2200. What
is a problem (the message is reported with its position and skipped): no Date header or one that
cannot be read when neither the most recent Received line nor the mbox's "From " line gives the
time instead, a file that ends in the middle of its last message.

Positions: in an mbox, the line of the message's "From " separator; in an .eml, line 1; in a
maildir, the message's file (``<name>/cur/<file>``).
"""

from __future__ import annotations

import base64
import binascii
import codecs
import csv
import datetime as dt
import functools
import html
import os
import quopri
import re
import zipfile
from collections import Counter
from collections.abc import Iterator
from email import errors as email_errors
from email.message import Message
from email.parser import BytesParser
from email.policy import compat32
from email.utils import getaddresses, parseaddr, parsedate_to_datetime
from typing import BinaryIO

from parting.imports.i18n import gettext as _

from .. import tone
from ..problems import UNPACK_ERRORS, FileUnreadable, Problems, Source
from ..records import ClientRef, MessageRecord, ReadOptions, content_key
from ..text import _plausibility, decode_bytes, detect_charset

MAX_MESSAGE = 2 << 20  # bytes of one message kept for reading (headers, text); the rest is passed over
CHUNK = 64 * 1024  # the longest piece of a line read at once
MAX_TEXT = 20_000  # characters of a body given to the tone heuristic
MAX_PARTS = 100  # MIME parts looked at for the text
MAX_SUBJECT = 300  # the summary's length in the database
MAX_KEY = 300  # a longer Message-ID is replaced by its hash

_STRICT_POSTMARK = re.compile(rb"^From \S+ +[A-Za-z]{3},? +[A-Za-z]{3} +\d{1,2} +\d{1,2}:\d\d")
_LOOSE_POSTMARK = re.compile(rb"^From \S+ .*\d{1,2}:\d\d.*\d{4}")
_QUOTED_FROM = re.compile(rb"^>+From ")
_HEADER_LINE = re.compile(rb"^[\x21-\x39\x3b-\x7e]+[ \t]*:")
_EMLX_COUNT = re.compile(rb"^\s*(\d{1,10})\s*\r?\n")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# Gmail labels whose messages are not evidence (Takeout writes the account's language; the English
# names and a few translations are recognised).
SKIP_LABELS = {
    "spam": "spam",
    "trash": "trash",
    "bin": "trash",
    "drafts": "draft",
    "draft": "draft",
    "chat": "chat",
    "chats": "chat",
    "спам": "spam",
    "корзина": "trash",
    "черновики": "draft",
    "чаты": "chat",
    "kosz": "trash",
    "wersje robocze": "draft",
    "czaty": "chat",
    "coș de gunoi": "trash",
    "ciorne": "draft",
    "ספאם": "spam",
    "אשפה": "trash",
    "טיוטות": "draft",
}
SENT_LABELS = {"sent", "sent mail", "отправленные", "wysłane", "trimise", "דואר יוצא"}
MOZILLA_EXPUNGED = 0x0008
MAILDIR_SKIP_FLAGS = {"T": "trash", "D": "draft"}
MAILDIR_SKIP_FOLDERS = {"trash", "junk", "spam", "drafts", "deleted messages", "deleted items", "bin"}


# ---- entry points ----------------------------------------------------------------------------------


def read(
    stream: BinaryIO, name: str, options: ReadOptions, problems: Problems, skipped: Counter | None = None
) -> Iterator[MessageRecord]:
    """An mbox (its first line is a "From " separator) or a single message (.eml, .emlx); or a .zip
    holding such files (a Google Takeout archive, a zipped folder of messages)."""
    base = os.path.basename(name)
    if base.lower().endswith(IGNORED_EXTENSIONS) or base.lower() in COMPANION_FILES:
        return  # chosen with the mail (a folder's "select all"): an index or a listing, not mail
    flag = next((MAILDIR_SKIP_FLAGS[f] for f in _maildir_flags(base) if f in MAILDIR_SKIP_FLAGS), None)
    if flag and skipped is not None:
        skipped[flag] += 1  # a maildir file chosen by itself keeps its flags in its name
        return
    head = stream.read(CHUNK)
    stream.seek(0)
    if head.startswith(ZIP_MAGIC):
        yield from _read_zip(stream, name, options, problems, skipped)
        return
    kind = _sniff(head)
    if kind == "mbox":
        yield from read_mbox(stream, name, options, problems, skipped)
    elif kind == "eml":
        yield from read_eml(stream, name, options, problems, skipped)


ZIP_MAGIC = b"PK\x03\x04"
MAX_ZIP_MEMBERS = 100_000


def _read_zip(
    stream: BinaryIO, name: str, options: ReadOptions, problems: Problems, skipped: Counter | None
) -> Iterator[MessageRecord]:
    """Each mail file of an archive (``.mbox``, ``.eml``, ``.emlx``, and files named ``mbox`` as
    Apple Mail exports them), in name order, each read as it is unpacked (an mbox is never held
    whole). Sources are ``archive.zip/path/in/archive``; a member that is not mail is one problem."""
    skipped = skipped if skipped is not None else Counter()
    try:
        archive = zipfile.ZipFile(stream)
        members = []
        for m in archive.infolist():
            if m.is_dir() or m.filename.startswith("__MACOSX/"):
                continue
            mail = zip_member_is_mail(m.filename)
            if mail is None:  # a file without extension: Thunderbird's mbox ("Inbox"), or not mail
                with archive.open(m) as inner:
                    mail = inner.read(5) == b"From "
            if mail:
                members.append(m)
        members.sort(key=lambda m: m.filename)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, NotImplementedError) as error:
        raise FileUnreadable(_("the .zip archive cannot be opened (%(error)s)") % {"error": error}) from None
    if not members:
        raise FileUnreadable(
            _("the .zip archive holds no mail (.mbox, .eml or .emlx files, a maildir, a Thunderbird folder)")
        )
    if len(members) > MAX_ZIP_MEMBERS:
        raise FileUnreadable(
            _("the .zip archive holds more than %(n)d mail files; unpack it and import the folders")
            % {"n": MAX_ZIP_MEMBERS}
        )
    for member in members:
        label = f"{name}/{member.filename}"
        try:
            with archive.open(member) as inner:
                if inner.read(4) == ZIP_MAGIC:
                    problems.add(Source(label), _("a .zip inside the .zip is not read; unpack it first"))
                    continue
                inner.seek(0)
                yield from read(inner, label, options, problems, skipped)
        except FileUnreadable as error:
            problems.add(Source(label, error.line), error.reason, error.column)
        except UNPACK_ERRORS as error:
            problems.add(Source(label), _("the file cannot be unpacked (%(error)s)") % {"error": error})


def zip_member_is_mail(path: str) -> bool | None:
    """Whether a file of a .zip, by its path, is mail: an .mbox, .eml or .emlx; Apple Mail's "mbox";
    a message of a zipped maildir (any file of a cur/ or new/ folder, whatever its name, but not of
    its trash, junk or drafts folder). None for a file without extension, which only its first bytes
    tell (Thunderbird keeps each folder as an mbox named "Inbox", "Sent" …); False for the rest."""
    parts = path.split("/")
    base = parts[-1]
    lower = base.lower()
    if not base or lower.endswith(IGNORED_EXTENSIONS) or lower in COMPANION_FILES:
        return False
    if lower.endswith((".mbox", ".mbx", ".eml", ".emlx")) or base == "mbox":
        return True
    folders = [p.lstrip(".").rsplit(".", 1)[-1].strip().casefold() for p in parts[:-1]]
    if len(parts) > 1 and parts[-2] in ("cur", "new"):
        return not any(f in MAILDIR_SKIP_FOLDERS for f in folders)
    return None if "." not in base else False


def read_mbox(
    stream: BinaryIO, name: str, options: ReadOptions, problems: Problems, skipped: Counter | None = None
) -> Iterator[MessageRecord]:
    """Every message of an mbox file, one at a time (see the module's docstring)."""
    head = stream.read(CHUNK)
    stream.seek(0)
    if _sniff(head) not in ("mbox", "empty"):
        raise FileUnreadable(_('this is not an mbox file: its first line is not a "From " separator line'), line=1)
    skipped = skipped if skipped is not None else Counter()
    pending = None
    for item in _split_mbox(stream):
        if pending is not None:
            record = _message(
                pending[1], Source(name, pending[0]), options, problems, skipped, capped=pending[3], envelope=pending[4]
            )
            if record is not None:
                yield record
        pending = item
    if pending is not None:  # the last message: was the file cut in its middle?
        line, data, complete, capped, envelope = pending
        record = _message(
            data,
            Source(name, line),
            options,
            problems,
            skipped,
            last=True,
            complete=complete,
            capped=capped,
            envelope=envelope,
        )
        if record is not None:
            yield record


def read_eml(
    stream: BinaryIO, name: str, options: ReadOptions, problems: Problems, skipped: Counter | None = None
) -> Iterator[MessageRecord]:
    """One message: an .eml (RFC 5322 text) or Apple Mail's .emlx (a byte count line, the message,
    then a property list, which is ignored)."""
    head = stream.read(CHUNK)
    stream.seek(0)
    kind = _sniff(head)
    if kind == "empty":
        return
    if kind == "mbox":  # an .eml saved with its envelope line
        yield from read_mbox(stream, name, options, problems, skipped)
        return
    skipped = skipped if skipped is not None else Counter()
    count = _EMLX_COUNT.match(head)
    if count:
        stream.seek(count.end())
        size = int(count.group(1))
        data = stream.read(min(size, MAX_MESSAGE))
        capped = size > MAX_MESSAGE
        complete = len(data) == min(size, MAX_MESSAGE)
    else:
        data = stream.read(MAX_MESSAGE + 1)
        capped = len(data) > MAX_MESSAGE
        data = data[:MAX_MESSAGE]
        complete = True
    record = _message(data, Source(name, 1), options, problems, skipped, last=True, complete=complete, capped=capped)
    if record is not None:
        yield record


def read_maildir(
    path: str, name: str, options: ReadOptions, problems: Problems, skipped: Counter | None = None
) -> Iterator[MessageRecord]:
    """Every message of a maildir (a directory with cur/ and new/; tmp/ holds deliveries in progress
    and is not read), and of its Maildir++ sub-folders (".Sent", ".Clients" …) except the trash,
    junk and drafts folders. Each file is one message."""
    if not os.path.isdir(path):
        raise FileUnreadable(_("%(file)s is not a directory") % {"file": name})
    if not (os.path.isdir(os.path.join(path, "cur")) or os.path.isdir(os.path.join(path, "new"))):
        raise FileUnreadable(_("%(file)s is not a maildir: it has no cur/ or new/ folder") % {"file": name})
    skipped = skipped if skipped is not None else Counter()
    folders = [("", path)]
    for entry in sorted(os.listdir(path)):
        full = os.path.join(path, entry)
        if entry.startswith(".") and entry not in (".", "..") and os.path.isdir(full):
            label = entry.lstrip(".").rsplit(".", 1)[-1].strip().casefold()
            if label in MAILDIR_SKIP_FOLDERS:
                continue
            folders.append((entry + "/", full))
    for prefix, folder in folders:
        for sub in ("cur", "new"):
            directory = os.path.join(folder, sub)
            if os.path.isdir(directory):
                yield from _maildir_files(directory, f"{name}/{prefix}{sub}", options, problems, skipped)


def _maildir_files(
    directory: str, name: str, options: ReadOptions, problems: Problems, skipped: Counter
) -> Iterator[MessageRecord]:
    """The messages of one cur/ or new/ folder of a maildir, one per file."""
    for filename in sorted(os.listdir(directory)):
        if filename.startswith("."):
            continue
        source = Source(f"{name}/{filename}", 1)
        flags = _maildir_flags(filename)
        reason = next((MAILDIR_SKIP_FLAGS[f] for f in flags if f in MAILDIR_SKIP_FLAGS), None)
        if reason:
            skipped[reason] += 1
            continue
        full = os.path.join(directory, filename)
        if not os.path.isfile(full):
            continue
        try:
            with open(full, "rb") as handle:
                data = handle.read(MAX_MESSAGE + 1)
        except OSError as error:
            problems.add(source, _cannot_read(error))
            continue
        capped = len(data) > MAX_MESSAGE
        record = _message(data[:MAX_MESSAGE], source, options, problems, skipped, last=True, capped=capped)
        if record is not None:
            yield record


def _cannot_read(error: OSError) -> str:
    return _("the file cannot be read (%(error)s)") % {"error": error.strerror or error}


MAIL_EXTENSIONS = (".eml", ".emlx", ".mbox", ".mbx", ".txt")
MAX_DEPTH = 8  # folders inside folders read by read_path


def read_path(
    path: str, name: str, options: ReadOptions, problems: Problems, skipped: Counter | None = None, depth: int = 0
) -> Iterator[MessageRecord]:
    """A file (mbox, .eml, .emlx) or a directory: a maildir; the folder Apple Mail's Mailbox ›
    Export Mailbox… writes ("Clients.mbox/" holding a file named "mbox" and a "table_of_contents",
    and one such folder inside it per sub-mailbox); or a folder of .eml, .emlx and .mbox files and
    of exported ".mbox" folders (Apple Mail's "Messages" folders included), read in name order. A
    file of the folder that is not mail is one problem, and the others are read."""
    skipped = skipped if skipped is not None else Counter()
    if not os.path.isdir(path):
        try:
            with open(path, "rb") as stream:
                yield from read(stream, name, options, problems, skipped)
        except OSError as error:
            raise FileUnreadable(_cannot_read(error)) from None
        return
    if os.path.isdir(os.path.join(path, "cur")) or os.path.isdir(os.path.join(path, "new")):
        yield from read_maildir(path, name, options, problems, skipped)
        return
    parent = os.path.dirname(os.path.abspath(path))
    if os.path.basename(os.path.abspath(path)) in ("cur", "new") and (
        os.path.isdir(os.path.join(parent, "cur")) or os.path.isdir(os.path.join(parent, "new"))
    ):
        yield from _maildir_files(path, name, options, problems, skipped)  # a maildir's own cur/ or new/
        return
    apple = os.path.join(path, "mbox")
    if os.path.isfile(apple):
        yield from read_path(apple, f"{name}/mbox", options, problems, skipped)
        for entry in sorted(os.listdir(path)):  # sub-mailboxes exported with it
            full = os.path.join(path, entry)
            if entry.lower().endswith(".mbox") and os.path.isdir(full) and depth < MAX_DEPTH:
                yield from read_path(full, f"{name}/{entry}", options, problems, skipped, depth=depth + 1)
        return
    files = []
    for folder in (path, os.path.join(path, "Messages")):
        if os.path.isdir(folder):
            prefix = "" if folder == path else "Messages/"
            for entry in sorted(os.listdir(folder)):
                full = os.path.join(folder, entry)
                if entry.lower().endswith(MAIL_EXTENSIONS) and (
                    os.path.isfile(full) or (entry.lower().endswith(".mbox") and depth < MAX_DEPTH)
                ):
                    files.append((prefix + entry, full))
                elif entry.lower().endswith(".sbd") and os.path.isdir(full) and depth < MAX_DEPTH:
                    files.append((prefix + entry, full))  # a Thunderbird folder's sub-folders
                elif "." not in entry and os.path.isfile(full) and _starts_an_mbox(full):
                    files.append((prefix + entry, full))  # a Thunderbird folder: an mbox named "Inbox"
    if not files:
        raise FileUnreadable(
            _("%(file)s holds no mail: no maildir (cur/, new/), no mbox, no .eml or .emlx files") % {"file": name}
        )
    for relative, full in files:
        try:
            yield from read_path(full, f"{name}/{relative}", options, problems, skipped, depth=depth + 1)
        except FileUnreadable as error:
            problems.add(Source(f"{name}/{relative}", error.line), error.reason, error.column)


IGNORED_EXTENSIONS = (".msf",)
# Files that come with exported mail and hold none: Apple Mail's listing of an exported mailbox,
# Thunderbird's folder tree, and what Windows and macOS leave in any folder.
COMPANION_FILES = {"table_of_contents", "info.plist", "foldertree.json", "desktop.ini", "thumbs.db", ".ds_store"}


def _starts_an_mbox(path: str) -> bool:
    try:
        with open(path, "rb") as handle:
            return handle.read(5) == b"From "
    except OSError:
        return False


def _maildir_flags(filename: str) -> str:
    for separator in (":2,", "!2,", ";2,"):  # ":" is "!" or ";" where file names cannot hold it
        if separator in filename:
            return filename.rsplit(separator, 1)[1]
    return ""


# ---- detection and splitting ------------------------------------------------------------------------


def _sniff(head: bytes) -> str:
    """ "mbox", "eml" or "empty"; raises FileUnreadable for anything else."""
    if head.startswith(_OLE_MAGIC):
        raise FileUnreadable(
            _(
                "this is an Outlook .msg file, not an .eml: drag the message out of Outlook for the web or "
                "new Outlook (it saves an .eml), or export the mailbox from Thunderbird or Apple Mail"
            )
        )
    body = head.lstrip(b"\xef\xbb\xbf").lstrip(b"\r\n\t ")
    if not body:
        return "empty"
    if body[:15].upper() == b"BEGIN:VCALENDAR":
        raise FileUnreadable(_("this is a calendar (.ics), not mail; import it as a calendar"), line=1)
    if body.startswith(b"From "):
        return "mbox"
    if _EMLX_COUNT.match(body) and _HEADER_LINE.match(body[_EMLX_COUNT.match(body).end() :]):
        return "eml"
    if _HEADER_LINE.match(body):
        first = body.split(b"\n", 1)[0]
        if b"\x00" not in first:
            return "eml"
    raise FileUnreadable(
        _(
            'this is not a mail file: an mbox begins with a "From " line, a message (.eml) with headers '
            'such as "From:", "To:" and "Date:"'
        ),
        line=1,
    )


def _split_mbox(stream: BinaryIO) -> Iterator[tuple[int, bytes, bool, bool, bytes]]:
    """(line of the "From " separator, the message's bytes, whether it ends with a line end, whether
    it was longer than MAX_MESSAGE, the separator line) for each message, reading one line piece at a
    time."""
    line = 0
    at_line_start = True
    previous_blank = True
    start = 0
    parts: list[bytes] = []
    size = 0
    capped = False
    last = b"\n"
    first_seen = False
    envelope = b""
    pushed: list[bytes] = []  # a line read ahead, to be read again
    while True:
        piece = pushed.pop() if pushed else stream.readline(CHUNK)
        if not piece:
            break
        if line == 0:
            piece = piece.removeprefix(codecs.BOM_UTF8)  # a byte-order mark before the first "From "
        if at_line_start:
            line += 1
            is_separator = piece.startswith(b"From ") and (
                not first_seen
                or _STRICT_POSTMARK.match(piece) is not None
                or (previous_blank and _LOOSE_POSTMARK.match(piece) is not None)
            )
            if is_separator and first_seen and piece.endswith(b"\n"):
                # A message begins with a header line. A body line that looks like a separator (not
                # every writer quotes "From " lines: RFC 4155 §2) is followed by more text instead.
                following = stream.readline(CHUNK)
                if following:
                    pushed.append(following)
                is_separator = _HEADER_LINE.match(following) is not None
            if is_separator:
                if first_seen:
                    yield start, b"".join(parts), True, capped, envelope
                first_seen = True
                start, parts, size, capped = line, [], 0, False
                envelope = piece
                previous_blank = False
                at_line_start = piece.endswith(b"\n")
                while not at_line_start:  # the rest of an overlong separator line
                    piece = stream.readline(CHUNK)
                    if not piece:
                        break
                    at_line_start = piece.endswith(b"\n")
                last = b"\n"
                continue
            if not first_seen:
                if piece.strip():
                    first_seen = True  # text before the first separator: read it as a message
                    start, envelope = line, b""
                else:
                    at_line_start = piece.endswith(b"\n")
                    continue
            previous_blank = piece in (b"\n", b"\r\n")
            if piece.startswith(b">") and _QUOTED_FROM.match(piece):
                piece = piece[1:]
        if not capped:
            if size + len(piece) > MAX_MESSAGE:
                capped = True
            else:
                parts.append(piece)
                size += len(piece)
        last = piece
        at_line_start = piece.endswith(b"\n")
    if first_seen:
        yield start, b"".join(parts), last.endswith(b"\n"), capped, envelope


# ---- one message ---------------------------------------------------------------------------------


def _message(
    data: bytes,
    source: Source,
    options: ReadOptions,
    problems: Problems,
    skipped: Counter,
    *,
    last: bool = False,
    complete: bool = True,
    capped: bool = False,
    envelope: bytes = b"",
) -> MessageRecord | None:
    """The record of one message, or None (skipped, or a problem reported). ``last``: the message
    ends its file, so a missing line end or closing MIME boundary means the file was cut.
    ``envelope``: the mbox's "From " line before it, whose date stands in for a missing Date header."""
    try:
        return _read_message(
            data,
            source,
            options,
            problems,
            skipped,
            cut=last and not complete,
            check_boundaries=last and not capped,
            envelope=envelope,
        )
    except (
        ValueError,
        LookupError,
        TypeError,
        IndexError,
        AttributeError,
        AssertionError,
        OverflowError,
        RecursionError,
    ) as error:
        # The email package is lenient but not everywhere; a message it chokes on is one problem.
        problems.add(
            source, (_("the message cannot be read (%(error)s)") % {"error": f"{type(error).__name__}: {error}"})[:300]
        )
        return None
    except email_errors.MessageError as error:
        problems.add(source, (_("the message cannot be read (%(error)s)") % {"error": error})[:300])
        return None


def _read_message(
    data: bytes,
    source: Source,
    options: ReadOptions,
    problems: Problems,
    skipped: Counter,
    *,
    cut: bool,
    check_boundaries: bool,
    envelope: bytes = b"",
) -> MessageRecord | None:
    if not data.strip():
        problems.add(source, _("the message is empty"))
        return None
    # A byte-order mark or blank lines before the headers (Office 365 sometimes sends a UTF-8 BOM
    # first; Windows saves downloaded .eml files with one) would make the parser take every header
    # for the body.
    data = data.removeprefix(codecs.BOM_UTF8).lstrip(b"\r\n")
    msg = BytesParser(policy=compat32).parsebytes(data)
    if not _has_headers(msg):
        problems.add(source, _("this is not a mail message: it has no headers"))
        return None
    hint = _charset_hint(msg)

    reason = _skip_reason(msg, hint)
    if reason:
        skipped[reason] += 1
        return None

    senders = _addresses(msg, ("From",), hint) or _addresses(msg, ("Sender", "Reply-To"), hint)
    to = _addresses(msg, ("To",), hint)
    cc = _addresses(msg, ("Cc",), hint)
    if not senders:
        # nobody's message: no client wrote it and no one can answer it (a bounce without an
        # address, spam with an empty From) — passed over and counted, not a reason to refuse the
        # rest of a mailbox no one can edit
        skipped["no sender"] += 1
        return None
    sender_name, sender = senders[0]

    own_known = bool(options.own_addresses or options.own_domains)
    labels = _gmail_labels(msg, hint)
    outgoing = _is_own(sender, options) if own_known else bool(labels & SENT_LABELS)
    everyone = [senders[0], *to, *cc]
    if own_known:
        theirs = [(n, a) for n, a in everyone if not _is_own(a, options)]
    elif outgoing:
        theirs = [(n, a) for n, a in everyone if a != sender]
    else:
        theirs = everyone
    if not theirs:
        skipped["internal"] += 1
        return None

    if cut or (check_boundaries and _cut_short(msg)):
        problems.add(source, _("the file ends in the middle of this message (is it truncated?)"))
        return None

    raw_date = _get(msg, "Date")
    date_text = _header_text(raw_date, hint) if raw_date is not None else ""
    sent_at = _parse_date(date_text) if date_text.strip() else None
    if sent_at is not None and not _zone_stated(date_text):
        sent_at = _zone_from_received(sent_at, _first_hop_date(msg))
    if sent_at is None:
        # Drafts and some mailers' copies of sent mail have no Date (or a broken one); the server's
        # Received line and the mbox's "From " line still say when the message arrived.
        sent_at = _received_date(msg) or _envelope_date(envelope)
    if sent_at is None and _impossible_year(date_text):
        skipped["impossible date"] += 1  # 1 January 1970, the clock of a spam run or a broken mailer
        return None
    if sent_at is None:
        if not date_text.strip():
            problems.add(source, _("the message has no Date header, so when it was sent is unknown"), column="Date")
        else:
            problems.add(source, _("the date %(date)s cannot be read") % {"date": repr(date_text[:80])}, column="Date")
        return None

    subject = " ".join(_header_text(_get(msg, "Subject"), hint).split())
    if len(subject) > MAX_SUBJECT:
        subject = subject[: MAX_SUBJECT - 1] + "…"
    message_id = _first_id(_header_text(_get(msg, "Message-ID") or "", hint))
    if len(message_id) > MAX_KEY:
        message_id = content_key(message_id)
    key = message_id or content_key(sent_at.isoformat(), sender, subject)
    in_reply_to = _first_id(_header_text(_get(msg, "In-Reply-To") or "", hint))
    references = tuple(
        dict.fromkeys(i for i in _ids(_header_text(_get(msg, "References") or "", hint)) if len(i) <= MAX_KEY)
    )
    if len(in_reply_to) > MAX_KEY:
        in_reply_to = ""
    if not in_reply_to and references:
        in_reply_to = references[-1]  # RFC 5322 §3.6.4: the last id of References is the parent

    body = strip_quoted(body_text(msg))
    judged = f"{subject}\n{body}"
    language = tone.guess_language(judged)
    negative = tone.negative(judged, language)

    if outgoing:
        # the first recipient who has a name comes first, so that name is that address's
        named = next(((n, a) for n, a in theirs if n), None)
        client_name = named[0] if named else ""
        if named:
            theirs = [named] + [p for p in theirs if p[1] != named[1]]
    else:
        client_name = sender_name if (sender_name and theirs[0][1] == sender) else ""
    return MessageRecord(
        source=source,
        key=key,
        sent_at=sent_at,
        sender=sender,
        to=tuple(a for _, a in to),
        cc=tuple(a for _, a in cc),
        subject=subject,
        in_reply_to=in_reply_to,
        references=references,
        negative=negative,
        language=language,
        client=ClientRef(name=client_name, emails=tuple(dict.fromkeys(a for _, a in theirs)), person=True),
        direction=("out" if outgoing else "in") if (own_known or outgoing) else "",
    )


def _has_headers(msg: Message) -> bool:
    return any(key.lower() in ("from", "to", "date", "subject", "message-id", "sender", "cc") for key in msg)


def _cut_short(msg: Message) -> bool:
    """Whether the parser saw a multipart body end before its closing boundary (a cut file)."""
    for part in _walk(msg):
        for defect in getattr(part, "defects", ()):
            if isinstance(defect, email_errors.CloseBoundaryNotFoundDefect):
                return True
    return False


def _skip_reason(msg: Message, hint: str | None) -> str:
    """Why a message is not evidence ("" when it is): Gmail labels, Thunderbird's deleted flag,
    Outlook's unsent draft flag."""
    for label in _gmail_labels(msg, hint):
        if label in SKIP_LABELS:
            return SKIP_LABELS[label]
    status = _raw(_get(msg, "X-Mozilla-Status")).strip()
    if status:
        try:
            if int(status, 16) & MOZILLA_EXPUNGED:
                return "deleted"
        except ValueError:
            pass
    if _raw(_get(msg, "X-Unsent")).strip() == "1":
        return "draft"
    if _automated(msg):
        return "automated"
    return ""


_BULK_PRECEDENCE = {"bulk", "list", "junk"}
_ROBOT_MAILBOXES = re.compile(
    r"^(no-?reply|do-?not-?reply|donotreply|mailer-daemon|postmaster|bounces?|calendar-notification"
    r"|notifications?|notify|alerts?|newsletters?|mailer)([+.\-_].*)?@",
    re.IGNORECASE,
)


def _automated(msg: Message) -> bool:
    """Mail a machine sent, which is no one's correspondence: an auto-reply or notification
    (Auto-Submitted other than "no", RFC 3834), a mailing list's or a newsletter's message
    (Precedence bulk/list/junk, List-Id, List-Unsubscribe; RFC 2369, 2919), a bounce or a no-reply
    sender. A client's calendar notification or newsletter would otherwise become a client of its own
    (with --create-clients) or count as the client writing."""
    submitted = _raw(_get(msg, "Auto-Submitted")).strip().lower()
    if submitted and not submitted.startswith("no"):
        return True
    if _raw(_get(msg, "Precedence")).strip().lower() in _BULK_PRECEDENCE:
        return True
    if _get(msg, "List-Id") is not None or _get(msg, "List-Unsubscribe") is not None:
        return True
    # the From address, not the envelope's (Return-Path): a client's web system may send a person's
    # own message from noreply@ with their address in From
    sender = parseaddr(_raw(_get(msg, "From")))[1]
    return bool(_ROBOT_MAILBOXES.match(sender)) or _raw(_get(msg, "From")).strip().upper().startswith("MAILER-DAEMON")


def _gmail_labels(msg: Message, hint: str | None) -> set[str]:
    value = _get(msg, "X-Gmail-Labels")
    if value is None:
        return set()
    text = _header_text(value, hint)
    try:
        row = next(csv.reader([text]), [])
    except csv.Error:
        row = text.split(",")
    return {label.strip().casefold() for label in row if label.strip()}


def _is_own(address: str, options: ReadOptions) -> bool:
    if address in options.own_addresses:
        return True
    domain = address.rpartition("@")[2]
    return any(domain == d or domain.endswith("." + d) for d in options.own_domains)


# ---- headers -----------------------------------------------------------------------------------------

_ENCODED_WORD = re.compile(rb"=\?([^?\s]+)\?([QqBb])\?([^?\s]*)\?=")
_FOLD = re.compile(rb"\r?\n(?=[ \t])")
_ADDRESS = re.compile(r"^[^\s@<>()\[\],;:\"]+@[^\s@<>()\[\],;:\"]+\.[^\s@<>()\[\],;:\".]+$")
_ID = re.compile(r"<([^<>\s]+)>")


def _raw(value: object) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)


def _get_all(msg: Message, name: str) -> list[str]:
    """The raw values of a header (8-bit bytes kept as surrogate escapes: ``Message.get`` would
    turn them into replacement characters before their charset is known)."""
    lowered = name.lower()
    return [_raw(value) for key, value in msg.raw_items() if key.lower() == lowered]


def _get(msg: Message, name: str) -> str | None:
    values = _get_all(msg, name)
    return values[0] if values else None


def _header_bytes(value: object) -> bytes:
    text = _raw(value)
    try:
        return text.encode("ascii", "surrogateescape")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogateescape")


def _decode(data: bytes, declared: str | None) -> str:
    """Bytes in a charset that may be missing or wrong (see ``decode_bytes``), with two more checks
    when a single-byte charset is declared over 8-bit text:

    - text that is valid UTF-8 (with characters beyond ASCII) is UTF-8: web forms and scripts label
      their UTF-8 with the server's legacy charset, and legacy text is almost never valid UTF-8 by
      chance;
    - a declaration over bytes that read far better in another charset is overruled: cp1251 or
      cp1250 labelled iso-8859-1 or windows-1252, cp1251 labelled koi8-r (and the reverse: the same
      letters with their cases swapped), cp1250 labelled iso-8859-2 (ą ś ź read as ± ¶ Ľ)."""
    if not data:
        return ""
    codec = _codec(declared)
    legacy = codec is not None and _single_byte(codec) and re.search(rb"[\x80-\xff]", data) is not None
    if legacy:
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            pass
    try:
        text = decode_bytes(data, codec)
    except (UnicodeError, LookupError, ValueError):
        text = decode_bytes(data, None)
    if legacy:
        best = detect_charset(data)
        if best and codecs.lookup(best).name != codec:
            try:
                other = data.decode(best)
            except UnicodeDecodeError:
                return text
            if _plausibility(other) > _plausibility(text) + 2:
                return other
    return text


@functools.cache
def _single_byte(codec: str) -> bool:
    """Whether every byte is one character of ``codec`` (iso-8859-*, windows-125*, koi8-*, mac-*), as
    against UTF-8 and the East Asian charsets, whose bytes combine."""
    try:
        decoder = codecs.getincrementaldecoder(codec)
    except (LookupError, TypeError):
        return False
    return all(len(decoder(errors="replace").decode(bytes([b]))) == 1 for b in range(0x80, 0x100))


# Charset names mail programs write that Python does not know: Hebrew "logical" and "explicit"
# ISO 8859-8 (same letters as iso-8859-8), Apple's Mac names, Outlook's Korean name.
_CHARSET_ALIASES = {
    "iso-8859-8-i": "iso8859_8",
    "iso-8859-8-e": "iso8859_8",
    "iso_8859-8-i": "iso8859_8",
    "iso-8859-6-i": "iso8859_6",
    "iso-8859-6-e": "iso8859_6",
    "x-mac-cyrillic": "mac_cyrillic",
    "x-mac-roman": "mac_roman",
    "x-mac-ce": "mac_latin2",
    "ks_c_5601-1987": "cp949",
}
_UNSAFE_CODECS = {"idna", "punycode", "unicode-escape", "raw-unicode-escape", "undefined", "mbcs", "oem"}


def _codec(name: str | None) -> str | None:
    """The Python codec of a declared charset, or None when it is unknown or not a text charset."""
    if not name:
        return None
    name = name.strip().strip("\"'").lower()
    name = _CHARSET_ALIASES.get(name, name)
    try:
        info = codecs.lookup(name)
    except (LookupError, ValueError, TypeError, UnicodeError):
        return None
    if not getattr(info, "_is_text_encoding", True) or info.name in _UNSAFE_CODECS:
        return None
    return info.name


def _decode_word(charset: bytes, encoding: bytes, payload: bytes) -> tuple[str, bytes] | None:
    """The charset and bytes of one encoded word, or None when it is not decodable."""
    name = charset.decode("ascii", "replace").split("*", 1)[0]  # RFC 2231 language suffix
    if encoding in (b"B", b"b"):
        try:
            raw = base64.b64decode(payload + b"=" * (-len(payload) % 4), validate=False)
        except (binascii.Error, ValueError):
            return None
    else:
        raw = quopri.decodestring(payload.replace(b"_", b" "), header=False)
    return name, raw


def _header_text(value: object, hint: str | None = None) -> str:
    """A header's text: unfolded, RFC 2047 encoded words decoded (adjacent words of one charset
    joined before decoding, so a character split between two words survives), raw 8-bit bytes
    decoded in the message's charset or the detected one."""
    data = _FOLD.sub(b"", _header_bytes(value))
    out: list[str] = []
    pos = 0
    pending: tuple[str, bytearray] | None = None

    def flush() -> None:
        nonlocal pending
        if pending is not None:
            out.append(_decode(bytes(pending[1]), pending[0]))
            pending = None

    for match in _ENCODED_WORD.finditer(data):
        decoded = _decode_word(*match.groups())
        if decoded is None:
            continue  # left as it is, with the text around it
        between = data[pos : match.start()]
        if pending is not None and not between.strip():  # adjacent words: the space between goes
            if pending[0].lower() == decoded[0].lower():
                pending[1].extend(decoded[1])
            else:
                flush()
                pending = (decoded[0], bytearray(decoded[1]))
        else:
            flush()
            out.append(_plain(between, hint))
            pending = (decoded[0], bytearray(decoded[1]))
        pos = match.end()
    flush()
    out.append(_plain(data[pos:], hint))
    return "".join(out).replace("\r", "").replace("\n", " ").replace("\x00", "").strip()


def _plain(data: bytes, hint: str | None) -> str:
    if not data:
        return ""
    if not re.search(rb"[\x80-\xff]", data):
        return data.decode("ascii")
    return _decode(data, hint)


def _charset_hint(msg: Message) -> str | None:
    """The charset the message declares for its text (used for undeclared 8-bit headers)."""
    for part in _walk(msg):
        try:
            charset = part.get_content_charset()
        except (ValueError, LookupError, TypeError, AttributeError):
            charset = None
        if charset and charset not in ("us-ascii", "ascii"):
            return charset
    return None


def _addresses(msg: Message, names: tuple[str, ...], hint: str | None) -> list[tuple[str, str]]:
    """(display name, lower-case address) of the headers ``names``, invalid addresses left out."""
    values = []
    for header in names:
        values.extend(_get_all(msg, header))
    if not values:
        return []
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    for display, address in getaddresses(values):
        address = _header_text(address, hint).strip().strip("<>").lower()
        if not _ADDRESS.match(address) or address in seen:
            continue
        seen.add(address)
        name = " ".join(_header_text(display, hint).strip().strip("'\"").split())
        out.append((name[:200], address))
    return out


def _ids(value: str) -> list[str]:
    return [m.group(1) for m in _ID.finditer(value)]


def _first_id(value: object) -> str:
    text = _raw(value)
    found = _ids(text)
    if found:
        return found[0]
    text = text.strip()
    return text if "@" in text and " " not in text and "\x00" not in text else ""


_TWELVE_HOUR = re.compile(r"\b(\d{1,2}):(\d\d)(?::(\d\d))?\s*([AaPp])\.?[Mm]\.?(?![A-Za-z])")


def _twenty_four(match: re.Match) -> str:
    hour = int(match.group(1)) % 12 + (12 if match.group(4) in "Pp" else 0)
    return f"{hour:02d}:{match.group(2)}:{match.group(3) or '00'}"


# Zone names RFC 5322 does not define (it knows UT, GMT and the US ones) that European mailers write;
# email.utils would read them as UTC.
_ZONE_NAMES = {
    "WET": "+0000",
    "WEST": "+0100",
    "BST": "+0100",
    "CET": "+0100",
    "MET": "+0100",
    "CEST": "+0200",
    "MEST": "+0200",
    "EET": "+0200",
    "EEST": "+0300",
    "MSK": "+0300",
    "IDT": "+0300",
}
_ZONE_NAME = re.compile(r"\s(" + "|".join(_ZONE_NAMES) + r")(\s*\(.*\))?\s*$", re.IGNORECASE)
_GMT_OFFSET = re.compile(r"\s(?:GMT|UTC)\s*([+-])(\d{1,2}):?(\d\d)?(?=\s|$|\()", re.IGNORECASE)
_ISO_DATE = re.compile(r"^\d{4}-\d\d-\d\d[T ]\d\d:\d\d")
_ENVELOPE_DATE = re.compile(
    rb"([A-Za-z]{3}),? +([A-Za-z]{3}) +(\d{1,2}) +(\d{1,2}):(\d\d)(?::(\d\d))?(?: +([+-]\d{4}|[A-Z]{1,5}))? +(\d{4})"
)


def _envelope_date(line: bytes) -> dt.datetime | None:
    """The date of an mbox "From " line: Gmail's "Mon Jan 05 09:00:00 +0000 2026", Thunderbird's
    "Mon Jan  5 09:00:00 2026" (no zone: UTC)."""
    match = _ENVELOPE_DATE.search(line[:300])
    if not match:
        return None
    weekday, month, day, hour, minute, second, zone, year = (g.decode("ascii") if g else "" for g in match.groups())
    return _parse_date(f"{weekday}, {day} {month} {year} {hour}:{minute}:{second or '00'} {zone or '+0000'}")


def _received_date(msg: Message) -> dt.datetime | None:
    """The date of the first (most recent) Received header that has one: after its last ";"."""
    for value in _get_all(msg, "Received")[:20]:
        text = _header_text(value)
        if ";" in text:
            found = _parse_date(text.rsplit(";", 1)[1].strip())
            if found is not None:
                return found
    return None


def _first_hop_date(msg: Message) -> dt.datetime | None:
    """The date of the oldest Received header (the last one, written by the first server the message
    reached, seconds after it was sent) that states its zone; later hops may be hours later (a
    fetcher's own Received line)."""
    for value in reversed(_get_all(msg, "Received")[:50]):
        text = _header_text(value)
        if ";" in text:
            stamp = text.rsplit(";", 1)[1].strip()
            found = _parse_date(stamp) if _zone_stated(stamp) else None
            if found is not None:
                return found
    return None


_NUMERIC_ZONE = re.compile(r"\s[+-]\d{4}(?=\s|$|\()")
_COLON_ZONE = re.compile(r"\s([+-])(\d\d):(\d\d)(?=\s*(\(.*\))?\s*$)")
# The zone names RFC 5322 §4.3 gives a meaning (UT, GMT, the US ones; of the military letters, whose
# meaning it calls unknown, only Z, which is UTC in any reading) and the European ones read here.
_KNOWN_ZONE = re.compile(r"\s(UT|UTC|GMT|Z|[ECMP][SD]T|" + "|".join(_ZONE_NAMES) + r")\s*(\(.*\))?\s*$", re.IGNORECASE)
MAX_DELIVERY_GAP = dt.timedelta(hours=1)  # a zone read from Received must bring Date this close to it


def _zone_stated(text: str) -> bool:
    """Whether a Date header gives its zone: a numeric offset ("-0000" included: RFC 5322 §3.3, a time
    in UTC) or a name whose meaning is known."""
    if _ISO_DATE.match(text.strip()):  # 2026-01-05T09:00:00Z, …+02:00
        return re.search(r"(Z|[+-]\d\d:?\d\d)$", text.strip(), re.IGNORECASE) is not None
    text = _GMT_OFFSET.sub(" +0000", _COLON_ZONE.sub(" +0000", text))
    return bool(_NUMERIC_ZONE.search(text) or _KNOWN_ZONE.search(text))


def _zone_from_received(sent_at: dt.datetime, received: dt.datetime | None) -> dt.datetime:
    """A Date without a zone, or with a name whose meaning is unknown, read as UTC (RFC 5322 §4.3:
    "-0000", unless out-of-band information says more). The server's Received line is such
    information: the zone is the whole quarter-hour offset (-12:00 to +14:00) that brings the
    sender's clock next to the delivery time. Without one, or when none fits, it stays UTC."""
    if received is None:
        return sent_at
    wall = sent_at.replace(tzinfo=None)
    gap = wall - received.astimezone(dt.UTC).replace(tzinfo=None)
    quarters = round(gap / dt.timedelta(minutes=15))
    offset = dt.timedelta(minutes=15 * quarters)
    if not dt.timedelta(hours=-12) <= offset <= dt.timedelta(hours=14):
        return sent_at
    guess = wall.replace(tzinfo=dt.timezone(offset))
    return guess if abs(guess - received) <= MAX_DELIVERY_GAP else sent_at


def _parse_date(text: str) -> dt.datetime | None:
    """An aware instant from a Date header; a date without a zone ("-0000" or none) is taken as UTC.
    A 12-hour time ("1:00 PM", written by some mailers and by hand) is read as such."""
    text = _TWELVE_HOUR.sub(_twenty_four, text)
    text = _COLON_ZONE.sub(lambda m: f" {m.group(1)}{m.group(2)}{m.group(3)}", text)
    text = _GMT_OFFSET.sub(lambda m: f" {m.group(1)}{int(m.group(2)):02d}{m.group(3) or '00'}", text)
    text = _ZONE_NAME.sub(lambda m: f" {_ZONE_NAMES[m.group(1).upper()]}{m.group(2) or ''}", text)
    if _ISO_DATE.match(text.strip()):
        try:
            value = dt.datetime.fromisoformat(text.strip())
        except ValueError:
            return None
        value = value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
        return value if 1980 <= value.year <= 2200 else None
    try:
        value = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    if not 1980 <= value.year <= 2200:
        return None
    return value


def _impossible_year(text: str) -> bool:
    """A Date that reads as a date, but before 1980 or after 2200: no mail of any client's."""
    try:
        value = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return False
    return value is not None and not 1980 <= value.year <= 2200


# ---- bodies --------------------------------------------------------------------------------------


def _walk(msg: Message) -> Iterator[Message]:
    for n, part in enumerate(msg.walk()):
        if n >= MAX_PARTS:
            return
        yield part


def body_text(msg: Message) -> str:
    """The message's text: the first text/plain part that is not an attachment, else the first
    text/html one converted crudely to text; at most MAX_TEXT characters."""
    html_part = None
    for part in _walk(msg):
        if part.is_multipart():
            continue
        try:
            content_type = part.get_content_type()
            disposition = (part.get_content_disposition() or "").lower()
            # A named part is a file, whatever its disposition: Apple Mail attaches files "inline"
            # with a filename, and names may come as RFC 2231 parameters (filename*=utf-8''…).
            named = bool(part.get_filename())
        except (ValueError, LookupError, TypeError, AttributeError, UnicodeError):
            continue
        if disposition == "attachment" or named:
            continue
        if content_type == "text/plain":
            return _part_text(part)[:MAX_TEXT]
        if content_type == "text/html" and html_part is None:
            html_part = part
    if html_part is not None:
        return html_to_text(_part_text(html_part))[:MAX_TEXT]
    return ""


def _part_text(part: Message) -> str:
    try:
        payload = part.get_payload(decode=True)
    except (ValueError, LookupError, TypeError, binascii.Error, AssertionError):
        return ""
    if not isinstance(payload, bytes):
        return ""
    try:
        charset = part.get_content_charset()
    except (ValueError, LookupError, TypeError, AttributeError):
        charset = None
    return _decode(payload[: MAX_TEXT * 4], charset).replace("\r\n", "\n")


_DROP_HTML = re.compile(r"<(style|script|head)\b.*?</\1\s*>", re.S | re.I)
_INNER_QUOTE = re.compile(r"<blockquote\b(?:(?!<blockquote\b).)*?</blockquote\s*>", re.S | re.I)
_GMAIL_QUOTE = re.compile(r"<div[^>]*class=[\"']?gmail_quote.*", re.S | re.I)
_BREAKS = re.compile(r"<(br|/p|/div|/li|/tr|/h\d)\b[^>]*>", re.I)
_TAG = re.compile(r"<[^>]*>")


def html_to_text(text: str) -> str:
    """Crude HTML → text: no style or script, no quoted blocks, tags removed, entities decoded."""
    text = _DROP_HTML.sub(" ", text)
    text = _GMAIL_QUOTE.sub(" ", text)
    for _round in range(10):
        text, n = _INNER_QUOTE.subn(" ", text)
        if not n:
            break
    text = _BREAKS.sub("\n", text)
    text = _TAG.sub("", text)
    return html.unescape(text)


_ATTRIBUTION = re.compile(
    r"((wrote|writes|написал|написала|написал\(а\)|пишет|napisał|napisała|napisał\(a\)|a scris|כתב|כתבה|כתב/ה)"
    r"|<[^<>\s]+@[^<>\s]+>)\s*:\s*$",
    re.I,
)
_BIDI = re.compile(r"[\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_ORIGINAL = re.compile(r"^\s*-{2,}\s*[^-]{3,60}?\s*-{2,}\s*$|^\s*_{10,}\s*$")
_OUTLOOK_FROM = re.compile(r"^\s*(From|Від|От|Od|De la|מאת)\s*:\s*\S", re.I)
# The line after "From:" in the header block Outlook writes above a quoted message, in the languages
# of the firm's clients: "Sent:" (Outlook for Windows) or "Date:" (Outlook for Mac, new Outlook).
_OUTLOOK_SENT = re.compile(r"^\s*(Sent|Date|Отправлено|Дата|Wysłane|Wysłano|Data|Trimis|Dată|נשלח|תאריך)\s*:", re.I)


def strip_quoted(text: str) -> str:
    """The writer's own words: quoted lines ("> …"), the quoted reply after an "On … wrote:" line, an
    "-----Original Message-----" line or an Outlook "From: … Sent: …" block, and the signature
    (after "-- ", or after a closing formula such as "Best regards," when a few short lines follow
    it) are removed."""
    lines = text.split("\n")
    kept: list[str] = []
    for i, line in enumerate(lines):
        stripped = _BIDI.sub("", line).strip()
        if stripped.startswith(">"):
            continue
        if line.rstrip("\r") == "-- ":
            break
        if _ORIGINAL.match(line):
            break
        if _ATTRIBUTION.search(stripped):
            if kept and kept[-1].strip().lower().startswith(("on ", "le ", "am ", "в ", "w dniu", "în ", "ב-")):
                kept.pop()  # the attribution wrapped over two lines
            break
        if _OUTLOOK_FROM.match(line) and any(_OUTLOOK_SENT.match(nxt) for nxt in lines[i + 1 : i + 3]):
            break
        kept.append(line)
    return "\n".join(_without_signature(kept)).strip()


# Closing formulas after which a message has only its signature, in the firm's languages.
_CLOSING = re.compile(
    r"^\s*(best regards|kind regards|warm regards|regards|best wishes|best|cheers|sincerely|yours sincerely|"
    r"yours faithfully|thanks|thank you|many thanks|"
    r"pozdrawiam( serdecznie)?|serdecznie pozdrawiam|z poważaniem|z wyrazami szacunku|łączę pozdrowienia|"
    r"с уважением|всего доброго|всего хорошего|с наилучшими пожеланиями|спасибо|"
    r"cu stimă|cu respect|cu bine|toate cele bune|o zi bună|mulțumesc|cu drag|"
    r"בברכה|בכבוד רב|תודה|תודה רבה)\s*[,.!]*\s*$",
    re.IGNORECASE,
)
MAX_SIGNATURE_LINES = 10
MAX_SIGNATURE_LINE = 80


def _without_signature(lines: list[str]) -> list[str]:
    """The lines up to a closing formula ("Best regards,", "Pozdrawiam", "С уважением,", "Cu stimă,",
    "בברכה") when what follows it is shaped like a signature: a few short lines (names, a job title,
    the company in capitals with its legal form, "adwokat", "Complaints department" …), which are
    not the writer's tone. Outlook and most mail programs write no "-- " line before it."""
    for i in range(len(lines) - 1, -1, -1):
        if _CLOSING.match(_BIDI.sub("", lines[i])):
            if not any(line.strip() for line in lines[:i]):
                break  # "Thanks," opening the message: what follows is the message
            rest = [line for line in lines[i + 1 :] if line.strip()]
            if len(rest) <= MAX_SIGNATURE_LINES and all(len(line) <= MAX_SIGNATURE_LINE for line in rest):
                return lines[:i]
            break
    return lines
