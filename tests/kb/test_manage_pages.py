"""The agents' knowledge-base workspace at /kb/manage/: list, editor, versions, review."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from helpline.kb import services
from helpline.kb.models import Article, ArticleTicketLink, ArticleVersion, KbAttachment
from tests.factories import make_ticket

pytestmark = pytest.mark.django_db

EDIT_FIELDS = {
    "type": "howto",
    "audience": "public",
    "language": "en",
    "tags": "vpn, remote",
    "body_md": "Open the **VPN** client.",
    "message": "First version",
}


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _article(agent, title: str = "Connect to the VPN", **fields) -> Article:
    return services.create_article(
        agent, services.ArticleData(title=title, body_md="Open the client.", **fields)
    )


def _form(article: Article, **changes) -> dict:
    data = {
        "title": article.title,
        "type": article.type,
        "audience": article.audience,
        "tags": ", ".join(article.tags),
        "body_md": article.body_md,
        "message": "Edited",
    }
    return {**data, **changes}


# --- who may enter ---------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["requester", "other_requester"])
def test_requesters_are_refused_everywhere_and_nothing_is_written(personas, persona):
    article = _article(personas.l1_agent)
    client = _client(getattr(personas, persona))

    pages = [
        client.get("/kb/manage/"),
        client.get("/kb/manage/new/"),
        client.get(f"/kb/manage/{article.pk}/"),
        client.get(f"/kb/manage/{article.pk}/edit/"),
        client.get(f"/kb/manage/{article.pk}/versions/"),
        client.post("/kb/manage/new/", {**EDIT_FIELDS, "title": "Sneaky"}),
        client.post(f"/kb/manage/{article.pk}/status/", {"status": "published"}),
        client.post(f"/kb/manage/{article.pk}/versions/1/restore/"),
        client.post("/kb/manage/preview/", {"body_md": "x"}),
    ]

    assert [p.status_code for p in pages] == [403] * len(pages)
    article.refresh_from_db()
    assert (Article.objects.count(), article.status, article.versions.count()) == (1, "draft", 1)


def test_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get("/kb/manage/")

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


@pytest.mark.parametrize("persona", ["l1_agent", "supervisor", "admin"])
def test_agents_supervisors_and_admins_see_the_list(personas, persona):
    _article(personas.l2_agent, title="Reset a password")

    response = _client(getattr(personas, persona)).get("/kb/manage/")

    assert response.status_code == 200
    assert "Reset a password" in response.content.decode()


def test_navigation_links_the_workspace_for_agents_only(personas):
    agent_page = _client(personas.l1_agent).get("/kb/manage/").content.decode()
    requester_page = _client(personas.requester).get("/portal/").content.decode()

    assert 'href="/kb/manage/"' in agent_page
    assert 'href="/kb/manage/"' not in requester_page


# --- the list ----------------------------------------------------------------------


def test_list_filters_by_status_type_language_audience_and_owner(personas):
    agent = personas.l1_agent
    _article(agent, title="VPN how-to")
    _article(personas.l2_agent, title="Runbook AD", type="runbook", audience="internal")
    ru = _article(agent, title="Принтер не печатает", language="ru", type="faq")
    services.change_status(personas.supervisor, ru, "published")
    client = _client(agent)

    def titles(**query) -> list[str]:
        page = client.get("/kb/manage/", query).context["page"]
        return sorted(a.title for a in page.object_list)

    assert titles(status="published") == ["Принтер не печатает"]
    assert titles(type="runbook") == ["Runbook AD"]
    assert titles(language="ru") == ["Принтер не печатает"]
    assert titles(audience="internal") == ["Runbook AD"]
    assert titles(owner="me") == ["VPN how-to", "Принтер не печатает"]
    assert titles(owner=str(personas.l2_agent.pk)) == ["Runbook AD"]
    assert titles(status="bogus") == ["Runbook AD", "VPN how-to", "Принтер не печатает"]


def test_my_stale_articles_lists_only_my_published_articles_past_review(personas):
    agent = personas.l1_agent
    past = timezone.now() - dt.timedelta(days=2)
    stale = _article(agent, title="Old VPN guide", review_due_at=past)
    fresh = _article(
        agent, title="Fresh guide", review_due_at=timezone.now() + dt.timedelta(days=30)
    )
    others = _article(personas.l2_agent, title="Someone else's", review_due_at=past)
    for article in (stale, fresh, others):
        services.change_status(personas.supervisor, article, "published")
    client = _client(agent)

    response = client.get("/kb/manage/", {"stale": "1"})
    home = client.get("/kb/manage/").content.decode()

    assert [a.title for a in response.context["page"].object_list] == ["Old VPN guide"]
    assert response.context["stale_count"] == 1
    assert "1 of your articles is due for review." in home


def test_list_query_count_does_not_grow_with_articles(personas, django_assert_num_queries):
    client = _client(personas.l1_agent)
    for n in range(12):
        _article(personas.l1_agent, title=f"Article {n}", tags=["a", "b"])
    client.get("/kb/manage/")  # warm the session

    # session, user, stale count, owners, page count, page
    with django_assert_num_queries(6):
        response = client.get("/kb/manage/")

    assert len(response.context["page"].object_list) == 12


def test_article_page_query_count_does_not_grow_with_feedback_tickets_versions(
    personas, django_assert_num_queries
):
    article = _article(personas.l1_agent)
    client = _client(personas.supervisor)

    def grow() -> None:
        services.leave_feedback(None, article, helpful=True, comment="ok")
        ticket = make_ticket(personas.requester, category=personas.category)
        ArticleTicketLink.objects.create(article=article, ticket=ticket)
        services.update_article(
            personas.l1_agent,
            article,
            services.ArticleData(title=article.title, body_md=f"{article.body_md}+"),
            message="more",
        )

    grow()
    with django_assert_num_queries(15):
        client.get(f"/kb/manage/{article.pk}/")
    for _ in range(4):
        grow()
    with django_assert_num_queries(15):
        response = client.get(f"/kb/manage/{article.pk}/")

    assert len(response.context["tickets"]) == 5
    assert len(response.context["feedback"]) == 5
    assert response.context["version_count"] == 6


# --- create and edit ---------------------------------------------------------------


def test_create_makes_a_draft_with_its_first_version(personas):
    client = _client(personas.l1_agent)

    response = client.post(
        "/kb/manage/new/", {**EDIT_FIELDS, "title": "Connect to the VPN", "slug": ""}
    )

    article = Article.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/kb/manage/{article.pk}/"
    assert (article.slug, article.status, article.owner, article.tags) == (
        "connect-to-the-vpn",
        "draft",
        personas.l1_agent,
        ["vpn", "remote"],
    )
    version = article.versions.get()
    assert (version.number, version.message, version.author) == (
        1,
        "First version",
        personas.l1_agent,
    )


def test_save_without_a_change_message_is_refused(personas):
    article = _article(personas.l1_agent)
    client = _client(personas.l1_agent)

    response = client.post(
        f"/kb/manage/{article.pk}/edit/", _form(article, body_md="New text", message="")
    )

    article.refresh_from_db()
    assert response.status_code == 200
    assert "message" in response.context["form"].errors
    assert (article.body_md, article.versions.count()) == ("Open the client.", 1)


def test_edit_creates_a_new_version_with_author_and_message(personas):
    article = _article(personas.l1_agent)
    client = _client(personas.l2_agent)

    response = client.post(
        f"/kb/manage/{article.pk}/edit/",
        _form(article, body_md="Open the client and sign in.", message="Sign-in step"),
    )

    article.refresh_from_db()
    latest = article.versions.order_by("-number").first()
    assert response.status_code == 302
    assert article.body_md == "Open the client and sign in."
    assert (latest.number, latest.message, latest.author) == (2, "Sign-in step", personas.l2_agent)


def test_edit_keeps_address_and_language_even_if_posted(personas):
    article = _article(personas.l1_agent)

    _client(personas.l1_agent).post(
        f"/kb/manage/{article.pk}/edit/",
        _form(article, title="VPN on Windows", slug="hijack", language="ru"),
    )

    article.refresh_from_db()
    assert (article.title, article.slug, article.language) == (
        "VPN on Windows",
        "connect-to-the-vpn",
        "en",
    )


def test_duplicate_address_is_a_form_error_not_a_500(personas):
    _article(personas.l1_agent)

    response = _client(personas.l1_agent).post(
        "/kb/manage/new/", {**EDIT_FIELDS, "title": "Other", "slug": "connect-to-the-vpn"}
    )

    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert Article.objects.count() == 1


def test_translation_link_joins_the_translation_group(personas):
    english = _article(personas.l1_agent)
    client = _client(personas.l1_agent)

    client.post(
        "/kb/manage/new/",
        {
            **EDIT_FIELDS,
            "title": "Подключение к VPN",
            "language": "ru",
            "translation_of": english.pk,
        },
    )
    same_language = client.post(
        "/kb/manage/new/", {**EDIT_FIELDS, "title": "VPN again", "translation_of": english.pk}
    )

    russian = Article.objects.get(language="ru")
    assert russian.translation_group == english.translation_group
    assert "translation_of" in same_language.context["form"].errors


def test_chapter_joins_a_guide_and_leaves_it_again(personas):
    guide = _article(personas.l1_agent, title="New employee guide", type="guide")
    chapter = _article(personas.l1_agent, title="First sign-in")
    client = _client(personas.l1_agent)

    client.post(f"/kb/manage/{chapter.pk}/edit/", _form(chapter, guide=guide.pk, position=2))
    guide_page = client.get(f"/kb/manage/{guide.pk}/")
    chapter.refresh_from_db()
    joined = (chapter.guide, chapter.position)
    client.post(f"/kb/manage/{chapter.pk}/edit/", _form(chapter, guide="", position=""))
    chapter.refresh_from_db()

    assert joined == (guide, 2)
    assert guide_page.context["chapters"] == [chapter]
    assert (chapter.guide, chapter.position) == (None, 0)


def test_only_user_guides_are_offered_as_guides(personas):
    howto = _article(personas.l1_agent, title="Not a guide")
    chapter = _article(personas.l1_agent, title="Chapter")

    response = _client(personas.l1_agent).post(
        f"/kb/manage/{chapter.pk}/edit/", _form(chapter, guide=howto.pk)
    )

    chapter.refresh_from_db()
    assert "guide" in response.context["form"].errors
    assert chapter.guide is None


def test_public_article_page_links_agents_to_the_manage_page(client, personas):
    article = _article(personas.l1_agent)
    services.change_status(personas.supervisor, article, "published")

    anonymous = client.get("/kb/en/connect-to-the-vpn/").content.decode()
    agent = _client(personas.l2_agent).get("/kb/en/connect-to-the-vpn/").content.decode()

    assert f'href="/kb/manage/{article.pk}/"' in agent
    assert "/kb/manage/" not in anonymous


def test_editor_escapes_the_title_and_text(personas):
    article = _article(personas.l1_agent, title="<b>bold</b> title")
    article.body_md = "</textarea><script>alert(1)</script>"
    article.save()

    body = _client(personas.l1_agent).get(f"/kb/manage/{article.pk}/edit/").content.decode()

    assert "<script>alert(1)</script>" not in body
    assert "&lt;/textarea&gt;&lt;script&gt;" in body
    assert "&lt;b&gt;bold&lt;/b&gt; title" in body


# --- live preview ------------------------------------------------------------------


def test_preview_renders_markdown_and_internal_links(personas):
    response = _client(personas.l1_agent).post(
        "/kb/manage/preview/", {"body_md": "**Bold** see [[vpn-connect|VPN]]", "language": "ru"}
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "<strong>Bold</strong>" in body
    assert '<a href="/kb/ru/vpn-connect/" rel="noopener noreferrer nofollow">VPN</a>' in body


def test_preview_sanitises_scripts_and_event_handlers(personas):
    response = _client(personas.l1_agent).post(
        "/kb/manage/preview/",
        {
            "body_md": "Hi <script>alert(1)</script> <img src=x onerror=alert(2)> [x](javascript:alert(3))"
        },
    )

    body = response.content.decode()
    assert "<script>alert(1)" not in body
    assert "onerror" not in body
    assert "javascript:" not in body


def test_preview_needs_csrf_token(personas):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.l1_agent)

    response = client.post("/kb/manage/preview/", {"body_md": "x"})

    assert response.status_code == 403


# --- versions ----------------------------------------------------------------------


def _three_versions(personas) -> Article:
    article = _article(personas.l1_agent)
    for text, message in [("Line A\nLine B", "Two lines"), ("Line A\nLine <C>", "Third")]:
        services.update_article(
            personas.l1_agent,
            article,
            services.ArticleData(title=article.title, body_md=text),
            message=message,
        )
    return article


def test_versions_page_lists_author_time_message_and_diffs_any_two(personas):
    article = _three_versions(personas)
    client = _client(personas.l2_agent)

    latest = client.get(f"/kb/manage/{article.pk}/versions/")
    first_to_last = client.get(f"/kb/manage/{article.pk}/versions/", {"old": 1, "new": 3})

    page = latest.content.decode()
    assert [v.number for v in latest.context["versions"]] == [3, 2, 1]
    assert "Third" in page and "Two lines" in page and "Alice L1" in page
    kinds = {(line.kind, line.text) for line in latest.context["diff"]}
    assert ("del", "-Line B") in kinds and ("add", "+Line <C>") in kinds
    assert '<span class="kb-diff-add">+Line &lt;C&gt;</span>' in page
    old_new = {(line.kind, line.text) for line in first_to_last.context["diff"]}
    assert ("del", "-Open the client.") in old_new


def test_diff_of_unknown_version_is_a_message_not_an_error(personas):
    article = _three_versions(personas)

    response = _client(personas.l1_agent).get(
        f"/kb/manage/{article.pk}/versions/", {"old": 1, "new": 9}
    )

    assert response.status_code == 200
    assert response.context["diff"] is None
    assert "No such version." in response.content.decode()


def test_restore_brings_back_old_content_as_a_new_version(personas):
    article = _three_versions(personas)

    response = _client(personas.l2_agent).post(f"/kb/manage/{article.pk}/versions/1/restore/")

    article.refresh_from_db()
    latest = article.versions.order_by("-number").first()
    assert response.status_code == 302
    assert article.body_md == "Open the client."
    assert (latest.number, latest.message, latest.author) == (
        4,
        "Restored version 1",
        personas.l2_agent,
    )
    assert ArticleVersion.objects.filter(article=article).count() == 4


def test_restore_needs_post(personas):
    article = _three_versions(personas)

    response = _client(personas.l1_agent).get(f"/kb/manage/{article.pk}/versions/1/restore/")

    assert response.status_code == 405
    assert article.versions.count() == 3


# --- review workflow ---------------------------------------------------------------


def test_author_sends_to_review_and_named_reviewer_publishes(personas):
    article = _article(personas.l1_agent)
    services.set_review(personas.l1_agent, article, reviewers=[personas.l2_agent])
    author, reviewer = _client(personas.l1_agent), _client(personas.l2_agent)

    author.post(f"/kb/manage/{article.pk}/status/", {"status": "in_review"})
    page = reviewer.get(f"/kb/manage/{article.pk}/")
    reviewer.post(f"/kb/manage/{article.pk}/status/", {"status": "published"})

    article.refresh_from_db()
    assert ("published", "Publish") in page.context["moves"]
    assert article.status == "published"
    assert article.published_at is not None


def test_author_who_is_not_a_reviewer_cannot_publish(personas):
    article = _article(personas.l1_agent)
    client = _client(personas.l1_agent)
    client.post(f"/kb/manage/{article.pk}/status/", {"status": "in_review"})

    page = client.get(f"/kb/manage/{article.pk}/")
    response = client.post(f"/kb/manage/{article.pk}/status/", {"status": "published"}, follow=True)

    article.refresh_from_db()
    assert [status for status, _label in page.context["moves"]] == ["draft", "archived"]
    assert article.status == "in_review"
    assert "Only a reviewer of this article" in response.content.decode()


@pytest.mark.parametrize("persona", ["supervisor", "admin"])
def test_supervisors_and_admins_publish_and_archive(personas, persona):
    article = _article(personas.l1_agent)
    client = _client(getattr(personas, persona))

    client.post(f"/kb/manage/{article.pk}/status/", {"status": "published"})
    client.post(f"/kb/manage/{article.pk}/status/", {"status": "archived"})
    refused = client.post(f"/kb/manage/{article.pk}/status/", {"status": "published"}, follow=True)

    article.refresh_from_db()
    assert article.status == "archived"
    assert "cannot move to that status" in refused.content.decode()


def test_review_settings_name_reviewers_owner_and_due_date(personas):
    article = _article(personas.l1_agent)

    _client(personas.l1_agent).post(
        f"/kb/manage/{article.pk}/review/",
        {
            "owner": personas.l2_agent.pk,
            "reviewers": [personas.supervisor.pk, personas.l2_agent.pk],
            "review_due": "2027-03-01",
        },
    )
    refused = _client(personas.l1_agent).post(
        f"/kb/manage/{article.pk}/review/", {"reviewers": [personas.requester.pk]}
    )

    article.refresh_from_db()
    assert article.owner == personas.l2_agent
    assert set(article.reviewers.all()) == {personas.supervisor, personas.l2_agent}
    assert article.review_due_at.date() == dt.date(2027, 3, 1)
    assert refused.status_code == 302
    assert set(article.reviewers.all()) == {personas.supervisor, personas.l2_agent}


# --- the article's page: feedback, views, tickets ------------------------------------


def test_manage_page_shows_views_feedback_and_visible_helped_tickets(personas):
    article = _article(personas.l1_agent)
    services.record_view(article)
    services.record_view(article)
    services.leave_feedback(None, article, helpful=True)
    services.leave_feedback(None, article, helpful=False, comment="Missing <b>step</b>")
    l1_ticket = make_ticket(personas.requester, subject="VPN drops", category=personas.category)
    unrouted = make_ticket(personas.other_requester, subject="Laptop fan noise")
    ArticleTicketLink.objects.create(article=article, ticket=l1_ticket)
    ArticleTicketLink.objects.create(article=article, ticket=unrouted)

    response = _client(personas.agent_other_team).get(f"/kb/manage/{article.pk}/")
    supervisor_view = _client(personas.supervisor).get(f"/kb/manage/{article.pk}/")

    body = response.content.decode()
    assert 'data-stat="views">2<' in body
    assert 'data-stat="helpful">1<' in body
    assert 'data-stat="not-helpful">1<' in body
    assert "Missing &lt;b&gt;step&lt;/b&gt;" in body
    assert {link.ticket for link in supervisor_view.context["tickets"]} == {l1_ticket, unrouted}
    # the L3 agent may not see the L1 team's ticket, so it is not shown to them
    assert [link.ticket for link in response.context["tickets"]] == [unrouted]
    assert "VPN drops" not in body


def test_link_ticket_by_number(personas):
    article = _article(personas.l1_agent)
    ticket = make_ticket(personas.requester, category=personas.category)

    _client(personas.l1_agent).post(
        f"/kb/manage/{article.pk}/tickets/", {"number": f"#{ticket.number}"}
    )
    refused = _client(personas.l1_agent).post(
        f"/kb/manage/{article.pk}/tickets/", {"number": "999999"}, follow=True
    )

    assert list(article.ticket_links.values_list("ticket_id", flat=True)) == [ticket.pk]
    assert "There is no ticket with this number" in refused.content.decode()


def test_unknown_article_is_404(personas):
    assert _client(personas.l1_agent).get("/kb/manage/999999/").status_code == 404


def test_link_search_finds_articles_in_the_editors_language(personas):
    _article(personas.l1_agent, title="Connect to the VPN")
    _article(personas.l1_agent, title="VPN по-русски", language="ru", slug="vpn-ru")
    client = _client(personas.l1_agent)

    english = client.get("/kb/manage/links/", {"link_q": "vpn", "language": "en"})
    nothing = client.get("/kb/manage/links/", {"link_q": "printer", "language": "en"})
    requester = _client(personas.requester).get("/kb/manage/links/", {"link_q": "vpn"})

    assert [a.slug for a in english.context["articles"]] == ["connect-to-the-vpn"]
    assert 'data-insert="[[connect-to-the-vpn|Connect to the VPN]]"' in english.content.decode()
    assert "No articles match." in nothing.content.decode()
    assert requester.status_code == 403


# --- create from ticket ------------------------------------------------------------


def test_ticket_page_has_the_create_article_button_and_it_opens_the_editor(personas):
    from helpline.tickets import services as ticket_services

    ticket = make_ticket(
        personas.requester, subject="Scanner error E-05", category=personas.category
    )
    ticket_services.add_message(personas.l1_agent, ticket, body="Restart the scanner")
    client = _client(personas.l1_agent)

    ticket_page = client.get(f"/tickets/{ticket.number}/").content.decode()
    response = client.post(f"/kb/manage/from-ticket/{ticket.number}/")
    editor = client.get(response["Location"])
    ticket_page_after = client.get(f"/tickets/{ticket.number}/").content.decode()

    article = Article.objects.get()
    assert f'action="/kb/manage/from-ticket/{ticket.number}/"' in ticket_page
    assert response["Location"] == f"/kb/manage/{article.pk}/edit/"
    assert editor.context["form"].initial["title"] == "Scanner error E-05"
    assert "Restart the scanner" in editor.content.decode()
    assert f'href="/kb/manage/{article.pk}/"' in ticket_page_after


def test_create_from_a_ticket_the_agent_cannot_see_is_404(personas):
    ticket = make_ticket(personas.requester, category=personas.category)

    response = _client(personas.agent_other_team).post(f"/kb/manage/from-ticket/{ticket.number}/")

    assert response.status_code == 404
    assert Article.objects.count() == 0


def test_second_draft_from_the_same_ticket_is_a_message(personas):
    ticket = make_ticket(personas.requester, category=personas.category)
    client = _client(personas.l1_agent)
    client.post(f"/kb/manage/from-ticket/{ticket.number}/")
    client.post(f"/kb/manage/from-ticket/{ticket.number}/")

    third = client.post(f"/kb/manage/from-ticket/{ticket.number}/", follow=True)

    assert third.status_code == 200
    assert Article.objects.count() == 2
    assert "already exists" in third.content.decode()


# --- uploads -----------------------------------------------------------------------


def test_image_upload_is_stored_and_offered_for_insertion(personas):
    article = _article(personas.l1_agent)

    response = _client(personas.l1_agent).post(
        f"/kb/manage/{article.pk}/attachments/",
        {"file": SimpleUploadedFile("screen.png", b"\x89PNG\r\n\x1a\nrest", "image/png")},
        HTTP_HX_REQUEST="true",
    )

    attachment = KbAttachment.objects.get()
    assert response.status_code == 200
    assert (attachment.filename, attachment.content_type) == ("screen.png", "image/png")
    url = f"/kb/files/{attachment.pk}/screen.png"
    assert f'data-insert="![screen.png]({url})"' in response.content.decode()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("evil.html", b"<script>alert(1)</script>"),
        ("logo.svg", b"<svg onload=alert(1)>"),
        ("photo.png", b"<html>not a png</html>"),
        ("setup.exe", b"MZ\x90\x00"),
    ],
)
def test_bad_upload_is_rejected_and_nothing_stored(personas, name, content):
    article = _article(personas.l1_agent)

    response = _client(personas.l1_agent).post(
        f"/kb/manage/{article.pk}/attachments/",
        {"file": SimpleUploadedFile(name, content, "image/png")},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 200
    assert "This type of file cannot be attached." in response.content.decode()
    assert KbAttachment.objects.count() == 0


def test_api_upload_of_a_refused_type_is_415_problem(client, personas):
    from tests.factories import auth, token_for

    article = _article(personas.l1_agent)

    response = client.post(
        f"/api/v1/kb/articles/{article.pk}/attachments",
        {"file": SimpleUploadedFile("page.html", b"<script>x()</script>", "image/png")},
        **auth(token_for(personas.l1_agent)),
    )

    assert response.status_code == 415
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "attachment-type"
    assert KbAttachment.objects.count() == 0


def test_upload_over_the_size_limit_is_rejected(personas, settings):
    settings.ATTACHMENT_MAX_BYTES = 10
    article = _article(personas.l1_agent)

    response = _client(personas.l1_agent).post(
        f"/kb/manage/{article.pk}/attachments/",
        {"file": SimpleUploadedFile("notes.txt", b"x" * 11, "text/plain")},
        follow=True,
    )

    assert "larger than the upload limit" in response.content.decode()
    assert KbAttachment.objects.count() == 0
