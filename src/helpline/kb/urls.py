from django.urls import path

from helpline.kb import views

app_name = "kb"
urlpatterns = [
    path("", views.home, name="home"),
    path("files/<int:attachment_id>/<str:filename>", views.attachment, name="attachment"),
    path("<str:lang>/", views.index, name="index"),
    path("<str:lang>/category/<slug:slug>/", views.category, name="category"),
    path("<str:lang>/<slug:slug>/", views.article, name="article"),
    path("<str:lang>/<slug:slug>/feedback/", views.feedback, name="feedback"),
    path(
        "<str:lang>/<slug:slug>/export.<str:fmt>",
        views.export_article,
        name="export",
    ),
]
