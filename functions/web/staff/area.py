"""What every page of the staff workspace shares: the session, the role, the POST checks.

A workspace area is one blueprint module made with :class:`StaffArea`; each of its views is
declared with :meth:`StaffArea.page`, which does, in this order, before the view runs:

1. the session: the ``__Host-`` cookie's access token verified against the user pool's keys
   (adapters/cognito.py); an expired one renewed with the refresh cookie; none, or one that
   cannot be renewed, answers ``303`` to the sign-in page with this page as the way back;
2. the role: a staff member whose groups are not among ``roles`` gets the 403 page;
3. for a POST: another site's request is refused (web/guard.py), then the form's anti-forgery
   token must match this browser's cookie and this staff member (web/csrf.py);

and after it: the renewed session cookie and the anti-forgery cookie are set on the answer, which
carries every page's headers (web/headers.py, through web/pages.py). Domain errors the view
raises are answered by web/errors.py (a ``WrongRole`` from a service is the same 403 page).

A view takes a :class:`StaffContext` and the route's parameters::

    from functions.domain.staff import EDITORS
    from functions.web.staff.area import StaffArea, StaffContext

    experts = StaffArea(__name__)

    @experts.page("/staff/experts/{expert_id}", methods=["POST"], roles=EDITORS)
    def save_expert(staff: StaffContext, expert_id: str) -> Response:
        ...

and app.py registers the blueprint (``app.register_blueprint(experts)``). The heavy parts (the
JOSE library, the services) are imported on the first workspace request, never at the API's
start-up.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, NamedTuple
from urllib.parse import quote, urlsplit

from chalice.app import Blueprint, Request, Response

from functions.domain.errors import DomainError, NotSignedIn, SignInRefused, WrongRole
from functions.domain.staff import READERS, StaffMember, StaffRole
from functions.web import csrf
from functions.web.errors import error_page
from functions.web.failures import guarded
from functions.web.headers import page_headers
from functions.web.pages import here_of, language_of, page

SIGN_IN_PATH = "/staff/sign-in"
HOME_PATH = "/staff"
SESSION_COOKIE = "mieux_staff"
RENEW_COOKIE = "mieux_staff_renew"
# The refresh token's life (the app client's RefreshTokenValidity, infra/stack.yaml): 12 hours,
# a working day; the access token in the session cookie lives 15 minutes and is renewed.
RENEW_MAX_AGE_SECONDS = 12 * 3600
SESSION_MAX_AGE_SECONDS = 12 * 3600  # the cookie outlives its token: an expired one is renewed
MAX_COOKIE_CHARS = 4096
FORM = "application/x-www-form-urlencoded"


class StaffContext(NamedTuple):
    """What a workspace view is given: who is signed in, in which language, and for a form."""

    request: Request
    member: StaffMember
    language: str
    csrf_token: str  # for the page's forms (field ``_csrf``)
    fields: dict[str, str]  # a POST's form fields (checked already); {} for a GET
    here: str  # this page's path and query without ``lang``

    def render(self, template: str, status: int = 200, **context: Any) -> Response:
        """A workspace page (templates/pages/staff/...) with what every one of them shows."""
        return page(
            template,
            self.language,
            status,
            staff=self.member,
            csrf_token=self.csrf_token,
            here=self.here,
            **context,
        )


def cookie_name(name: str) -> str:
    """``__Host-<name>`` wherever the anti-forgery cookie has the prefix (web/csrf.py)."""
    return f"__Host-{name}" if csrf.secure_cookie() else name


def set_cookie(name: str, value: str, max_age: int) -> str:
    """A ``Set-Cookie`` value: HttpOnly, SameSite=Strict, Path=/, Secure where it can be."""
    secure = "; Secure" if csrf.secure_cookie() else ""
    return (
        f"{cookie_name(name)}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}"
    )


def session_cookies(access_token: str, refresh_token: str) -> list[str]:
    """The cookies of a new (or renewed: no refresh token) session."""
    cookies = [set_cookie(SESSION_COOKIE, access_token, SESSION_MAX_AGE_SECONDS)]
    if refresh_token:
        cookies.append(set_cookie(RENEW_COOKIE, refresh_token, RENEW_MAX_AGE_SECONDS))
    return cookies


def cleared_cookies() -> list[str]:
    """The cookies that end the session in this browser."""
    return [set_cookie(SESSION_COOKIE, "", 0), set_cookie(RENEW_COOKIE, "", 0)]


def read_cookie(request: Request, name: str) -> str:
    """One cookie's value ("" if absent, malformed or too long to be ours)."""
    from http.cookies import CookieError, SimpleCookie

    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(str(request.headers.get("cookie", "")))
    except CookieError:
        return ""
    morsel = jar.get(cookie_name(name))
    value = morsel.value if morsel else ""
    return value if len(value) <= MAX_COOKIE_CHARS else ""


def safe_return_path(candidate: str | None) -> str:
    """Where to go after signing in: a path of the workspace only, never another site.

    Accepted: ``/staff``, ``/staff?...``, ``/staff/...`` with no scheme, no host, no backslash
    and no control character (``//evil.example``, ``/staff/\\evil``, ``https://...`` all fall
    back to the home page).
    """
    text = (candidate or "").strip()
    inside = text == HOME_PATH or text.startswith((HOME_PATH + "/", HOME_PATH + "?"))
    if not inside or "\\" in text or any(ord(c) < 32 for c in text):
        return HOME_PATH
    parts = urlsplit(text)
    if parts.scheme or parts.netloc or text.startswith("//") or len(text) > 500:
        return HOME_PATH
    return text


def sign_in_redirect(request: Request, language: str) -> Response:
    """``303`` to the sign-in page, with this page (a GET's) as the way back."""
    method = str(request.method).upper()
    back = safe_return_path(here_of(request)) if method in ("GET", "HEAD") else HOME_PATH
    location = f"{SIGN_IN_PATH}?next={quote(back, safe='')}&lang={language}"
    headers: dict[str, str | list[str]] = {**page_headers(), "Location": location}
    return Response(body="", status_code=303, headers=headers)


def current_member(request: Request) -> tuple[StaffMember, list[str]]:
    """Who holds the browser's session, and the cookies to set if it had to be renewed.

    Raises :class:`NotSignedIn` when there is no session or it cannot be renewed.
    """
    # The services (and the JOSE library under them) on the first workspace request only.
    from functions.services import staff as service

    token = read_cookie(request, SESSION_COOKIE)
    if token:
        try:
            return service.identify(token), []
        except NotSignedIn:
            if not service.is_expired(token):
                raise  # altered, another pool's, another client's: not renewed
    refresh = read_cookie(request, RENEW_COOKIE)
    if not refresh:
        raise NotSignedIn()
    try:
        renewed = service.renew(refresh)
    except SignInRefused as error:  # revoked (signed out elsewhere, disabled): sign in again
        raise NotSignedIn() from error
    return service.identify(renewed.access_token), session_cookies(renewed.access_token, "")


def csrf_scope(member: StaffMember) -> str:
    """A workspace form's anti-forgery scope: the staff member (their forms, nobody else's)."""
    return f"staff:{member.sub}"


def _append_cookies(response: Response, cookies: list[str]) -> None:
    """Add ``cookies`` to the answer's, except one the view set itself (a sign-out's cleared
    session must not be set again by a renewal of the same request)."""
    existing = response.headers.get("Set-Cookie")
    values = existing if isinstance(existing, list) else [existing] if existing else []
    named = {value.split("=", 1)[0] for value in values}
    added = [cookie for cookie in cookies if cookie.split("=", 1)[0] not in named]
    if added:
        response.headers["Set-Cookie"] = [*values, *added]


# Every workspace route and the roles it admits, as declared: (method, path) -> roles. The
# authorization tests walk it (a route added later is checked without editing them).
DECLARED: dict[tuple[str, str], frozenset[StaffRole]] = {}


class StaffArea(Blueprint):
    """A blueprint of the staff workspace: :meth:`page` declares a view behind the session."""

    def _problem(self, error: DomainError) -> Response:
        request = self.current_request
        return error_page(error, language_of(request), here=here_of(request), staff=True)

    def page(
        self,
        path: str,
        *,
        methods: list[str] | None = None,
        roles: frozenset[StaffRole] = READERS,
    ) -> Callable[[Callable[..., Response]], Callable[..., Response]]:
        """A route of the workspace: signed in, with one of ``roles``, POSTs checked."""
        verbs = methods or ["GET", "HEAD"]
        posts = "POST" in verbs
        route_options: dict[str, Any] = {"methods": verbs}
        if posts:
            route_options["content_types"] = [FORM]

        def decorate(view: Callable[..., Response]) -> Callable[..., Response]:
            @functools.wraps(view)
            def staff_view(**params: str) -> Response:
                request = self.current_request
                language = language_of(request)
                try:
                    member, renewed = current_member(request)
                except NotSignedIn:
                    response = sign_in_redirect(request, language)
                    # A session that cannot be renewed is ended in the browser too.
                    if read_cookie(request, SESSION_COOKIE) or read_cookie(request, RENEW_COOKIE):
                        _append_cookies(response, cleared_cookies())
                    return response
                except DomainError as error:  # the pool or the table failed: 503, say so
                    return self._problem(error)
                response = self._run(view, request, member, language, params, roles)
                _append_cookies(response, renewed)
                return response

            self.route(path, **route_options)(staff_view)
            DECLARED.update({(verb, path): roles for verb in verbs})
            return staff_view

        return decorate

    def _run(
        self,
        view: Callable[..., Response],
        request: Request,
        member: StaffMember,
        language: str,
        params: dict[str, str],
        roles: frozenset[StaffRole],
    ) -> Response:
        @guarded(self._problem)
        def checked() -> Response:
            require(member, roles)
            fields: dict[str, str] = {}
            if str(request.method).upper() == "POST":
                from functions.web.guard import refuse_cross_site
                from functions.web.inputs import form_fields

                refuse_cross_site(request)
                fields = form_fields(request)
                csrf.verify(request, csrf_scope(member), fields.get(csrf.FIELD))
            token, cookie = csrf.issue(request, csrf_scope(member))
            context = StaffContext(request, member, language, token, fields, here_of(request))
            response = view(context, **params)
            _append_cookies(response, [cookie["Set-Cookie"]])
            return response

        return checked()


def require(member: StaffMember, roles: frozenset[StaffRole]) -> None:
    """Raise :class:`WrongRole` unless ``member`` has one of ``roles`` (inside a view)."""
    if not member.has_any(roles):
        raise WrongRole()
