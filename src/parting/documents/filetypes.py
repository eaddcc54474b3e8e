"""What an uploaded client document is, told from its first bytes, and the name it is shown under.

Python's standard library has no ``magic``: a short table of signatures does the work (PDF ``%PDF-``,
PNG, JPEG, ZIP ``PK\\x03\\x04``), the name's extension only picks which ZIP-based office file a ZIP
is and must agree with the contents; anything else must decode as UTF-8 without a NUL byte and not
open with a markup tag to pass as text. Programs, HTML, SVG and whatever is not in the table are
refused, whatever they are called. The member's file name is kept only to be shown: stripped of
folders, control and formatting characters (a right-to-left override can make ``exe.pdf`` read as
``fdp.exe``), and cut to ``NAME_LIMIT`` characters with its extension kept.
"""

from __future__ import annotations

import codecs
import hashlib
import re
import unicodedata
import zipfile
from dataclasses import dataclass

from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

NAME_LIMIT = 200
HEAD_BYTES = 512
CHUNK_BYTES = 64 * 1024


@dataclass(frozen=True)
class FileKind:
    key: str
    content_type: str
    extensions: tuple[str, ...]


PDF = FileKind("pdf", "application/pdf", ("pdf",))
PNG = FileKind("png", "image/png", ("png",))
JPEG = FileKind("jpeg", "image/jpeg", ("jpg", "jpeg"))
DOCX = FileKind("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ("docx",))
XLSX = FileKind("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ("xlsx",))
ODT = FileKind("odt", "application/vnd.oasis.opendocument.text", ("odt",))
ZIP = FileKind("zip", "application/zip", ("zip",))
CSV = FileKind("csv", "text/csv", ("csv",))
TEXT = FileKind("text", "text/plain", ("txt", "tsv", "md"))

SIGNATURES = ((b"%PDF-", PDF), (b"\x89PNG\r\n\x1a\n", PNG), (b"\xff\xd8\xff", JPEG))
ZIP_SIGNATURE = b"PK\x03\x04"
ZIP_KINDS = {ext: kind for kind in (DOCX, XLSX, ODT, ZIP) for ext in kind.extensions}
TEXT_KINDS = {ext: kind for kind in (CSV, TEXT) for ext in kind.extensions}
PROGRAMS = (b"MZ", b"\x7fELF", b"\xca\xfe\xba\xbe", b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xcf\xfa\xed\xfe")
# Text that opens with a tag (<html, <svg, <?xml, <!DOCTYPE): a browser would run or draw it.
MARKUP = re.compile(r"^\s*<[A-Za-z!?]")
ACCEPTED = ".pdf, .png, .jpg, .jpeg, .txt, .csv, .tsv, .md, .docx, .xlsx, .odt, .zip"


class Refused(Exception):
    """The upload is not taken; the message names the file and says why."""


@dataclass(frozen=True)
class Inspected:
    name: str
    kind: FileKind
    size: int
    sha256: str


def clean_name(raw: str | None) -> str:
    """The name shown for an upload: its last path part, without control or formatting characters,
    at most ``NAME_LIMIT`` characters (the extension kept when cut); ``document`` if nothing is left."""
    name = unicodedata.normalize("NFC", raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    # Category C: controls (newlines included), formatting (bidi overrides, zero-width), surrogates, unassigned.
    name = "".join(ch for ch in name if not unicodedata.category(ch).startswith("C")).strip()
    if name.strip(".") == "":
        return "document"
    if len(name) > NAME_LIMIT:
        stem, dot, ext = name.rpartition(".")
        ext = f".{ext}" if dot and stem and len(ext) <= 10 else ""
        name = name[: NAME_LIMIT - len(ext)].rstrip() + ext
    return name


def extension(name: str) -> str:
    stem, dot, ext = name.rpartition(".")
    return ext.lower() if dot and stem else ""


def _refuse(message: str, name: str, **more) -> Refused:
    return Refused(message % {"file": name, **more})


def _kind_from_head(head: bytes, name: str) -> FileKind:
    ext = extension(name)
    if head.startswith(PROGRAMS):
        raise _refuse(_("%(file)s is a program, not a document: programs are not accepted."), name)
    for signature, kind in SIGNATURES:
        if head.startswith(signature):
            found = kind
            break
    else:
        if head.startswith(ZIP_SIGNATURE):
            found = ZIP_KINDS.get(ext, ZIP)
        else:
            text = head.lstrip(codecs.BOM_UTF8).decode("utf-8", errors="ignore")
            if MARKUP.match(text):
                raise _refuse(
                    _("%(file)s is a web page or drawing (HTML, SVG, XML): such files are not accepted."), name
                )
            found = TEXT_KINDS.get(ext, TEXT)
    if ext and ext not in found.extensions:
        if found in (TEXT, CSV) and ext not in ZIP_KINDS and ext not in ("pdf", "png", "jpg", "jpeg"):
            raise _refuse(
                _("%(file)s: files ending in .%(ext)s are not accepted. Accepted: %(accepted)s."),
                name,
                ext=ext,
                accepted=ACCEPTED,
            )
        raise _refuse(
            _("%(file)s is named .%(ext)s but its contents are %(kind)s: choose the right file or rename it."),
            name,
            ext=ext,
            kind=found.key.upper() if found not in (TEXT, CSV) else _("plain text"),
        )
    return found


def _check_zip(upload, kind: FileKind, name: str) -> None:
    """A ZIP must open as one; an office file must hold the part that makes it one."""
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
            if kind is DOCX:
                ok = "[Content_Types].xml" in names and "word/document.xml" in names
            elif kind is XLSX:
                ok = "[Content_Types].xml" in names and "xl/workbook.xml" in names
            elif kind is ODT:
                ok = "mimetype" in names and archive.open("mimetype").read(100).strip() == ODT.content_type.encode()
            else:
                ok = True
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, ValueError):
        raise _refuse(_("%(file)s is a damaged ZIP archive."), name) from None
    if not ok:
        raise _refuse(_("%(file)s is a ZIP archive, not a %(kind)s document."), name, kind=kind.key.upper())


def _not_accepted(name: str) -> Refused:
    return _refuse(
        _("%(file)s is not a document of an accepted kind (text must be UTF-8). Accepted: %(accepted)s."),
        name,
        accepted=ACCEPTED,
    )


def inspect_upload(upload, *, max_bytes: int) -> Inspected:
    """Read the upload once: its kind, size and SHA-256, or ``Refused`` saying why it is not taken."""
    name = clean_name(upload.name)
    too_large = _("%(file)s is larger than %(limit)s, the largest document accepted.")
    if upload.size is not None and upload.size > max_bytes:
        raise _refuse(too_large, name, limit=filesizeformat(max_bytes))
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    if not head:
        raise _refuse(_("%(file)s is empty."), name)
    kind = _kind_from_head(head, name)
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")("strict") if kind in (TEXT, CSV) else None
    size = 0
    upload.seek(0)
    while chunk := upload.read(CHUNK_BYTES):
        size += len(chunk)
        if size > max_bytes:  # the size the browser declared is not trusted alone
            raise _refuse(too_large, name, limit=filesizeformat(max_bytes))
        digest.update(chunk)
        if decoder is not None:
            if b"\x00" in chunk:
                raise _not_accepted(name)
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                raise _not_accepted(name) from None
    if decoder is not None:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise _not_accepted(name) from None
    if kind in ZIP_KINDS.values():
        upload.seek(0)
        _check_zip(upload, kind, name)
    upload.seek(0)
    return Inspected(name=name, kind=kind, size=size, sha256=digest.hexdigest())
