"""Signing in and out (password or e-mailed link), the profile, and the language switch."""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.core import signing
from django.core.cache import cache
from django.core.mail import send_mail
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from helpline.accounts import services, totp
from helpline.accounts.forms import MagicLinkForm, OneTimeCodeForm, ProfileForm, SignInForm
from helpline.accounts.models import User
from helpline.core.problems import ServiceError

MAX_FAILURES = 5
LOCKOUT_SECONDS = 15 * 60
MAGIC_LINK_SECONDS = 15 * 60
MAGIC_LINK_SALT = "helpline.accounts.magic-link"


def _client_ip(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "")


def _failure_key(email: str, ip: str) -> str:
    digest = hashlib.sha256(f"{email.strip().lower()}|{ip}".encode()).hexdigest()
    return f"signin-failures:{digest}"


def is_locked_out(email: str, ip: str) -> bool:
    return (cache.get(_failure_key(email, ip)) or 0) >= MAX_FAILURES


def record_failure(email: str, ip: str) -> None:
    key = _failure_key(email, ip)
    # The window starts at the first failure and is not extended by later ones.
    if not cache.add(key, 1, LOCKOUT_SECONDS):
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, LOCKOUT_SECONDS)


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def home_url(user: User) -> str:
    return reverse("tickets:workspace") if user.is_agent else reverse("portal:home")


PENDING_KEY = "helpline-2fa-pending"
PENDING_SECONDS = 5 * 60


def _sign_in(request: HttpRequest, user: User) -> HttpResponse:
    """Sign the user in, or first ask for their one-time code if they turned it on."""
    if user.has_second_factor:
        request.session[PENDING_KEY] = {
            "user_id": user.pk,
            "next": _safe_next(request, ""),
            "expires": time.time() + PENDING_SECONDS,
        }
        return redirect("login-verify")
    return _complete_sign_in(request, user)


def _complete_sign_in(request: HttpRequest, user: User) -> HttpResponse:
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    response = HttpResponseRedirect(_safe_next(request, home_url(user)))
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, user.language, samesite="Lax")
    return response


def _pending_user(request: HttpRequest) -> tuple[User | None, str]:
    pending = request.session.get(PENDING_KEY) or {}
    if not pending or pending.get("expires", 0) < time.time():
        return None, ""
    user = User.objects.filter(pk=pending.get("user_id"), is_active=True).first()
    return user, pending.get("next", "")


def sign_in_verify(request: HttpRequest) -> HttpResponse:
    """The second step: a code from the authenticator app, under the same lockout as passwords."""
    user, next_url = _pending_user(request)
    if user is None:
        return redirect("login")
    form = OneTimeCodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        ip = _client_ip(request)
        if is_locked_out(user.email, ip):
            form.add_error(None, _("Too many failed attempts. Try again in 15 minutes."))
            status = 429
        elif totp.verify(user, form.cleaned_data["code"]):
            del request.session[PENDING_KEY]
            cache.delete(_failure_key(user.email, ip))
            response = _complete_sign_in(request, user)
            if next_url:
                response["Location"] = next_url
            return response
        else:
            record_failure(user.email, ip)
            form.add_error("code", _("That code is not right."))
            status = 400
    return render(request, "accounts/sign_in_verify.html", {"form": form}, status=status)


def two_factor(request: HttpRequest) -> HttpResponse:
    """Turn the authenticator-app second factor on (scan, then confirm a code) or off."""
    if not request.user.is_authenticated:
        return redirect(f"{reverse('login')}?next={request.path}")
    user = request.user
    form = OneTimeCodeForm(request.POST or None)
    action = request.POST.get("action", "")
    try:
        if request.method == "POST" and action == "start":
            totp.start_enrolment(user)
            form = OneTimeCodeForm()
        elif request.method == "POST" and form.is_valid():
            if action == "confirm":
                totp.confirm_enrolment(user, form.cleaned_data["code"])
                messages.success(request, _("Two-factor sign-in is on."))
                return redirect("profile")
            if action == "disable":
                totp.disable(user, form.cleaned_data["code"])
                messages.success(request, _("Two-factor sign-in is off."))
                return redirect("profile")
    except ServiceError as exc:
        form.add_error("code", _("That code is not right.") if exc.code == "totp-invalid"
                       else _("Two-factor sign-in is already on."))
    context = {"form": form, "enrolling": bool(user.totp_secret) and not user.has_second_factor}
    if context["enrolling"]:
        context.update(secret=user.totp_secret, uri=totp.provisioning_uri(user))
    return render(request, "accounts/two_factor.html", context)


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("login")
    return redirect(home_url(request.user))


def sign_in(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated and request.method == "GET":
        return redirect(home_url(request.user))
    form = SignInForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        email, ip = form.cleaned_data["email"], _client_ip(request)
        if is_locked_out(email, ip):
            form.add_error(None, _("Too many failed attempts. Try again in 15 minutes."))
            status = 429
        else:
            user = authenticate(
                request, username=email.lower(), password=form.cleaned_data["password"]
            )
            if user is not None:
                cache.delete(_failure_key(email, ip))
                return _sign_in(request, user)
            record_failure(email, ip)
            form.add_error(None, _("The e-mail or the password is not right."))
            status = 400
    return render(
        request,
        "accounts/sign_in.html",
        {"form": form, "next": _safe_next(request, "")},
        status=status,
    )


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("login")


def magic_link_token(user: User) -> str:
    # last_login changes when the link is used, which makes every earlier link invalid.
    stamp = user.last_login.isoformat() if user.last_login else ""
    return signing.dumps({"u": user.pk, "s": stamp}, salt=MAGIC_LINK_SALT)


def user_for_magic_link(token: str) -> User | None:
    try:
        data = signing.loads(token, salt=MAGIC_LINK_SALT, max_age=MAGIC_LINK_SECONDS)
    except signing.BadSignature:
        return None
    user = User.objects.filter(pk=data.get("u"), is_active=True).first()
    if user is None or user.is_agent:
        return None
    stamp = user.last_login.isoformat() if user.last_login else ""
    return user if stamp == data.get("s") else None


MAX_LINKS = 3


def _may_send_link(email: str) -> bool:
    """At most three links per address per 15 minutes: no mail-bombing through this form."""
    key = "signin-links:" + hashlib.sha256(email.encode()).hexdigest()
    if cache.add(key, 1, LOCKOUT_SECONDS):
        return True
    try:
        return cache.incr(key) <= MAX_LINKS
    except ValueError:
        return True


def magic_link_request(request: HttpRequest) -> HttpResponse:
    form = MagicLinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"].lower()
        user = User.objects.filter(email__iexact=email, is_active=True).first()
        if user is not None and not user.is_agent and _may_send_link(email):
            url = request.build_absolute_uri(
                reverse("magic-link-use", args=[magic_link_token(user)])
            )
            with translation.override(user.language):
                send_mail(
                    _("Your Helpline sign-in link"),
                    _(
                        "Open this link within 15 minutes to sign in to Helpline:\n\n%(url)s\n\n"
                        "If you did not ask for it, ignore this message."
                    )
                    % {"url": url},
                    settings.DEFAULT_FROM_EMAIL,
                    [user.email],
                )
        # The same answer whether or not the address is known: no account probing.
        messages.info(
            request, _("If the address belongs to an account, a sign-in link is on its way.")
        )
        return redirect("magic-link")
    return render(request, "accounts/magic_link.html", {"form": form})


def magic_link_use(request: HttpRequest, token: str) -> HttpResponse:
    # GET only shows a button: mail scanners that prefetch links must not use them up.
    user = user_for_magic_link(token)
    if user is None:
        return render(request, "accounts/magic_link_invalid.html", status=400)
    if request.method == "POST":
        return _sign_in(request, user)
    return render(request, "accounts/magic_link_confirm.html", {"link_user": user})


def profile(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect(f"{reverse('login')}?next={request.path}")
    user = request.user
    initial = {
        "full_name": user.full_name,
        "phone": user.phone,
        "language": user.language,
        "time_zone": user.time_zone,
    }
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.update_user(actor=user, user=user, **form.cleaned_data)
        with translation.override(user.language):
            messages.success(request, _("Your profile is saved."))
        response = redirect("profile")
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, user.language, samesite="Lax")
        return response
    return render(request, "accounts/profile.html", {"form": form})


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the interface language; for a signed-in user it becomes their preference."""
    language = request.POST.get("language", "")
    response = HttpResponseRedirect(_safe_next(request, "/"))
    if language not in dict(settings.LANGUAGES):
        return response
    if request.user.is_authenticated and request.user.language != language:
        services.update_user(actor=request.user, user=request.user, language=language)
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, samesite="Lax")
    return response
