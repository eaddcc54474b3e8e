"""What assistive technology and keyboard users rely on, in the server's HTML (issue 11, WCAG 2.1 AA):
every policy input has a name, errors and help are tied to their inputs, the sign list follows the
member's language, the band is said in words and the charts' bands follow the table's, the language
is changed with a button, and the first tab stop skips to the content. The browser side (axe-core,
the keyboard, phone width) is in tests/e2e/test_pages_browser.py."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import translation

from parting.signs.catalogue import BY_ID, SIGNS
from parting.web.views.dashboard import band_of
from tests.factories import ClientFactory, IncidentFactory, InvoiceFactory, MembershipFactory
from tests.web.test_pages import policy_post

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Element:
    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.parent, self.content = tag, dict(attrs), parent, []

    @property
    def children(self) -> list[Element]:
        return [c for c in self.content if isinstance(c, Element)]

    def text(self) -> str:
        return " ".join(" ".join(c if isinstance(c, str) else c.text() for c in self.content).split())

    def iter(self):
        yield self
        for child in self.children:
            yield from child.iter()


class Tree(HTMLParser):
    """The page as a tree of elements: enough to follow ids, labels and aria references."""

    def __init__(self, html: str):
        super().__init__()
        self.root = self.current = Element("root", {}, None)
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        element = Element(tag, attrs, self.current)
        self.current.content.append(element)
        if tag not in VOID:
            self.current = element

    def handle_endtag(self, tag):
        node = self.current
        while node is not self.root and node.tag != tag:
            node = node.parent
        if node is not self.root:
            self.current = node.parent

    def handle_data(self, data):
        self.current.content.append(data)

    def all(self, tag=None):
        return [e for e in self.root.iter() if tag is None or e.tag == tag]

    def by_id(self, ident):
        return next((e for e in self.root.iter() if e.attrs.get("id") == ident), None)


def page(client, name, *args, **params) -> Tree:
    response = client.get(reverse(name, args=args), params)
    assert response.status_code == 200
    return Tree(response.content.decode())


def accessible_name(tree: Tree, element: Element) -> str:
    """The name a screen reader announces for a form control (the parts of accname these pages use)."""
    if refs := element.attrs.get("aria-labelledby"):
        return " ".join(tree.by_id(ref).text() for ref in refs.split() if tree.by_id(ref) is not None)
    if label := element.attrs.get("aria-label"):
        return label
    ident = element.attrs.get("id")
    labels = [label.text() for label in tree.all("label") if ident and label.attrs.get("for") == ident]
    parent = element.parent
    while parent is not None and parent.tag != "label":
        parent = parent.parent
    return " ".join([*labels, parent.text() if parent else ""]).strip()


def controls(tree: Tree):
    for element in tree.all():
        if element.tag in {"select", "textarea"} or (
            element.tag == "input" and element.attrs.get("type") not in {"hidden", "submit", "button"}
        ):
            yield element


@pytest.fixture
def member(owner, client):
    client.force_login(owner.user)
    return owner


def test_every_policy_input_has_a_name_that_says_its_sign_and_column(client, member):
    tree = page(client, "policy")
    unnamed = [e.attrs.get("name") for e in controls(tree) if not accessible_name(tree, e)]
    assert unnamed == []
    weight = next(e for e in controls(tree) if e.attrs.get("name") == "W7_weight")
    assert accessible_name(tree, weight) == "W7 Payment trouble weight"
    poor = next(e for e in controls(tree) if e.attrs.get("name") == "W11_poor")
    assert accessible_name(tree, poor) == "W11 Not worth the time (lower is worse) poor at"
    assert len([e for e in controls(tree) if e.attrs.get("name", "").startswith("W")]) == 4 * len(SIGNS)


def test_policy_page_in_polish_lists_the_dealbreaker_signs_and_units_in_polish(client, member):
    member.language = "pl"
    member.save(update_fields=["language"])
    tree = page(client, "policy")
    assert tree.all("html")[0].attrs["lang"] == "pl"
    options = {o.attrs["value"]: o.text() for o in tree.by_id("id_rules-0-sign").iter() if o.tag == "option"}
    assert options["W7"] == "W7 Problemy z płatnościami"
    with translation.override("pl"):
        assert options["W1"] == f"W1 {BY_ID['W1'].title}" != "W1 Slow to deliver what they owe"
    w1_row = tree.by_id("sign-W1").parent
    assert "(dni)" in w1_row.text() and "(days)" not in w1_row.text()
    # The same form, asked for in English afterwards, is in English: nothing was frozen at import.
    member.language = "en"
    member.save(update_fields=["language"])
    options = {
        o.attrs["value"]: o.text() for o in page(client, "policy").by_id("id_rules-0-sign").iter() if o.tag == "option"
    }
    assert options["W7"] == "W7 Payment trouble"


def test_policy_error_is_named_by_the_input_it_belongs_to(client, member):
    response = client.post(reverse("policy"), policy_post(W7_weight="heavy", window_months="0"))
    assert response.status_code == 200
    tree = Tree(response.content.decode())
    for name in ("W7_weight", "window_months"):
        field = next(e for e in controls(tree) if e.attrs.get("name") == name)
        assert field.attrs.get("aria-invalid") == "true"
        described = [tree.by_id(ref) for ref in field.attrs["aria-describedby"].split()]
        assert None not in described, f"{name}: aria-describedby names an id the page does not have"
        assert any("error" in (e.attrs.get("class") or "") and e.text() for e in described)
    valid = next(e for e in controls(tree) if e.attrs.get("name") == "W1_weight")
    assert "aria-invalid" not in valid.attrs


def test_form_error_and_help_text_have_the_ids_their_input_names(client, member):
    """_form_fields.html, as the password change page uses it: Django names {id}_helptext and
    {id}_error in each input's aria-describedby; the page renders both."""
    response = client.post(
        reverse("password_change"),
        {"old_password": "not the password", "new_password1": "x", "new_password2": "y"},
    )
    tree = Tree(response.content.decode())
    old = tree.by_id("id_old_password")
    assert old.attrs.get("aria-invalid") == "true"
    assert tree.by_id("id_old_password_error") is not None and tree.by_id("id_old_password_error").text()
    for field in controls(tree):
        for ref in (field.attrs.get("aria-describedby") or "").split():
            assert tree.by_id(ref) is not None, f"{field.attrs['name']} names #{ref}, which is missing"
    assert "id_new_password1_helptext" in tree.by_id("id_new_password1").attrs["aria-describedby"]


def test_first_tab_stop_skips_to_the_content(client, member):
    tree = page(client, "dashboard")
    body = tree.all("body")[0]
    focusable = [e for e in body.iter() if e.tag in {"a", "button", "input", "select", "textarea"}]
    assert focusable[0].attrs.get("href") == "#content" and focusable[0].text() == "Skip to content"
    assert tree.by_id("content").tag == "main"


def test_language_is_changed_with_a_button_not_on_every_arrow_key(client, member):
    tree = page(client, "dashboard")
    select = tree.by_id("language")
    assert "data-autosubmit" not in select.attrs
    form = select.parent
    while form.tag != "form":
        form = form.parent
    buttons = [e for e in form.iter() if e.tag == "button" and e.attrs.get("type") == "submit"]
    assert [b.text() for b in buttons] == ["Change language"]
    assert accessible_name(tree, select) == "Language"


def scored_firm(member):
    """Three clients: one poor (payment trouble and disrespect), one with one invoice late, one fine."""
    today = member.firm.today()
    poor = ClientFactory(firm=member.firm, name="Poor Payer")
    for n in range(4):
        InvoiceFactory(
            client=poor,
            issued_on=today - dt.timedelta(days=150 + n),
            due_on=today - dt.timedelta(days=120 + n),
            amount=Decimal("12345.00"),
        )
    IncidentFactory(client=poor, occurred_on=today - dt.timedelta(days=5))
    fine = ClientFactory(firm=member.firm, name="Fine Co")
    InvoiceFactory(
        client=fine,
        issued_on=today - dt.timedelta(days=40),
        due_on=today - dt.timedelta(days=26),
        paid_on=today - dt.timedelta(days=27),
        amount=Decimal("1000000.00"),
    )
    return poor, fine


@pytest.mark.parametrize(
    ("score", "band"),
    [
        (0, "poor"),
        (29, "poor"),
        (30, "concerning"),
        (44, "concerning"),
        (45, "concerning"),
        (69, "concerning"),
        (70, "healthy"),
        (100, "healthy"),
    ],
)
def test_chart_band_follows_the_tables_cut_poor_below_30(score, band):
    """The effort chart coloured "poor" below 45 while the table said poor below 30: both now use one cut."""
    from parting.web.templatetags.parting import score_band

    assert band_of(score) == band == score_band(score).removeprefix("band-")


def test_dashboard_says_each_band_in_words_and_charts_have_a_data_table(client, member):
    scored_firm(member)
    response = client.get(reverse("dashboard"))
    html = response.content.decode()
    tree = Tree(html)
    rows = {tr.text(): tr for tr in tree.all("tr")}
    poor_row = next(text for text in rows if text.startswith("Poor Payer"))
    fine_row = next(text for text in rows if text.startswith("Fine Co"))
    charts = json.loads(tree.by_id("dashboard-charts").text())
    bands = {p["name"]: p["band"] for p in charts["effort"]["points"]}
    assert bands == {"Poor Payer": band_of(_score(html, "Poor Payer")), "Fine Co": band_of(_score(html, "Fine Co"))}
    assert f"{_score(html, 'Poor Payer')}{bands['Poor Payer']}" in poor_row.replace(" ", "")
    assert f"{_score(html, 'Fine Co')}{bands['Fine Co']}" in fine_row.replace(" ", "")
    # The distribution chart's numbers, in a table: one row per tenth, the counts adding up.
    distribution = tree.by_id("note-distribution").parent
    counts = [
        int(tr.children[-1].text())
        for tr in distribution.iter()
        if tr.tag == "tr" and tr.children[0].tag == "th" and tr.children[0].attrs.get("scope") == "row"
    ]
    assert len(counts) == 10 and sum(counts) == 2 == sum(charts["distribution"]["counts"])
    # The effort chart's, by hours: both clients are in the first range (no time logged).
    effort = tree.by_id("note-effort").parent
    first = next(tr for tr in effort.iter() if tr.tag == "tr" and tr.children[0].attrs.get("scope") == "row")
    assert first.children[0].text() == "0–10" and first.children[1].text() == "2"
    assert "€1,049,380" in first.text()  # 4 × 12,345 + 1,000,000, with thousands separators


def _score(html: str, name: str) -> int:
    row = html[html.index(f">{name}</a>") :]
    return int(re.search(r'class="score band-\w+">(\d+)<', row).group(1))


def test_dashboard_shows_revenue_with_thousands_separators(client, member):
    scored_firm(member)
    tree = page(client, "dashboard")
    stat = next(div for div in tree.all("div") if "revenue in the window" in div.text())
    assert stat.text() == "€1,049,380 revenue in the window"


def test_filtered_table_announces_how_many_clients_match(client, member):
    scored_firm(member)
    ClientFactory(firm=member.firm, name="Poor Relation")
    status = page(client, "dashboard").by_id("client-count")
    assert status.attrs.get("role") == "status" and status.text() == "3 clients match."
    response = client.get(reverse("dashboard"), {"q": "poor"}, HTTP_HX_REQUEST="true")
    tree = Tree(response.content.decode())
    update = tree.by_id("client-count")
    assert update.attrs.get("hx-swap-oob") == "innerHTML" and update.text() == "2 clients match."
    response = client.get(reverse("dashboard"), {"q": "fine"}, HTTP_HX_REQUEST="true")
    assert Tree(response.content.decode()).by_id("client-count").text() == "1 client matches."


def test_sign_explanations_are_disclosures_not_title_attributes(client, member):
    scored_firm(member)
    html = client.get(reverse("dashboard")).content.decode()
    assert ' title="' not in html.split("<body", 1)[1]
    tree = Tree(html)
    chips = [d for d in tree.all("details") if "chip" in d.attrs.get("class", "")]
    assert chips, "the poor client has top signs"
    payment = next(d for d in chips if d.children[0].text().startswith("W7 Payment trouble"))
    assert payment.children[0].text().endswith("poor")  # the band in words, not only in colour
    assert "invoices" in payment.text()  # the explanation, reachable by opening it


def test_another_firms_clients_are_not_counted_in_the_chart_tables(client, member):
    scored_firm(member)
    other = MembershipFactory()
    ClientFactory(firm=other.firm, name="Elsewhere Ltd")
    InvoiceFactory(client=ClientFactory(firm=other.firm, name="Elsewhere Two"), amount=Decimal("5000.00"))
    tree = page(client, "dashboard")
    assert "Elsewhere" not in tree.root.text()
    assert tree.by_id("client-count").text() == "2 clients match."


def test_the_cases_filter_is_applied_with_a_button_not_on_every_change(client, member):
    """WCAG 3.2.2: choosing a state with the arrow keys must not leave the page; a button applies it."""
    tree = page(client, "cases")
    select = tree.by_id("state")
    assert "data-autosubmit" not in select.attrs
    form = select.parent
    while form.tag != "form":
        form = form.parent
    assert [e.text() for e in form.iter() if e.tag == "button" and e.attrs.get("type") == "submit"] == ["Apply"]
