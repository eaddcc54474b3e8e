"""The rules help page (issue 11): every rule id the app cites, explained in the member's language, the
same ids as docs/rules.md, and every ``{% rule_ref %}`` in a template pointing at an entry that exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

from parting.web.rules_help import FAMILIES, RULE_IDS
from tests.factories import MembershipFactory

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "src" / "parting"
RULE_ID = r"[WDCNOA]\d{1,2}"


def ids_in_docs() -> list[str]:
    """The ids docs/rules.md lists: each entry starts ``- **W4 Title.**``."""
    text = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    return re.findall(rf"^- \*\*({RULE_ID}) ", text, flags=re.MULTILINE)


def ids_on_page(html: str) -> list[str]:
    return re.findall(rf'id="rule-({RULE_ID})"', html)


@pytest.fixture
def member(client, db):
    membership = MembershipFactory()
    client.force_login(membership.user)
    return membership


def test_rules_page_needs_a_login(client, db):
    response = client.get(reverse("rules"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_every_rule_of_docs_rules_md_is_on_the_help_page_and_nothing_else(client, member):
    """docs/rules.md and the page cannot drift: the same ids, each once, in the same order."""
    html = client.get(reverse("rules")).content.decode()
    docs = ids_in_docs()
    assert ids_on_page(html) == docs
    assert len(set(docs)) == len(docs)


def test_the_rule_list_covers_every_family_of_the_domain(db):
    """W1–W15, D1–D12, C1–C12, N1–N5, O1–O9, A1–A2: none missing, none invented."""
    expected = {"W": 15, "D": 12, "C": 12, "N": 5, "O": 9, "A": 2}
    assert [family.letter for family in FAMILIES] == list(expected)
    for family in FAMILIES:
        assert [rule.id for rule in family.rules] == [
            f"{family.letter}{n}" for n in range(1, expected[family.letter] + 1)
        ]


def test_each_family_has_a_heading_and_each_rule_its_title_and_text(client, member):
    html = client.get(reverse("rules")).content.decode()
    for family in FAMILIES:
        assert re.search(rf'<h2 id="family-{family.letter}-title">{family.letter} · ', html)
        for rule in family.rules:
            entry = html[html.index(f'id="rule-{rule.id}"') :]
            entry = entry[: entry.index("</div>")]
            assert str(rule.title).replace("'", "&#x27;") in entry
            assert str(rule.text).replace("'", "&#x27;") in entry


def test_warning_sign_titles_on_the_help_page_are_the_catalogues(db):
    """The client page and the help page name a sign alike."""
    from parting.signs.catalogue import SIGNS

    titles = {rule.id: rule.title for rule in FAMILIES[0].rules}
    assert titles == {sign.id: sign.title for sign in SIGNS}


def test_rules_page_is_in_the_members_language(client, member):
    member.language = "pl"
    member.save(update_fields=["language"])
    html = client.get(reverse("rules")).content.decode()
    assert '<html lang="pl"' in html
    with translation.override("pl"):
        assert str(FAMILIES[1].rules[3].title) in html  # D4, as the Polish catalogue has it


def rule_refs_in_templates() -> dict[str, set[str]]:
    refs: dict[str, set[str]] = {}
    for path in TEMPLATES.rglob("templates/**/*.html"):
        for code in re.findall(r"""\{%\s*rule_ref\s+["']([^"']+)["']\s*%\}""", path.read_text(encoding="utf-8")):
            refs.setdefault(code, set()).add(path.name)
    return refs


def test_every_rule_ref_in_a_template_names_a_rule_on_the_help_page():
    unknown = {code: sorted(files) for code, files in rule_refs_in_templates().items() if code not in RULE_IDS}
    assert unknown == {}


def test_rule_ref_links_to_the_entry_on_the_help_page(client, member):
    from parting.web.templatetags.parting import rule_ref

    assert str(rule_ref("D4")) == f'<a class="rule-ref" href="{reverse("rules")}#rule-D4">D4</a>'
    html = client.get(reverse("rules")).content.decode()
    assert 'id="rule-D4"' in html
