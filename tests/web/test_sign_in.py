"""Signing in with a password (with lockout), by e-mailed link, signing out, the profile."""

from __future__ import annotations

import re
import time

import pytest
import time_machine
from django.core import mail
from django.core.cache import cache
from django.test import Client

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def test_agent_signs_in_and_lands_in_the_workspace(personas):
    client = Client()
    response = client.post("/login/", {"email": "Alice@helpline.test", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/tickets/"


def test_requester_signs_in_and_lands_in_the_portal(personas):
    client = Client()
    response = client.post("/login/", {"email": personas.requester.email, "password": PASSWORD})
    assert response["Location"] == "/portal/"


def test_sign_in_refuses_an_outside_next_url(personas):
    client = Client()
    response = client.post(
        "/login/?next=https://evil.example/",
        {"email": personas.requester.email, "password": PASSWORD},
    )
    assert response["Location"] == "/portal/"


def test_wrong_password_is_refused_with_a_form_error(personas):
    client = Client()
    response = client.post("/login/", {"email": personas.requester.email, "password": "nope"})
    assert response.status_code == 400
    assert "The e-mail or the password is not right." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_five_failures_lock_the_address_even_for_the_right_password(personas):
    client = Client()
    for _ in range(5):
        client.post("/login/", {"email": personas.requester.email, "password": "nope"})
    response = client.post("/login/", {"email": personas.requester.email, "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many failed attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_lockout_is_per_address_and_ip(personas):
    client = Client()
    for _ in range(5):
        client.post("/login/", {"email": personas.requester.email, "password": "nope"})
    other_ip = Client(REMOTE_ADDR="10.0.0.9")
    response = other_ip.post("/login/", {"email": personas.requester.email, "password": PASSWORD})
    assert response.status_code == 302


def test_sign_out_needs_post_and_ends_the_session(personas):
    client = Client()
    client.force_login(personas.requester)
    assert client.get("/logout/").status_code == 405
    response = client.post("/logout/")
    assert response["Location"] == "/login/"
    assert client.get("/portal/").status_code == 302


def test_profile_saves_language_and_time_zone(personas):
    client = Client()
    client.force_login(personas.requester)
    response = client.post(
        "/profile/",
        {"full_name": "Rita R.", "phone": "+7 900", "language": "ru", "time_zone": "Europe/Moscow"},
    )
    assert response.status_code == 302
    personas.requester.refresh_from_db()
    assert (personas.requester.language, personas.requester.time_zone) == ("ru", "Europe/Moscow")
    assert response.cookies["django_language"].value == "ru"


def test_language_switch_becomes_the_users_preference(personas):
    client = Client()
    client.force_login(personas.l1_agent)
    response = client.post("/language/", {"language": "ru", "next": "/tickets/"})
    assert response["Location"] == "/tickets/"
    personas.l1_agent.refresh_from_db()
    assert personas.l1_agent.language == "ru"
    page = client.get("/tickets/").content.decode()
    assert 'lang="ru"' in page


def _link_from_mail() -> str:
    return re.search(r"http://testserver(/login/link/\S+/)", mail.outbox[-1].body).group(1)


def test_magic_link_signs_a_requester_in_once(personas, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    client = Client()
    client.post("/login/link/", {"email": personas.requester.email})
    assert len(mail.outbox) == 1
    link = _link_from_mail()
    # a GET (e.g. a mail scanner) only shows a button
    assert client.get(link).status_code == 200
    assert "_auth_user_id" not in client.session
    response = client.post(link)
    assert response["Location"] == "/portal/"
    assert client.session["_auth_user_id"] == str(personas.requester.pk)
    # the same link does not work a second time
    assert Client().post(link).status_code == 400


def test_magic_link_is_not_sent_to_agents_or_unknown_addresses(personas, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    client = Client()
    for email in (personas.l1_agent.email, "nobody@example.org"):
        response = client.post("/login/link/", {"email": email})
        assert response.status_code == 302
    assert mail.outbox == []


def test_magic_link_expires_after_15_minutes(personas, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    Client().post("/login/link/", {"email": personas.requester.email})
    link = _link_from_mail()
    with time_machine.travel(time.time() + 16 * 60):
        assert Client().post(link).status_code == 400


def test_magic_links_are_limited_to_three_per_address(personas, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    client = Client()
    for _ in range(5):
        client.post("/login/link/", {"email": personas.requester.email})
    assert len(mail.outbox) == 3
