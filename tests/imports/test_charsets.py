"""Charset of a CSV file saved without one (issue 10): Excel's "CSV" on Windows writes the region's
ANSI code page, cp1252 in Western Europe and the Americas, cp1250 in Central Europe. Both give the
same bytes to many letters (é á í ó ú ü ß) but not to others: cp1252's ã õ ñ ê è à are cp1250's
ă ő ń ę č ŕ. A wrong choice garbles names and leaves the tool's headers unrecognised.

The samples in tests/imports/samples/time/ are written as Excel saves them: no BOM, the region's
list separator ';', decimal commas, CRLF.
"""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest

from parting.imports.problems import Problems
from parting.imports.readers.timesheets import read
from parting.imports.records import ReadOptions, TimeRecord
from parting.imports.text import sniff_charset

SAMPLES = Path(__file__).parent / "samples"
D = Decimal


def entries(name: str) -> tuple[list[TimeRecord], Problems]:
    problems = Problems()
    stream = io.BytesIO((SAMPLES / "time" / name).read_bytes())
    return list(read(stream, name, ReadOptions(), problems)), problems


def test_a_portuguese_clockify_export_saved_by_excel_in_cp1252_keeps_its_accents():
    records, problems = entries("clockify_pt_br_excel_cp1252.csv")
    assert not problems  # "Data de início", "Duração (decimal)", "Faturável" are recognised
    assert [(r.client.name, r.hours, r.billable) for r in records] == [
        ("São Paulo Ltda", D("1.50"), True),
        ("São Paulo Ltda", D("0.75"), False),
        ("Padaria Irmãos Guimarães", D("2.00"), True),
    ]
    assert records[0].note == "Conciliação bancária"


def test_a_spanish_clockify_export_saved_by_excel_in_cp1252_keeps_its_enye():
    records, problems = entries("clockify_es_excel_cp1252.csv")
    assert not problems
    assert {r.client.name for r in records} == {"Compañía Española de Muñecas, S.L."}
    assert [r.hours for r in records] == [D("2.25"), D("0.50")]


def test_a_french_clockify_export_saved_by_excel_in_cp1252_keeps_its_accents():
    records, problems = entries("clockify_fr_excel_cp1252.csv")
    assert not problems
    assert [r.client.name for r in records] == [
        "Hôtel du Cœur Fêtes & Cie",
        "Hôtel du Cœur Fêtes & Cie",
        "Crêperie Françoise",
    ]


def test_portuguese_names_under_english_harvest_headers_are_read_in_cp1252():
    """Harvest writes English headers, so only the names and notes can tell the charset."""
    records, problems = entries("harvest_excel_pt_cp1252.csv")
    assert not problems
    assert [r.client.name for r in records] == [
        "Construções São Gonçalo, Lda.",
        "Construções São Gonçalo, Lda.",
        "Padaria Irmãos Guimarães",
    ]
    assert records[0].person == "Conceição Magalhães"


@pytest.mark.parametrize(
    ("sample", "client", "person"),
    [
        ("harvest_excel_pl_cp1250.csv", "Przedsiębiorstwo Handlowe Łęczyca Sp. z o.o.", "Łukasz Żółkiewski"),
        ("harvest_excel_cs_cp1250.csv", "Účetní kancelář Říha s.r.o.", "Jiří Dvořák"),
        ("harvest_excel_ro_cp1250.csv", "Societatea Brutăria Ţăranului SRL", "Ştefan Mureşan"),
    ],
)
def test_polish_czech_and_romanian_exports_saved_by_excel_in_cp1250_stay_cp1250(sample, client, person):
    records, problems = entries(sample)
    assert not problems
    assert records[0].client.name == client
    assert records[0].person == person


@pytest.mark.parametrize(
    "path",
    ["money/generic_invoices_cp1250.csv", "clients/generic_pl_cp1250.csv"],
)
def test_the_polish_cp1250_samples_are_still_read_as_cp1250(path):
    assert sniff_charset((SAMPLES / path).read_bytes()) == "cp1250"


@pytest.mark.parametrize(
    ("text", "charset"),
    [
        ("Cliente;Descrição\r\nConceição Araújo;Reunião de alinhamento\r\n", "cp1252"),
        ("Cliente;Descripción\r\nIbáñez y Muñoz;Revisión del año\r\n", "cp1252"),
        ("Client;Note\r\nBéziers;Intérêts du prêt\r\n", "cp1252"),
        ("Klient;Popis\r\nDobrý den;účetní závěrka\r\n", "cp1250"),
        ("Ügyfél;Leírás\r\nKőszegi Kft.;Árvíztűrő tükörfúrógép\r\n", "cp1250"),
        ("Client;Descriere\r\nBucureşti;Declaraţia lunară\r\n", "cp1250"),
        ("Klient;Opis\r\nŁódź;Zażółć gęślą jaźń\r\n", "cp1250"),
    ],
)
def test_words_no_language_writes_rule_out_the_other_western_or_central_european_charset(text, charset):
    """Read in the other charset, these words mix letters of two languages ("Descriçăo": ç is not
    Romanian, ă is only Romanian; "Intéręts"; "úèetní"); the charset in which every word fits one
    language's alphabet is chosen."""
    data = text.encode(charset)
    assert data.decode(sniff_charset(data)) == text


@pytest.mark.parametrize(
    ("text", "charset"),
    [
        ("Kunde;Betrag\r\nMüller;5\r\n", "cp1252"),  # was Mac Central European: "MŁller"
        ("Date,Client,Amount\r\n2026-01-02,Acme,£100.00\r\n", "cp1252"),  # was DOS cp437: "ú100.00"
        ("Name\r\nSeñor Núñez\r\n", "cp1252"),  # was Baltic cp1257: "Seńor Nśńez"
        ("Client;Sumă\r\nSocietatea Ştiinţifică Ţară;1.234,56 lei\r\n", "cp1250"),  # was ISO-8859-16: "Ș"
        ('תאריך,לקוח,סכום\r\n01/02/2026,חברת אלפא בע"מ,100.00\r\n', "cp1255"),  # was cp1251: "збшъ амфа"
        ('תאריך,לקוח,סכום\r\n01/02/2026,חברת אלפא בע"מ,100.00\r\n', "iso8859_8"),
    ],
)
def test_short_files_are_read_in_the_charsets_exports_are_written_in(text, charset):
    """Only the charsets exports are written in are considered (no DOS or Mac Central European code
    page, no Baltic one that holds Polish letters at other bytes), the more common one wins a tie, and
    Hebrew read as Russian is told by its letters: frequent in Hebrew, rare in Russian."""
    data = text.encode(charset)
    assert data.decode(sniff_charset(data)) == text


@pytest.mark.parametrize(
    ("language", "name"),
    [("pl", "Gdańsk"), ("ro", "Gdańsk"), ("en", "Gdañsk"), ("ru", "Gdañsk"), ("he", "Gdañsk")],
)
def test_the_importing_members_language_settles_bytes_that_read_well_in_two_charsets(language, name):
    """Byte F1 is "ń" in cp1250 and "ñ" in cp1252, and both "Gdańsk" and "Gdañsk" are words a
    language writes: a Polish (or Romanian) member's computer writes cp1250, an English, Russian or
    Hebrew speaker's Western text cp1252."""
    data = "Klient;Kwota\r\nGdańsk;5\r\n".encode("cp1250")
    assert data.decode(sniff_charset(data, language)).splitlines()[1] == f"{name};5"


def test_an_english_members_portuguese_and_french_names_stay_cp1252():
    data = "Client,Note\r\nSão Paulo,Œuvre\r\n".encode("cp1252")
    assert data.decode(sniff_charset(data, "en")) == "Client,Note\r\nSão Paulo,Œuvre\r\n"
    assert data.decode(sniff_charset(data, "pl")) != data.decode(sniff_charset(data, "en"))  # "Săo", "Śuvre"
