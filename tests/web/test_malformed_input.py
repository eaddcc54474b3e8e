"""No input gives a 500: every page of the URLconf, every form found on the pages and every query
parameter the views read get odd values — other scripts' digits, numbers too big for a database, NUL
bytes, right-to-left overrides, markup, lists, megabytes — and answer with a page, a redirect with a
message, a 400 or a 404.

The pages come from the URLconf itself, so a new page is covered as soon as it is added (a new kind of
URL parameter makes ``test_every_url_pattern_has_values_to_visit_it_with`` ask for values). The forms
and the query parameters come from the pages as they are rendered, plus the few the views read by
hand. Each POST runs in a savepoint that is rolled back, so every form meets the same data.
"""

from __future__ import annotations

import contextlib
import copy
import itertools
import json
import re
import secrets
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.http import QueryDict
from django.test import Client
from django.test import client as test_client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parting.api.models import AccessToken
from parting.api.tokens import token_create
from parting.cases.models import CaseTask, ReferralProvider
from parting.cases.services import case_open, case_review
from parting.clients.models import Credential, Engagement
from parting.documents.bundle import bundle_request
from parting.documents.links import bundle_token
from parting.documents.models import Bundle, Document
from parting.documents.services import document_upload
from parting.evidence.models import Invoice
from parting.firms.models import Invitation, Membership
from parting.firms.team import invitation_create, invitation_token
from parting.imports.models import ImportRun
from parting.imports.worker import upload_dir
from parting.letters.services import letter_generate
from parting.webhooks.models import Endpoint
from parting.webhooks.services import endpoint_create
from tests.cases.conftest import submitted_case
from tests.conftest import troubled_client
from tests.factories import (
    AccessGrantFactory,
    ClientFactory,
    ClientRequestFactory,
    ContactFactory,
    FirmFactory,
    InvoiceFactory,
    MeetingFactory,
    MembershipFactory,
    MessageFactory,
    ServiceFactory,
    TimeEntryFactory,
)

pytestmark = pytest.mark.django_db  # the test database; the data itself is built once, below

HUGE_ID = "99999999999999999999999"
# Every field and query parameter gets each of these once (see ``rotated``).
VALUES = [
    "²",  # isdigit() says yes, int() says no
    "1e9",
    HUGE_ID,
    str(2**63),  # one past the largest id a database holds
    "9" * 5000,  # past int()'s 4,300 digits
    "",
    "a\x00b",  # PostgreSQL refuses NUL in text
    '\u202e<script>alert(1)</script> #set page(width: 1pt) #"]" = *x* $ ../../etc/passwd',  # HTML, Typst, paths
    "x" * 100_000,
    ["1", "x\x00"],  # a field sent twice
]
# For the property-based test: "٣" is 3 to int(), "1_000" and " 1" too.
MORE = ["٣", "-1", "0", "0x10", "NaN", "1.5", "  ", "1_000", "+1", " 1", "\u202e"]
# Read by views straight from request.POST in branches a plain form does not reach, so always sent.
HAND_POSTED = ["version", "lang", "action", "after_call", "take_over", "delete", "next", "subject", "body"]


# -- the data: one firm with a client of every kind of row, cases in three states, a letter ---------


@dataclass
class World:
    firm: object
    owner: object
    client: object  # the client with every kind of row and the approved case
    rows: dict  # evidence kind -> one row of that kind
    cases: list
    task: object
    provider: object
    other: dict = field(default_factory=dict)  # another firm's rows, for forged ids


def build_world(client) -> World:
    firm = FirmFactory(name="Northwind")
    owner = MembershipFactory(firm=firm, user__username="olga").user
    partner = MembershipFactory(firm=firm, partner=True).user
    staff = MembershipFactory(firm=firm, staff=True).user
    payroll = ServiceFactory(firm=firm, name="Payroll")
    acme, incident = troubled_client(firm, "Acme")
    ContactFactory(client=acme, language="pl", is_primary=True)
    AccessGrantFactory(client=acme)
    Engagement.objects.create(client=acme, name="Year-end", service=payroll, due_on=firm.today())
    Credential.objects.create(client=acme, name="Bank portal login")
    InvoiceFactory(client=acme, issued_on=firm.today(), amount=500)  # unpaid: the write-off form shows
    rows = {
        "invoice": Invoice.objects.filter(client=acme).first(),
        "meeting": MeetingFactory(client=acme),
        "message": MessageFactory(client=acme),
        "request": ClientRequestFactory(client=acme),
        "incident": incident,
        "time": TimeEntryFactory(client=acme, person=staff),
    }
    approved = case_review(case=submitted_case(acme, staff, incident), by=partner, decision="approve")
    letter_generate(case=approved, by=owner, lang="pl")
    reviewing, reviewing_incident = troubled_client(firm, "Beta")
    in_review = submitted_case(reviewing, staff, reviewing_incident)
    drafting, _incident = troubled_client(firm, "Gamma")
    draft = case_open(client=drafting, by=staff)
    provider = ReferralProvider.objects.create(firm=firm, name="Other Accountants")
    provider.services.add(payroll)

    elsewhere = FirmFactory(name="Elsewhere")
    stranger = ClientFactory(firm=elsewhere, name="Stranger")
    other = {
        "contact": ContactFactory(client=stranger),
        "service": ServiceFactory(firm=elsewhere),
        "client": stranger,
        "member": MembershipFactory(firm=elsewhere).user,
    }
    import_upload(firm, owner)
    document_upload(
        client=acme, by=owner, category="provided", upload=SimpleUploadedFile("contract.pdf", b"%PDF-1.7\n%%EOF\n")
    )
    bundle_request(client=acme, case=approved, by=owner)  # the handover bundle and its link (issue 13 §2)
    seat = Membership.objects.get(user=owner, firm=firm)  # issue 15: a token, an endpoint, an invitation
    token_create(membership=seat, name="Reports", scope="read")
    endpoint_create(firm=firm, by=owner, url="https://hooks.example.com/parting", events=["case.approved"])
    invitation_create(by=seat, email="new@northwind.example", role="staff", language="en")
    other["staff"] = staff
    client.force_login(owner)
    return World(
        firm=firm,
        owner=owner,
        client=acme,
        rows=rows,
        cases=[approved, in_review, draft],
        task=CaseTask.objects.filter(case=approved).first(),
        provider=provider,
        other=other,
    )


def import_upload(firm, owner) -> None:
    """The Import page's upload and its dry run, with a name Parting does not know to choose for."""
    token = secrets.token_hex(16)
    folder = upload_dir(token)
    folder.mkdir(parents=True)
    content = b"client,number,issued_on,amount\r\nNobody Ltd,X-1,2026-01-05,10\r\n"
    (folder / "1").write_bytes(content)
    files = [["1", "x.csv", len(content)]]
    manifest = {"firm": firm.pk, "by": owner.pk, "kind": "invoices", "files": files}
    (folder / "upload.json").write_text(json.dumps(manifest))
    options = {"format": "", "mapping": {}, "date_order": "", "upload": token, "files": [["1", "x.csv"]]}
    ImportRun.objects.create(
        firm=firm, by=owner, kind="invoices", file_name="x.csv", options=options, dry_run=True,
        state=ImportRun.State.DONE, unmatched=[["Nobody Ltd", 1]], counts={"counts": {}},
    )  # fmt: skip


@pytest.fixture(scope="module")
def browser():
    """One member's browser for the whole module: the data below is built once and every POST is
    rolled back, so each test meets the same firm. It keeps no copy of each template's context (the
    test client's default, and most of the time a page with many fields takes), as no test here
    reads one."""
    keep = test_client.store_rendered_templates
    test_client.store_rendered_templates = lambda *args, **kwargs: None
    yield Client()
    test_client.store_rendered_templates = keep


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, browser):
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world(browser)
        transaction.set_rollback(True)


# -- the pages: every pattern of the URLconf, with values for its parameters -------------------------


def url_patterns(resolver=None, prefix=""):
    """(name, route, parameter names) of every named pattern, however deeply included.

    The REST API's namespace is left out: its operations are driven by schemathesis against their
    OpenAPI schema (tests/api/test_schema.py), with malformed bodies and parameters of every type.
    """
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver) and entry.namespace == "api":
            continue
        if isinstance(entry, URLResolver):
            yield from url_patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern) and entry.name:
            yield entry.name, prefix + str(entry.pattern), list(entry.pattern.converters)


def parameter_values(route: str, params: list[str], world: World) -> list[dict]:
    """Every set of real values a pattern is visited with: each case state, each kind of evidence."""
    choices: dict[str, list] = {}
    for name in params:
        if name == "pk" and route.startswith("clients/"):
            choices[name] = [world.client.pk]
        elif name == "pk" and route.startswith("cases/"):
            choices[name] = [case.pk for case in (world.cases[:1] if "task" in params else world.cases)]
        elif name == "kind":
            choices[name] = [*world.rows, "nonsense"]
        elif name == "item" and "kind" in params:
            continue  # follows the kind
        elif name == "item" and route.startswith("referrals/"):
            choices[name] = [world.provider.pk]
        elif name == "sign_id":
            choices[name] = ["W7", "W99"]
        elif name == "task":
            choices[name] = [world.task.pk]
        elif name == "lang":
            choices[name] = ["pl", "en"]
        elif name == "fmt":
            choices[name] = ["pdf", "docx", "exe"]
        elif name == "uidb64":
            choices[name] = [urlsafe_base64_encode(force_bytes(world.owner.pk)), "MTIz"]
        elif name == "pk" and route.startswith("import/"):
            choices[name] = list(ImportRun.objects.filter(firm=world.firm).values_list("pk", flat=True))
        elif name == "doc":
            choices[name] = list(Document.objects.filter(firm=world.firm).values_list("pk", flat=True))
        elif name == "bundle":
            choices[name] = list(Bundle.objects.filter(firm=world.firm).values_list("pk", flat=True))
        elif name == "token" and route.startswith("handover/"):
            choices[name] = [bundle_token(row) for row in Bundle.objects.filter(firm=world.firm)] + ["nope"]
        elif name == "token" and route.startswith("import/"):
            choices[name] = [run.options["upload"] for run in ImportRun.objects.filter(firm=world.firm)] + ["0" * 32]
        elif name == "token" and route.startswith("invite/"):
            choices[name] = [invitation_token(row) for row in Invitation.objects.filter(firm=world.firm)] + ["nope"]
        elif name == "pk" and route.startswith("account/tokens/"):
            choices[name] = list(AccessToken.objects.filter(membership__firm=world.firm).values_list("pk", flat=True))
        elif name == "pk" and route.startswith("firm/webhooks/"):
            choices[name] = list(Endpoint.objects.filter(firm=world.firm).values_list("pk", flat=True))
        elif name == "pk" and route.startswith("firm/invitations/"):
            choices[name] = list(Invitation.objects.filter(firm=world.firm).values_list("pk", flat=True))
        elif name == "pk" and route.startswith("firm/members/"):
            choices[name] = [Membership.objects.get(firm=world.firm, user=world.other["staff"]).pk]
            choices[name].append(Membership.objects.get(user=world.other["member"]).pk)  # another firm's
        elif name == "token":
            choices[name] = [default_token_generator.make_token(world.owner), "set-password", "nope"]
        else:
            raise LookupError(f"{route}: no values for <{name}>; add them to parameter_values")
    combos = [dict(zip(choices, values, strict=True)) for values in itertools.product(*choices.values())]
    if "item" in params and "kind" in params:
        for combo in combos:
            row = world.rows.get(combo["kind"])
            combo["item"] = row.pk if row else 1
    return combos


def page_urls(world: World) -> list[tuple[str, str]]:
    """(pattern name, URL) for every pattern with every set of its values."""
    return [
        (name, reverse(name, kwargs=kwargs))
        for name, route, params in url_patterns()
        for kwargs in parameter_values(route, params, world)
    ]


# -- what the pages hold: forms with their fields, and the query parameters their links use ----------


@dataclass
class Form:
    action: str
    method: str
    fields: dict = field(default_factory=dict)  # name -> list of default values
    buttons: list = field(default_factory=list)  # (name, value) of each named submit button


class PageReader(HTMLParser):
    def __init__(self, url: str):
        super().__init__()
        self.url, self.forms, self.query = url, [], {}
        self._form, self._select, self._textarea = None, None, None

    def handle_starttag(self, tag, attrs):
        attr = dict(attrs)
        if tag == "form":
            self._form = Form(action=attr.get("action") or self.url, method=(attr.get("method") or "get").lower())
            self.forms.append(self._form)
            if attr.get("hx-post"):
                self.forms.append(htmx := Form(action=attr["hx-post"], method="post"))
                self._htmx = htmx
            else:
                self._htmx = None
        elif tag == "a" and "?" in (attr.get("href") or ""):
            href = urlsplit(attr["href"])
            path = href.path or urlsplit(self.url).path
            self.query.setdefault(path, set()).update(k for k, _v in parse_qsl(href.query, keep_blank_values=True))
        elif self._form is not None and attr.get("name"):
            name = attr["name"]
            if tag == "button" or (tag == "input" and attr.get("type") == "submit"):
                self._form.buttons.append((name, attr.get("value", "")))
                return
            values = self._form.fields.setdefault(name, [])
            if self._htmx is not None:
                self._htmx.fields.setdefault(name, values)
            if tag == "input":
                kind = attr.get("type", "text")
                if kind not in ("checkbox", "radio") or "checked" in attr:
                    values.append(attr.get("value", "on" if kind == "checkbox" else ""))
            elif tag == "select":
                self._select = values
            elif tag == "textarea":
                self._textarea = values
                values.append("")
        elif tag == "option" and self._select is not None and ("selected" in attr or not self._select):
            self._select[:] = [attr.get("value", "")]  # the selected option, else the first

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[-1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def read_page(url: str, html: str) -> PageReader:
    reader = PageReader(url)
    reader.feed(html)
    return reader


def answer(client, method: str, url: str, data=None):
    """One request; a server error fails the test with the request that caused it. POSTs are undone:
    their writes are rolled back and the browser gets its cookies back (a logout, a new session)."""
    try:
        if method == "get":
            return client.get(url, data)
        cookies = copy.deepcopy(client.cookies)
        with transaction.atomic():
            response = client.post(url, data or {})
            transaction.set_rollback(True)
        client.cookies = cookies
        return response
    except Exception as error:  # the test client re-raises what the view raised
        shown = {k: (v[:40] + "…" if isinstance(v, str) and len(v) > 40 else v) for k, v in (data or {}).items()}
        pytest.fail(f"{method.upper()} {url} {shown!r} raised {error!r}")


def assert_no_server_error(response, method, url, data=None):
    assert response.status_code < 500, f"{method.upper()} {url} {data!r}: {response.status_code}"


@contextlib.contextmanager
def keys_read():
    """The names a view looks up in ``request.GET`` or ``request.POST``, however it reads them (not
    the lookups Django makes while it fills them from the request)."""
    read, filling = set(), []
    lookups = {name: getattr(QueryDict, name) for name in ("__getitem__", "__contains__", "get", "getlist")}
    fill = QueryDict.setlistdefault

    def recording(method):
        def lookup(self, key, *args, **kwargs):
            if not filling:
                read.add(key)
            return method(self, key, *args, **kwargs)

        return lookup

    def filling_in(self, *args, **kwargs):
        filling.append(True)
        try:
            return fill(self, *args, **kwargs)
        finally:
            filling.pop()

    for name, method in lookups.items():
        setattr(QueryDict, name, recording(method))
    QueryDict.setlistdefault = filling_in
    try:
        yield read
    finally:
        for name, method in lookups.items():
            setattr(QueryDict, name, method)
        QueryDict.setlistdefault = fill


@dataclass
class Site:
    pages: list  # (pattern name, URL, status) of every page visited
    forms: list  # every distinct form found on them
    query: dict  # URL path -> names of the query parameters the view reads, links and GET forms send


@pytest.fixture(scope="module")
def site(world, browser) -> Site:
    """Every page visited once, read for its forms and the query parameters its links use; what the
    view itself looks up in the query string is recorded as it runs."""
    pages, forms, query = [], [], {}
    for name, url in page_urls(world):
        with keys_read() as read:
            response = answer(browser, "get", url)
        assert_no_server_error(response, "get", url)
        pages.append((name, url, response.status_code))
        query.setdefault(url, set()).update(read)
        if response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
            page = read_page(url, response.content.decode())
            forms += page.forms
            for path, names in page.query.items():
                query.setdefault(path, set()).update(names)
    for form in forms:
        if form.method == "get":
            query.setdefault(urlsplit(form.action).path, set()).update(form.fields)
    return Site(pages=pages, forms=forms, query=query)


def get_targets(site: Site) -> list[tuple[str, list[str]]]:
    """(URL, query parameter names) of each page whose view reads the query string or whose links
    send one, one page per pattern."""
    seen, targets = set(), []
    for name, url, _status in site.pages:
        names = site.query.get(url, set()) | site.query.get(urlsplit(url).path, set())
        if names and name not in seen:
            seen.add(name)
            targets.append((url, sorted(names)))
    return targets


@dataclass
class Target:
    url: str
    data: dict  # what the page's form would send, with the fields views read by hand
    keys: list  # the names to fuzz: the form's fields and whatever the view reads


def post_targets(site: Site) -> list[Target]:
    """Each distinct form on the pages, once per submit button, with the fields views read by hand
    added; and each pattern with those fields alone (a branch no form on the pages reaches, such as
    sending a letter). Forms that differ only in a row's number (one per task) are tried once."""
    seen, targets, blind = set(), [], set()
    for form in site.forms:
        if form.method != "post":
            continue
        name = resolve(urlsplit(form.action).path).url_name
        fields = {field: list(values) for field, values in form.fields.items() if field != "csrfmiddlewaretoken"}
        base = {key: [""] for key in HAND_POSTED} | fields
        for button in form.buttons or [None]:
            key = (name, tuple(sorted(re.sub(r"\d+", "N", field) for field in base)), button)
            if key in seen:
                continue
            seen.add(key)
            targets.append(Target(form.action, base | dict([(button[0], [button[1]])] if button else []), list(fields)))
    for name, url, _status in site.pages:  # the hand-read fields alone, once per pattern
        if name not in blind:
            blind.add(name)
            targets.append(Target(url, {key: [""] for key in HAND_POSTED} | {"action": ["send"]}, []))
    return targets


@pytest.fixture(scope="module")
def posts(site, browser) -> list[Target]:
    """The POST targets, each sent once as the page would send it to record what the view reads;
    the ones whose view reads nothing of what they send are dropped."""
    targets, known = [], {}
    for target in post_targets(site):
        with keys_read() as read:
            response = answer(browser, "post", target.url, target.data)
        assert_no_server_error(response, "post", target.url, target.data)
        keys = (set(target.keys) | read) - {"csrfmiddlewaretoken", "action"}
        path = urlsplit(target.url).path
        if keys - known.get(path, set()):  # a target is kept for what no earlier one reads there
            known.setdefault(path, set()).update(keys)
            target.keys = sorted(keys)
            targets.append(target)
    return targets


def rotated(names, k: int) -> dict:
    """The ``k``-th of ``len(VALUES)`` requests in which every name gets every value once."""
    return {name: VALUES[(i + k) % len(VALUES)] for i, name in enumerate(sorted(names))}


# -- the tests ------------------------------------------------------------------------------------


def test_every_url_pattern_has_values_to_visit_it_with(world):
    visited = {name for name, _url in page_urls(world)}
    assert visited == {name for name, _route, _params in url_patterns()}


def test_every_page_answers_malformed_query_parameters_without_a_server_error(browser, site):
    for url, names in get_targets(site):
        for k in range(len(VALUES)):
            data = rotated(names, k)
            assert_no_server_error(answer(browser, "get", url, data), "get", url, data)


def shape(name: str) -> str:
    """A field's name with row numbers taken out: contacts-0-name and contacts-1-name, W1_weight and
    W15_weight are the same field."""
    return re.sub(r"\d+", "N", name)


def distinct(posts: list[Target]) -> list[Target]:
    """One target per set of fields: the same form on two pages (a new client and an edited one, with
    its rows) is tried on the page with more of them."""
    seen, targets = set(), []
    for target in sorted(posts, key=lambda target: -len(target.keys)):
        if (fields := frozenset(map(shape, target.keys))) not in seen:
            seen.add(fields)
            targets.append(target)
    return targets


def test_every_form_answers_malformed_values_in_every_field_without_a_server_error(browser, posts):
    """Every field gets every value."""
    assert any(len(target.keys) > 3 for target in posts)  # forms were found on the pages
    for target in distinct(posts):
        for k in range(len(VALUES)):
            sent = target.data | rotated(target.keys, k)
            assert_no_server_error(answer(browser, "post", target.url, sent), "post", target.url, sent)


def test_one_malformed_field_among_valid_ones_gets_past_the_form_without_a_server_error(browser, posts):
    """The other fields keep what the page offered, so the form's own checks and the service run too.
    A field repeated per row is tried on its first row; the forms of a page's rows (contacts-0-…,
    grants-0-…) each get their malformed field in the same request, as they are checked apart."""
    for target in distinct(posts):
        rows: dict[str, list[str]] = {}
        tried = set()
        for name in target.keys:
            if shape(name) not in tried:
                tried.add(shape(name))
                row = re.match(r"(.+?-\d+)-", name)
                rows.setdefault(row.group(1) if row else "", []).append(name)
        for i in range(max(map(len, rows.values()), default=0)):
            sent = dict(target.data)
            for names in rows.values():
                if i < len(names):
                    sent[names[i]] = VALUES[(i + len(sent)) % len(VALUES)]
            assert_no_server_error(answer(browser, "post", target.url, sent), "post", target.url, sent)


@settings(
    max_examples=30,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_any_text_in_any_form_field_gets_an_answer_not_a_server_error(browser, posts, data):
    target = data.draw(st.sampled_from([target for target in posts if target.keys]), label="form")
    names = data.draw(st.sets(st.sampled_from(target.keys), min_size=1), label="fields")
    value = data.draw(
        st.one_of(
            st.text(),
            st.integers().map(str),
            st.sampled_from(VALUES + MORE),
            st.lists(st.text(max_size=5), min_size=2, max_size=3),
        ),
        label="value",
    )
    sent = target.data | dict.fromkeys(names, value)
    assert_no_server_error(answer(browser, "post", target.url, sent), "post", target.url, sent)


# -- what the member reads: the field and the limit, in a few representative cases ----------------


def post_and_follow(client, url, data):
    """A POST followed to the page it lands on, then undone like the others."""
    cookies = copy.deepcopy(client.cookies)
    with transaction.atomic():
        response = client.post(url, data, follow=True)
        transaction.set_rollback(True)
    client.cookies = cookies
    return response


def messages_in(response) -> list[str]:
    return [str(message) for message in response.context["messages"]] if response.context else []


def field_html(response, name: str) -> str:
    """The rendered block of one field: its label, its input and its errors."""
    html = response.content.decode()
    at = html.index(f'name="{name}"')
    end = min(i for i in (html.find('<div class="field', at), html.find("</form>", at)) if i != -1)
    return html[html.rindex('<div class="field', 0, at) : end]


@pytest.fixture
def page_context(browser):
    """This module's browser, keeping the template context for the test that reads it."""
    test_client.store_rendered_templates = keep_contexts
    yield browser
    test_client.store_rendered_templates = lambda *args, **kwargs: None


keep_contexts = test_client.store_rendered_templates


def client_form_data(browser, world) -> dict:
    url = reverse("client_edit", args=[world.client.pk])
    form = next(
        f
        for f in read_page(url, browser.get(url).content.decode()).forms
        if f.method == "post" and f.buttons == [] and "name" in f.fields
    )
    return {name: values for name, values in form.fields.items() if name != "csrfmiddlewaretoken"}


def test_a_letter_version_that_is_not_a_number_names_no_version(browser, world):
    download = reverse("letter_download", args=[world.cases[0].pk, "pl", "pdf"])
    for value in ("²", "٣", "-1", "0", HUGE_ID, str(2**63), "9" * 5000, ""):
        assert browser.get(download, {"v": value}).status_code == 404, value
    assert browser.get(download, {"v": "1"}).status_code == 200


def test_sending_a_letter_with_a_malformed_version_is_refused_naming_the_version(page_context, world):
    url = reverse("case_letter", args=[world.cases[0].pk])
    response = post_and_follow(page_context, url, {"lang": "pl", "action": "send", "version": "²"})
    assert "Version: “²” is not a version number; reload the page." in messages_in(response)


def test_an_id_too_large_for_the_database_in_a_url_is_a_404(browser, world):
    for name, args in [
        ("client_detail", [HUGE_ID]),
        ("case_detail", [str(2**63)]),
        ("evidence_edit", [world.client.pk, "invoice", HUGE_ID]),
        ("case_task", [world.cases[0].pk, HUGE_ID]),
        ("referral_edit", [HUGE_ID]),
    ]:
        assert browser.get(reverse(name, args=args)).status_code in (404, 405), name


def test_a_contact_id_of_another_firm_is_refused_naming_the_contact_and_changes_nothing(page_context, world):
    data = client_form_data(page_context, world)
    contact = world.client.contacts.get()
    forged = world.other["contact"]
    data |= {"contacts-0-id": [str(forged.pk)], "contacts-0-name": ["Renamed"]}
    response = post_and_follow(page_context, reverse("client_edit", args=[world.client.pk]), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Contact: not one of the rows listed here (it may have been deleted); reload the page." in page
    assert "nothing was saved" in page
    contact.refresh_from_db()
    forged.refresh_from_db()
    assert contact.name != "Renamed" and forged.name != "Renamed"


def test_notes_over_the_limit_are_refused_with_the_field_and_the_limit(page_context, world):
    data = client_form_data(page_context, world) | {"notes": ["x" * 5001]}
    response = post_and_follow(page_context, reverse("client_edit", args=[world.client.pk]), data)
    block = field_html(response, "notes")
    assert ">Notes</label>" in block
    assert "Ensure this value has at most 5000 characters (it has 5001)." in block
    assert 'maxlength="5000"' in block


def test_a_case_note_over_the_limit_is_refused_in_a_message_naming_the_field(page_context, world):
    url = reverse("case_withdraw", args=[world.cases[1].pk])
    response = post_and_follow(page_context, url, {"note": "x" * 12_345})
    assert "Note: Ensure this value has at most 5000 characters (it has 12345)." in messages_in(response)


def test_a_letterhead_over_the_limit_is_refused_with_the_field_and_the_limit(page_context, world):
    url = reverse("firm_settings")
    form = next(f for f in read_page(url, page_context.get(url).content.decode()).forms if "letterhead" in f.fields)
    data = {k: v for k, v in form.fields.items() if k != "csrfmiddlewaretoken"} | {"letterhead": ["y" * 2001]}
    block = field_html(post_and_follow(page_context, url, data), "letterhead")
    assert "Ensure this value has at most 2000 characters (it has 2001)." in block


def test_a_service_id_too_large_for_the_database_is_a_field_error(page_context, world):
    data = client_form_data(page_context, world) | {"services": [HUGE_ID]}
    response = post_and_follow(page_context, reverse("client_edit", args=[world.client.pk]), data)
    assert "is not one of the available choices" in field_html(response, "services")


def test_a_forged_row_count_is_refused_without_building_thousands_of_rows(page_context, world):
    data = client_form_data(page_context, world) | {"contacts-TOTAL_FORMS": [HUGE_ID]}
    response = post_and_follow(page_context, reverse("client_edit", args=[world.client.pk]), data)
    assert "Please submit at most 50 forms." in response.content.decode()


def test_a_message_can_answer_any_of_the_clients_messages(page_context, world):
    earlier = world.rows["message"]
    url = reverse("evidence_log", args=[world.client.pk, "message"])
    data = {"sent_at": "2026-03-03T10:00", "channel": "email", "direction": "out", "in_reply_to": str(earlier.pk)}
    response = post_and_follow(page_context, url, data)
    assert "Message saved." in messages_in(response)
    forged = MessageFactory(client=world.other["client"])
    response = post_and_follow(page_context, url, data | {"in_reply_to": str(forged.pk)})
    assert "not one of the available choices" in field_html(response, "in_reply_to")


def test_a_dealbreaker_beyond_ten_years_is_a_field_error(page_context, world):
    url = reverse("policy")
    form = next(f for f in read_page(url, page_context.get(url).content.decode()).forms if "talk_below" in f.fields)
    data = {k: v for k, v in form.fields.items() if k != "csrfmiddlewaretoken"}
    data |= {"rules-0-type": ["overdue_invoice"], "rules-0-days": ["99999999"]}
    response = post_and_follow(page_context, url, data)
    assert "Ensure this value is less than or equal to 3650." in response.content.decode()
