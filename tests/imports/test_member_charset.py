"""An export saved without a BOM in a legacy charset is read in the charset of the importing
member's computer where the bytes alone read well in two (issue 10): byte F1 is "ń" in cp1250, which
Polish Windows writes, and "ñ" in cp1252, which English Windows writes."""

import pytest

from parting.clients.models import Client
from parting.imports.services import run_import
from tests.factories import FirmFactory, MembershipFactory

pytestmark = pytest.mark.django_db

FILE = "name,language\r\nGdańsk Sp. z o.o.,pl\r\n".encode("cp1250")


@pytest.mark.parametrize(("language", "name"), [("pl", "Gdańsk Sp. z o.o."), ("en", "Gdañsk Sp. z o.o.")])
def test_the_importing_members_language_settles_the_charset_of_a_clients_file(tmp_path, language, name):
    firm = FirmFactory()
    member = MembershipFactory(firm=firm, language=language)
    MembershipFactory(firm=FirmFactory(), user=member.user, language="en" if language == "pl" else "pl")
    path = tmp_path / "klienci.csv"
    path.write_bytes(FILE)
    result = run_import(firm=firm, by=member.user, kind="clients", paths=[path], create_clients=True)
    assert not result.problems
    assert list(Client.objects.filter(firm=firm).values_list("name", flat=True)) == [name]


def test_an_import_after_a_dry_run_reads_the_charset_the_dry_run_showed_whoever_presses_import(tmp_path):
    """The Polish partner's dry run showed "Gdańsk"; the English owner pressed Import and got "Gdañsk"."""
    firm = FirmFactory()
    partner = MembershipFactory(firm=firm, language="pl")
    owner = MembershipFactory(firm=firm, language="en")
    path = tmp_path / "klienci.csv"
    path.write_bytes(FILE)
    dry = run_import(firm=firm, by=partner.user, kind="clients", paths=[path], dry_run=True)
    assert dry.run.options["language"] == "pl"
    options = {k: v for k, v in dry.run.options.items() if k != "create_clients"}
    result = run_import(firm=firm, by=owner.user, kind="clients", paths=[path], options=options)
    assert not result.problems
    assert list(Client.objects.filter(firm=firm).values_list("name", flat=True)) == ["Gdańsk Sp. z o.o."]
