"""Stable addresses of the agents' knowledge-base workspace, mounted at /kb/manage/."""

from django.urls import path

from helpline.kb import manage_views as views

app_name = "kb-manage"
urlpatterns = [
    path("", views.article_list, name="list"),
    path("new/", views.create, name="create"),
    path("preview/", views.preview, name="preview"),
    path("links/", views.link_search, name="link-search"),
    path("from-ticket/<int:number>/", views.from_ticket, name="from-ticket"),
    path("<int:article_id>/", views.detail, name="detail"),
    path("<int:article_id>/edit/", views.edit, name="edit"),
    path("<int:article_id>/status/", views.change_status, name="status"),
    path("<int:article_id>/review/", views.review, name="review"),
    path("<int:article_id>/attachments/", views.upload, name="upload"),
    path("<int:article_id>/tickets/", views.link_ticket, name="link-ticket"),
    path("<int:article_id>/versions/", views.versions, name="versions"),
    path("<int:article_id>/versions/<int:number>/restore/", views.restore, name="restore"),
]
