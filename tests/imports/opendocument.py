"""OpenDocument copies (.ods) of the CSV samples, as LibreOffice Calc saves a sheet.

What LibreOffice writes (OpenDocument 1.3, part 3 "Packages" and part 1 "Schema", 19.385 ff.): a
ZIP whose first member is ``mimetype`` (stored, not compressed) holding
``application/vnd.oasis.opendocument.spreadsheet``, then ``META-INF/manifest.xml`` and
``content.xml``, one line of XML. A cell says its type and value in attributes and shows its text
in ``<text:p>``: ``office:value-type="float" office:value="1200.5"``, ``"currency"`` with
``office:currency="PLN"``, ``"percentage"``, ``"date"`` with ``office:date-value="2026-01-31"``
(``T09:15:00`` with a time), ``"time"`` with ``office:time-value="PT26H05M00S"`` (durations and
times of day alike), ``"boolean"``, ``"string"``. Runs of equal cells and rows are written once with
``table:number-columns-repeated`` / ``table:number-rows-repeated``, and a sheet whose formatting
reaches the end ends with one row repeated to row 1,048,576. A hidden sheet's table style says
``table:display="false"``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from tests.imports.excel import typed

MIMETYPE = "application/vnd.oasis.opendocument.spreadsheet"
_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0"'
)
MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">'
    f'<manifest:file-entry manifest:full-path="/" manifest:version="1.3" manifest:media-type="{MIMETYPE}"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    "</manifest:manifest>"
)


def _span(value: dt.timedelta | dt.time) -> str:
    if isinstance(value, dt.time):
        value = dt.timedelta(hours=value.hour, minutes=value.minute, seconds=value.second)
    seconds = int(value.total_seconds())
    return f"PT{seconds // 3600:02d}H{seconds % 3600 // 60:02d}M{seconds % 60:02d}S"


def cell(value, shown: str | None = None, *, currency: str = "") -> str:
    """One ``<table:table-cell>`` as LibreOffice writes a value of this type."""
    if value is None or value == "":
        return "<table:table-cell/>"
    if isinstance(value, bool):
        typed_as = f'office:value-type="boolean" office:boolean-value="{str(value).lower()}"'
        shown = shown or ("TRUE" if value else "FALSE")
    elif isinstance(value, dt.datetime):
        text = value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(timespec="seconds")
        typed_as = f'office:value-type="date" office:date-value="{text}"'
    elif isinstance(value, dt.date):
        typed_as = f'office:value-type="date" office:date-value="{value.isoformat()}"'
    elif isinstance(value, (dt.timedelta, dt.time)):
        typed_as = f'office:value-type="time" office:time-value="{_span(value)}"'
    elif isinstance(value, (int, float)):
        kind = f'"currency" office:currency="{currency}"' if currency else '"float"'
        typed_as = f'office:value-type={kind} office:value="{value!r}"'
    else:
        typed_as = 'office:value-type="string" calcext:value-type="string"'
        shown = str(value)
    shown = str(value) if shown is None else shown
    paragraphs = "".join(f"<text:p>{escape(line)}</text:p>" for line in shown.split("\n"))
    return f"<table:table-cell {typed_as}>{paragraphs}</table:table-cell>"


def error_cell(shown: str, formula: str = "of:=1/0", *, repeat: int = 1) -> str:
    """A formula whose result is an error, as LibreOffice saves it: an empty string value, the
    error's type in ``calcext:value-type`` and the text the sheet shows (a translated Calc saves its own)."""
    repeated = f' table:number-columns-repeated="{repeat}"' if repeat > 1 else ""
    return (
        f'<table:table-cell{repeated} table:formula={quoteattr(formula)} office:value-type="string" '
        f'office:string-value="" calcext:value-type="error"><text:p>{escape(shown)}</text:p></table:table-cell>'
    )


def text_cell(*parts: str) -> str:
    """A text cell written with LibreOffice's inline marks: ``"\t"`` a ``<text:tab/>``, ``"\n"`` a
    ``<text:line-break/>`` (Shift+Enter), other parts as text."""
    marks = {"\t": "<text:tab/>", "\n": "<text:line-break/>"}
    inner = "".join(marks.get(part, escape(part)) for part in parts)
    return f'<table:table-cell office:value-type="string" calcext:value-type="string"><text:p>{inner}</text:p></table:table-cell>'


def sheet(name: str, rows: list[list[str]], *, hidden: bool = False, tail: bool = True) -> str:
    """A ``<table:table>`` of cells already written by ``cell``; runs of empty cells and rows are
    written repeated, and (``tail``) one row repeated to the sheet's end."""
    style = "ta2" if hidden else "ta1"
    out = [f'<table:table table:name={quoteattr(name)} table:style-name="{style}">']
    width = max((len(r) for r in rows), default=1)
    out.append(f'<table:table-column table:number-columns-repeated="{width}"/>')
    blank = 0
    for row in [*rows, None]:
        if row is not None and all(c == "<table:table-cell/>" for c in row):
            blank += 1
            continue
        if blank:
            out.append(
                f'<table:table-row table:number-rows-repeated="{blank}">'
                f'<table:table-cell table:number-columns-repeated="{width}"/></table:table-row>'
            )
            blank = 0
        if row is None:
            break
        cells = list(row)
        while cells and cells[-1] == "<table:table-cell/>":
            cells.pop()
        out.append(f"<table:table-row>{''.join(cells)}</table:table-row>")
    if tail:
        out.append(
            f'<table:table-row table:number-rows-repeated="{1_048_576 - len(rows)}">'
            '<table:table-cell table:number-columns-repeated="1024"/></table:table-row>'
        )
    out.append("</table:table>")
    return "".join(out)


def ods(target: Path, sheets: list[str]) -> Path:
    """Write the package: ``mimetype`` first and stored, then the manifest and the content."""
    styles = (
        '<office:automatic-styles><style:style style:name="ta1" style:family="table">'
        '<style:table-properties table:display="true"/></style:style>'
        '<style:style style:name="ta2" style:family="table"><style:table-properties table:display="false"/>'
        "</style:style></office:automatic-styles>"
    )
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_NS} office:version="1.3">'
        f"{styles}<office:body><office:spreadsheet>{''.join(sheets)}</office:spreadsheet></office:body>"
        "</office:document-content>"
    )
    with zipfile.ZipFile(target, "w") as package:
        package.writestr(zipfile.ZipInfo("mimetype"), MIMETYPE, compress_type=zipfile.ZIP_STORED)
        package.writestr("META-INF/manifest.xml", MANIFEST, compress_type=zipfile.ZIP_DEFLATED)
        package.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
    return target


def ods_copy(
    source: Path,
    target: Path,
    *,
    date_format: str | None = None,
    durations: tuple[str, ...] = (),
    times: tuple[str, ...] = (),
    texts: tuple[str, ...] = (),
    header_line: int = 1,
    name: str = "Sheet1",
    encoding: str = "utf-8-sig",
    currency: str = "",
) -> Path:
    """``source`` (a CSV sample) opened in LibreOffice Calc with its columns typed as the tool's Excel
    export types them (``tests/imports/excel.typed``) and saved as .ods."""
    rows = list(csv.reader(io.StringIO(source.read_bytes().decode(encoding), newline="")))
    header = rows[header_line - 1] if len(rows) >= header_line else []
    written = []
    for number, row in enumerate(rows, 1):
        cells = []
        for index, text in enumerate(row):
            column = header[index] if index < len(header) else ""
            if number <= header_line:
                cells.append(cell(text))
                continue
            value, fmt = typed(
                text, column, date_format=date_format, durations=set(durations), times=set(times), texts=set(texts)
            )
            money = currency if fmt and "$" in fmt else ""
            cells.append(cell(value, text if isinstance(value, (int, float)) else None, currency=money))
        written.append(cells)
    return ods(target, [sheet(name, written)])
