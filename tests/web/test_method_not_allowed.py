"""A form's address opened as a page (a bookmark, a reload after a download, a pasted link) gets a
page that says so and links back, in the member's language — not Django's blank 405. The status
and the Allow header stay, and the API keeps its own answers."""

from __future__ import annotations

from django.urls import reverse


def test_opening_the_export_button_s_address_says_it_is_not_a_page_and_links_back(client, owner):
    client.force_login(owner.user)
    response = client.get(reverse("import_export"))
    page = response.content.decode()
    assert response.status_code == 405 and response["Allow"] == "POST"
    assert "Not a page" in page and reverse("dashboard") in page
    assert response["Cache-Control"] == "private, no-store"


def test_the_page_speaks_the_members_language(client, owner):
    owner.language = "pl"
    owner.save(update_fields=["language"])
    client.force_login(owner.user)
    response = client.get(reverse("import_export"), HTTP_ACCEPT_LANGUAGE="pl")
    assert response.status_code == 405 and "To nie jest strona" in response.content.decode()


def test_a_post_still_does_what_the_button_does(client, owner):
    client.force_login(owner.user)
    response = client.post(reverse("import_export"))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"


def test_the_api_keeps_its_own_405(client, owner):
    client.force_login(owner.user)
    response = client.delete("/api/clients")
    assert response.status_code in (401, 404, 405)
    assert b"Not a page" not in response.content
