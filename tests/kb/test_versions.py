"""Every save is a version; diff between any two; restore brings an old one back."""

from __future__ import annotations

import pytest

from helpline.core.problems import Forbidden
from helpline.kb import services
from helpline.kb.models import Article, ArticleVersion
from tests.factories import auth, token_for

pytestmark = pytest.mark.django_db


def _draft(agent) -> Article:
    data = services.ArticleData(title="Reset a PIN", body_md="Step one.\nStep two.\n", tags=["pin"])
    return services.create_article(agent, data, message="first")


def test_each_save_with_changes_is_a_numbered_version(personas):
    # given
    article = _draft(personas.l1_agent)
    data = services.ArticleData(title="Reset a PIN", body_md="Step one.\nStep 2.\n", tags=["pin"])

    # when it is saved twice with a change and once without
    services.update_article(personas.l2_agent, article, data, message="fix step")
    services.update_article(personas.l2_agent, article, data, message="no change")

    # then
    versions = list(article.versions.order_by("number"))
    assert [(v.number, v.message, v.author) for v in versions] == [
        (1, "first", personas.l1_agent),
        (2, "fix step", personas.l2_agent),
    ]


def test_diff_between_two_versions_is_unified(personas):
    article = _draft(personas.l1_agent)
    services.update_article(
        personas.l1_agent,
        article,
        services.ArticleData(title="Reset a PIN", body_md="Step one.\nStep 2.\n", tags=["pin"]),
    )

    diff = services.diff_versions(article, 1, 2)

    assert diff.splitlines()[:2] == ["--- v1", "+++ v2"]
    assert "-Step two." in diff.splitlines()
    assert "+Step 2." in diff.splitlines()


def test_restore_makes_the_old_content_a_new_version(personas):
    article = _draft(personas.l1_agent)
    services.update_article(
        personas.l1_agent, article, services.ArticleData(title="PIN", body_md="Other")
    )

    services.restore_version(personas.l2_agent, article, 1)

    article.refresh_from_db()
    assert (article.title, article.body_md, article.tags) == (
        "Reset a PIN",
        "Step one.\nStep two.\n",
        ["pin"],
    )
    assert article.versions.order_by("-number").first().message == "Restored version 1"
    assert article.versions.count() == 3


def test_requester_cannot_edit_and_nothing_is_written(personas):
    with pytest.raises(Forbidden):
        services.create_article(personas.requester, services.ArticleData(title="Mine"))

    assert Article.objects.count() == 0
    assert ArticleVersion.objects.count() == 0


def test_markdown_is_rendered_sanitised_with_internal_links(personas):
    body = "See [[vpn-connect|the VPN page]].\n\n<script>alert(1)</script><img src=x onerror=y>"

    article = services.create_article(
        personas.l1_agent, services.ArticleData(title="Links", body_md=body, language="ru")
    )

    assert '<a href="/kb/ru/vpn-connect/"' in article.body_html
    assert "<script" not in article.body_html
    assert "onerror" not in article.body_html


def test_versions_and_diff_over_the_api(client, personas):
    article = _draft(personas.l1_agent)
    headers = auth(token_for(personas.l1_agent))
    payload = {"title": "Reset a PIN", "body_md": "Step one.\nStep 3.\n", "tags": ["pin"]}
    put = client.put(
        f"/api/v1/kb/articles/{article.pk}",
        {**payload, "message": "three"},
        content_type="application/json",
        **headers,
    )

    versions = client.get(f"/api/v1/kb/articles/{article.pk}/versions", **headers).json()
    diff = client.get(f"/api/v1/kb/articles/{article.pk}/diff?old=1&new=2", **headers)

    assert put.json()["version"] == 2
    assert [v["message"] for v in versions] == ["first", "three"]
    assert "+Step 3." in diff.content.decode()
