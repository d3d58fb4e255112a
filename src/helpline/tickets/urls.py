from django.urls import path

from helpline.tickets import views

app_name = "tickets"
urlpatterns = [
    path("tickets/", views.workspace, name="workspace"),
    path("tickets/list/", views.ticket_list, name="list"),
    path("tickets/counts/", views.counts, name="counts"),
    path("tickets/bulk/", views.bulk, name="bulk"),
    path("tickets/filters/", views.save_filter, name="save-filter"),
    path("tickets/filters/<int:filter_id>/delete/", views.delete_filter, name="delete-filter"),
    path("tickets/new/", views.new_ticket, name="new"),
    path("tickets/requesters/", views.requester_search, name="requester-search"),
    path("tickets/preview/", views.preview, name="preview"),
    path("tickets/<int:number>/", views.ticket_detail, name="detail"),
    path("tickets/<int:number>/timeline/", views.ticket_timeline, name="timeline"),
    path("tickets/<int:number>/panel/", views.ticket_panel, name="panel"),
    path("tickets/<int:number>/reply/", views.reply, name="reply"),
    path("tickets/<int:number>/act/<slug:name>/", views.action, name="action"),
]
