"""Signing in to the staff workspace, step by step, and signing out.

GET /staff/sign-in shows the form; its POST sends the name and password to the user pool
(services/staff.py). The pool may ask for a further step (a new password on the first sign-in,
the authenticator's code, setting up an authenticator where TOTP is required): each is a page
whose form POSTs to /staff/sign-in/step with the step signed (adapters/links.py, minutes long),
so the pool's handle on the sign-in and the user name cannot be swapped. Once signed in, the
session's cookies are set and the browser goes (303) to the page it came from, a path of the
workspace only (``area.safe_return_path``). Every POST is counted in the sign-in rate window and
checked for another site's origin and for the form's anti-forgery token.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from chalice.app import Blueprint, Response

from functions.adapters import links
from functions.domain.errors import DomainError, LinkError, PasswordRejected, SignInRefused
from functions.domain.ratelimit import Window
from functions.domain.staff import READERS
from functions.web import csrf
from functions.web.errors import error_page
from functions.web.failures import guarded
from functions.web.guard import state_change
from functions.web.headers import page_headers
from functions.web.inputs import form_fields
from functions.web.pages import here_of, language_of, page
from functions.web.staff.area import (
    FORM,
    SIGN_IN_PATH,
    StaffArea,
    StaffContext,
    cleared_cookies,
    safe_return_path,
    session_cookies,
)

signin = Blueprint(__name__)
signout = StaffArea(__name__ + ".signout")

SCOPE = "staff-sign-in"  # the anti-forgery scope of the sign-in forms (no session yet)
STEP_SECONDS = 180  # the pool's challenge session lives three minutes
FIELD_LIMIT = 256  # a user name, a password or a code is far shorter


def _problem(error: DomainError) -> Response:
    request = signin.current_request
    return error_page(error, language_of(request), here=here_of(request), staff=True)


def _form(
    language: str, return_path: str, status: int = 200, step: Any = None, **context: Any
) -> Response:
    token, cookie = csrf.issue(signin.current_request, SCOPE)
    template = "staff/sign_in.html" if step is None else "staff/challenge.html"
    response = page(
        template,
        language,
        status,
        csrf_token=token,
        next=return_path,
        here=f"{SIGN_IN_PATH}?next={quote(return_path, safe='')}",
        step=step,
        **context,
    )
    response.headers.update(cookie)
    return response


def _signed_in(tokens: Any, return_path: str, language: str) -> Response:
    location = f"{return_path}{'&' if '?' in return_path else '?'}lang={language}"
    headers: dict[str, Any] = {**page_headers(), "Location": location}
    headers["Set-Cookie"] = session_cookies(tokens.access_token, tokens.refresh_token)
    return Response(body="", status_code=303, headers=headers)


def _next_step(outcome: Any, return_path: str, language: str, **context: Any) -> Response:
    """Signed in, or the page of the step the pool asks for next."""
    from functions.services import staff as service  # on use: the JOSE library under it

    if isinstance(outcome, service.Tokens):
        return _signed_in(outcome, return_path, language)
    secret = ""
    if outcome.name == "MFA_SETUP":
        secret, outcome = service.begin_totp_setup(outcome)
    step = links.mint(
        links.Purpose.STAFF_CHALLENGE,
        {"c": outcome.name, "s": outcome.session, "u": outcome.username},
    )
    return _form(
        language,
        return_path,
        step={"name": outcome.name, "token": step, "secret": secret, "user": outcome.username},
        **context,
    )


def _checked_post() -> dict[str, str]:
    request = signin.current_request
    state_change(request, Window.SIGN_IN)  # another site's request is refused first
    fields = form_fields(request)
    csrf.verify(request, SCOPE, fields.get(csrf.FIELD))
    return fields


def _field(fields: dict[str, str], name: str) -> str:
    value = fields.get(name, "").strip() if name != "password" else fields.get(name, "")
    return value[:FIELD_LIMIT] if len(value) <= FIELD_LIMIT else ""


@signin.route(SIGN_IN_PATH, methods=["GET", "HEAD"])
@guarded(_problem)
def show_sign_in() -> Response:
    """The sign-in form (name and password)."""
    request = signin.current_request
    asked = request.query_params.get("next") if request.query_params else None
    signed_out = bool(request.query_params and request.query_params.get("signed_out"))
    return _form(language_of(request), safe_return_path(asked), signed_out=signed_out)


@signin.route(SIGN_IN_PATH, methods=["POST"], content_types=[FORM])
@guarded(_problem)
def sign_in() -> Response:
    """The name and password, sent to the user pool."""
    from functions.services import staff as service  # on use: the JOSE library under it

    language = language_of(signin.current_request)
    fields = _checked_post()
    return_path = safe_return_path(fields.get("next"))
    username, password = _field(fields, "username"), _field(fields, "password")
    if not username or not password:
        errors = [{"field": "username" if not username else "password", "code": "required"}]
        return _form(language, return_path, 422, errors=errors, username=username)
    try:
        outcome = service.sign_in(username, password)
    except SignInRefused:
        errors = [{"field": "username", "code": "refused"}]
        return _form(language, return_path, 401, errors=errors, username=username)
    return _next_step(outcome, return_path, language)


@signin.route(SIGN_IN_PATH + "/step", methods=["POST"], content_types=[FORM])
@guarded(_problem)
def sign_in_step() -> Response:
    """A further step: a new password, the authenticator's code, or its set-up."""
    from functions.services import staff as service  # on use: the JOSE library under it

    language = language_of(signin.current_request)
    fields = _checked_post()
    return_path = safe_return_path(fields.get("next"))
    try:
        payload = links.read(
            links.Purpose.STAFF_CHALLENGE, fields.get("step", ""), max_age=STEP_SECONDS
        )
        challenge = service.Challenge(str(payload["c"]), str(payload["s"]), str(payload["u"]))
    except (LinkError, KeyError):
        # The step expired or was altered: start again from the name and password.
        return _form(language, return_path, 401, errors=[{"field": "username", "code": "again"}])
    answer = _field(fields, "answer")
    if not answer:
        return _step_error(challenge, fields, return_path, language, "required", 422)
    try:
        if challenge.name == "NEW_PASSWORD_REQUIRED":
            outcome = service.new_password(challenge, answer)
        elif challenge.name == "SOFTWARE_TOKEN_MFA":
            outcome = service.totp_code(challenge, answer)
        else:  # MFA_SETUP
            outcome = service.finish_totp_setup(challenge, answer)
    except PasswordRejected:
        return _step_error(challenge, fields, return_path, language, "weak_password", 422)
    except SignInRefused:
        return _step_error(challenge, fields, return_path, language, "refused", 401)
    return _next_step(outcome, return_path, language)


def _step_error(
    challenge: Any, fields: dict[str, str], return_path: str, language: str, code: str, status: int
) -> Response:
    step = {
        "name": challenge.name,
        "token": fields.get("step", ""),
        "secret": fields.get("secret", "")[:FIELD_LIMIT],
        "user": challenge.username,
    }
    return _form(
        language, return_path, status, step=step, errors=[{"field": "answer", "code": code}]
    )


@signout.page("/staff/sign-out", methods=["POST"], roles=READERS)
def sign_out(staff: StaffContext) -> Response:
    """End the session: the pool revokes the refresh tokens, the browser drops the cookies."""
    from functions.services import staff as service

    service.sign_out(staff.member)
    headers: dict[str, Any] = {
        **page_headers(),
        "Location": f"{SIGN_IN_PATH}?lang={staff.language}&signed_out=1",
        "Set-Cookie": cleared_cookies(),
    }
    return Response(body="", status_code=303, headers=headers)
