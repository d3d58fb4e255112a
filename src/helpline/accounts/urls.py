from django.urls import path

from helpline.accounts import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.sign_in, name="login"),
    path("login/verify/", views.sign_in_verify, name="login-verify"),
    path("logout/", views.sign_out, name="logout"),
    path("login/link/", views.magic_link_request, name="magic-link"),
    path("login/link/<str:token>/", views.magic_link_use, name="magic-link-use"),
    path("profile/", views.profile, name="profile"),
    path("profile/two-factor/", views.two_factor, name="two-factor"),
    path("language/", views.set_language, name="set-language"),
]
