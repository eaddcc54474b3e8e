"""W3 when a client is given to someone else: an imported message's "went past the assigned member"
was worked out from its addresses and the member looking after the client at import time. Given to
another member — on the client form, by a clients file, or taken over by a partner (D4) — the mail
already imported is read again for the member now looking after the client. A message logged by hand
keeps what its author said; another firm's mail is never touched."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from parting.cases.models import OffboardingCase
from parting.cases.services import case_take_over
from parting.clients.models import Client
from parting.evidence.models import Message
from parting.firms.models import Membership
from parting.imports.loader import Loader
from parting.imports.problems import Source
from parting.imports.records import ClientRef, MessageRecord
from parting.imports.services import run_import
from tests.factories import ClientFactory, FirmFactory, MembershipFactory

pytestmark = pytest.mark.django_db
AT = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)


@pytest.fixture
def team(firm):
    def member(role, email):
        return MembershipFactory(firm=firm, role=role, user__email=email).user

    return {
        "owner": member(Membership.Role.OWNER, "olga@firm.pl"),
        "partner": member(Membership.Role.PARTNER, "piotr@firm.pl"),
        "staff": member(Membership.Role.STAFF, "ann@firm.pl"),
    }


@pytest.fixture
def acme(firm, team):
    """Acme, looked after by Ann (staff), with three messages in: to the partner, to the owner, to Ann."""
    acme = ClientFactory(firm=firm, name="Acme", email_domains="acme.pl", assigned_to=team["staff"])
    loader = Loader(firm)
    for key, to in (("to-piotr", "piotr@firm.pl"), ("to-olga", "olga@firm.pl"), ("to-ann", "ann@firm.pl")):
        loader.add(
            MessageRecord(
                Source("mail.mbox", 1), key, AT, "ceo@acme.pl", to=(to,), client=ClientRef(emails=("ceo@acme.pl",))
            )
        )
    loader.finish()
    return acme


def past_the_assigned(client) -> dict[str, bool]:
    return dict(Message.objects.filter(client=client).values_list("source_key", "to_senior"))


def test_w3_the_imported_mail_is_read_again_when_the_client_form_gives_the_client_to_the_partner(client, team, acme):
    assert past_the_assigned(acme) == {"to-piotr": True, "to-olga": True, "to-ann": False}
    client.force_login(team["owner"])
    data = {
        "name": "Acme",
        "status": acme.status,
        "assigned_to": team["partner"].pk,
        "payment_terms_days": acme.payment_terms_days,
        "notice_days": acme.notice_days or "",
        "prepaid_amount": acme.prepaid_amount or "0",
        "email_domains": acme.email_domains,
    }
    for prefix in ("contacts", "grants", "work", "logins"):
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    response = client.post(reverse("client_edit", args=[acme.pk]), data)
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert Client.objects.get(pk=acme.pk).assigned_to == team["partner"]
    # Mail to Piotr went to the member who looks after Acme now; mail to the owner still went past him.
    assert past_the_assigned(acme) == {"to-piotr": False, "to-olga": True, "to-ann": False}


def test_w3_a_clients_file_that_gives_the_client_to_the_partner_reads_the_mail_again(firm, team, acme, tmp_path):
    path = tmp_path / "clients.csv"
    path.write_text("name,assigned_to\nAcme,piotr@firm.pl\n", encoding="utf-8")
    result = run_import(firm=firm, by=team["owner"], kind="clients", paths=[path])
    assert result.ok, result.problems.summary()
    assert past_the_assigned(acme) == {"to-piotr": False, "to-olga": True, "to-ann": False}
    # And back to Ann: both seniors were past her again.
    path.write_text("name,assigned_to\nAcme,ann@firm.pl\n", encoding="utf-8")
    assert run_import(firm=firm, by=team["owner"], kind="clients", paths=[path]).ok
    assert past_the_assigned(acme) == {"to-piotr": True, "to-olga": True, "to-ann": False}


def test_w3_a_partner_who_takes_the_client_over_is_its_own_contact_from_then_on(firm, team, acme):
    """D4: the take-over gives the client to the partner; mail to them no longer went past anyone."""
    case = OffboardingCase.objects.create(
        firm=acme.firm, client=acme, opened_by=team["staff"], state=OffboardingCase.State.IN_REVIEW
    )
    case_take_over(case=case, by=team["partner"], note="I will keep them")
    assert past_the_assigned(acme) == {"to-piotr": False, "to-olga": True, "to-ann": False}


def test_w3_a_message_logged_by_hand_and_another_firms_mail_keep_their_flag(firm, team, acme, tmp_path):
    by_hand = Message.objects.create(firm=firm, client=acme, sent_at=AT, to_senior=True, summary="Called the owner")
    other = FirmFactory()
    theirs = Message.objects.create(
        firm=other, client=ClientFactory(firm=other), sent_at=AT, to_senior=True, to_senior_from_addresses=True
    )
    path = tmp_path / "clients.csv"
    path.write_text("name,assigned_to\nAcme,olga@firm.pl\n", encoding="utf-8")
    assert run_import(firm=firm, by=team["owner"], kind="clients", paths=[path]).ok
    assert past_the_assigned(acme)["to-olga"] is False
    by_hand.refresh_from_db()
    theirs.refresh_from_db()
    assert by_hand.to_senior is True and theirs.to_senior is True
