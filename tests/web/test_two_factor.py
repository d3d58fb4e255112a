"""Optional second factor: TOTP codes from an authenticator app."""

from __future__ import annotations

import time

import pyotp
import pytest
from django.core.cache import cache
from django.test import Client

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()


def enrol(client: Client) -> str:
    client.post("/profile/two-factor/", {"action": "start"})
    page = client.get("/profile/two-factor/").content.decode()
    secret = page.split('<code class="secret">')[1].split("</code>")[0]
    response = client.post(
        "/profile/two-factor/", {"action": "confirm", "code": pyotp.TOTP(secret).now()}
    )
    assert response.status_code == 302
    return secret


def test_enrolled_user_needs_a_code_after_the_password(personas):
    agent = personas.l1_agent
    client = Client()
    client.force_login(agent)
    secret = enrol(client)
    agent.refresh_from_db()
    assert agent.has_second_factor
    client.logout()

    step_one = client.post("/login/", {"email": agent.email, "password": PASSWORD})
    assert step_one.status_code == 302 and step_one["Location"] == "/login/verify/"
    assert client.get("/tickets/").status_code == 302  # not signed in yet

    wrong = client.post("/login/verify/", {"code": "000000"})
    assert wrong.status_code == 400
    # The enrolment used the current code; the next step's code is accepted (clock drift).
    right = client.post("/login/verify/", {"code": pyotp.TOTP(secret).at(time.time() + 30)})

    assert right.status_code == 302 and right["Location"] == "/tickets/"
    assert client.get("/tickets/").status_code == 200


def test_a_code_cannot_be_used_twice(personas):
    agent = personas.l1_agent
    client = Client()
    client.force_login(agent)
    secret = enrol(client)
    client.logout()
    code = pyotp.TOTP(secret).at(time.time() + 30)
    client.post("/login/", {"email": agent.email, "password": PASSWORD})
    assert client.post("/login/verify/", {"code": code}).status_code == 302
    client.logout()

    client.post("/login/", {"email": agent.email, "password": PASSWORD})
    replay = client.post("/login/verify/", {"code": code})

    assert replay.status_code == 400


def test_wrong_codes_count_towards_the_lockout(personas):
    agent = personas.l1_agent
    client = Client()
    client.force_login(agent)
    enrol(client)
    client.logout()
    client.post("/login/", {"email": agent.email, "password": PASSWORD})

    statuses = [client.post("/login/verify/", {"code": "123456"}).status_code for _ in range(6)]

    assert statuses[-1] == 429


def test_users_without_a_second_factor_sign_in_with_the_password_only(personas):
    response = Client().post("/login/", {"email": personas.l2_agent.email, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/tickets/"


def test_turning_it_off_needs_a_valid_code(personas):
    agent = personas.l1_agent
    client = Client()
    client.force_login(agent)
    secret = enrol(client)

    refused = client.post("/profile/two-factor/", {"action": "disable", "code": "111111"})
    agent.refresh_from_db()
    assert refused.status_code == 200 and agent.has_second_factor
    cache.clear()
    client.post("/profile/two-factor/", {"action": "disable", "code": pyotp.TOTP(secret).now()})

    agent.refresh_from_db()
    assert not agent.has_second_factor
