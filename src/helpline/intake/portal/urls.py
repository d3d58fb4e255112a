from django.urls import path

from helpline.intake.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("new/", views.new_request, name="new"),
    path("new/fields/", views.custom_fields, name="custom-fields"),
    path("t/<int:number>/", views.ticket_detail, name="ticket"),
    path("t/<int:number>/reply/", views.reply, name="reply"),
    path("t/<int:number>/rate/", views.rate, name="rate"),
    path("t/<int:number>/<slug:target>/", views.change_status, name="status"),
]
