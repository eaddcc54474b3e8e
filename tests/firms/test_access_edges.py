"""The page guard: a signed-in member of a firm gets the page, owners and partners alone get the senior
pages (D4: they review and approve decisions), everyone else is sent to sign in or refused.

The guard is applied here to a view defined in the test, at test time, so each form of the decorator
(bare, called without arguments, ``senior=True``) is exercised as the web views use it.
"""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import RequestFactory

from parting.firms.access import member_required
from parting.firms.models import Membership
from tests.factories import MembershipFactory, UserFactory


def page(request, client_id):
    return HttpResponse(f"client {client_id} of {request.firm.name}")


def signed_in(role):
    membership = MembershipFactory.build(role=role, firm__name="Northwind")
    request = RequestFactory().get("/clients/7/?tab=signs")
    request.user, request.firm, request.membership = membership.user, membership.firm, membership
    return request


@pytest.mark.parametrize("role", list(Membership.Role))
@pytest.mark.parametrize("guard", [member_required, member_required()], ids=["bare", "called"])
def test_every_member_of_the_firm_gets_an_ordinary_page_staff_included(guard, role):
    response = guard(page)(signed_in(role), client_id=7)
    assert response.status_code == 200
    assert response.content == b"client 7 of Northwind"


@pytest.mark.parametrize("role", [Membership.Role.OWNER, Membership.Role.PARTNER])
def test_d4_owners_and_partners_get_the_senior_pages(role):
    response = member_required(senior=True)(page)(signed_in(role), client_id=7)
    assert response.content == b"client 7 of Northwind"


def test_d4_staff_are_refused_the_senior_pages_and_told_who_may():
    with pytest.raises(PermissionDenied, match=r"^Only owners and partners can do this\.$"):
        member_required(senior=True)(page)(signed_in(Membership.Role.STAFF), client_id=7)


@pytest.mark.parametrize("guard", [member_required, member_required(senior=True)], ids=["member", "senior"])
def test_a_visitor_who_is_not_signed_in_is_sent_to_sign_in_and_brought_back(guard):
    request = RequestFactory().get("/clients/7/?tab=signs")
    request.user, request.firm, request.membership = AnonymousUser(), None, None
    response = guard(page)(request, client_id=7)
    assert response.status_code == 302
    assert "next=/clients/7/%3Ftab%3Dsigns" in response["Location"]


@pytest.mark.parametrize("guard", [member_required, member_required(senior=True)], ids=["member", "senior"])
def test_a_signed_in_user_who_belongs_to_no_firm_sees_no_firms_pages_and_is_told_why(guard):
    request = RequestFactory().get("/clients/7/")
    request.user, request.firm, request.membership = UserFactory.build(), None, None
    with pytest.raises(PermissionDenied, match=r"^Your account does not belong to a firm\.$"):
        guard(page)(request, client_id=7)


def test_the_page_gets_the_arguments_of_its_url_positional_ones_too():
    response = member_required(page)(signed_in(Membership.Role.STAFF), 7)
    assert response.content == b"client 7 of Northwind"


def test_the_guarded_view_keeps_its_name_for_urls_and_error_pages():
    assert member_required(page).__name__ == "page"
    assert member_required(senior=True)(page).__name__ == "page"
