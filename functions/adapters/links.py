"""Signed, purpose-bound, expiring tokens for the links in emails (itsdangerous).

A token carries ids only, never personal data: its payload is readable without the key. Each
purpose has its own salt, so a review link can never be used as a status link. Keys rotate:
tokens are signed with the newest key and accepted with any configured key.
A signature cannot make a link single-use; that is the store's job (one vote per round).
"""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from typing import Any, NamedTuple

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from functions.adapters.secrets import signing_keys

# The errors are the domain's (web/errors.py answers them); named here for the links' callers.
from functions.domain.errors import LinkError as LinkError
from functions.domain.errors import LinkExpired as LinkExpired
from functions.domain.errors import LinkWrongPurpose as LinkWrongPurpose
from functions.runtime.settings import get_settings


class Purpose(StrEnum):
    """What a link is for; each purpose signs with its own salt."""

    REVIEW = "review"  # a committee member's vote in one round
    STATUS = "status"  # the partner's status page
    CSRF = "csrf"  # a form's anti-forgery token
    EVALUATION = "evaluation"  # one person's evaluation of one activity (host, expert)
    EVALUATION_ROOM = "evaluation-room"  # the participants' shared link of one activity
    STAFF_CHALLENGE = "staff-challenge"  # a sign-in step of the staff workspace (minutes)
    FOCAL_POINT = "focal-point"  # a national focal point's answer to one registration
    EXPERT = "expert"  # an expert's own page on the roster
    INVITATION = "invitation"  # an expert's answer to one invitation
    DRAFT = "draft"  # a saved draft of the form: to continue it, and to send it
    UPLOAD = "upload"  # the files attached to one form (or draft): to add, list and remove
    UPLOADED = "uploaded"  # one presigned upload to confirm: its holder, slot and key


class Holder(StrEnum):
    """Who a review link was mailed to: the member, or the member's delegate."""

    MEMBER = "member"
    DELEGATE = "delegate"


class ReviewLink(NamedTuple):
    """Who may vote on what: ids only.

    ``holder`` binds the link to who received it. A delegate's link also names the delegation
    it was sent under by its first day (``delegation_from``, YYYY-MM-DD: a date, not a person),
    so it stops voting when that delegation ends or is replaced. A token minted before links
    had a holder reads as a member's link.
    """

    request_id: str
    member_id: str
    round: int
    holder: Holder = Holder.MEMBER
    delegation_from: str = ""


def _serializer(purpose: Purpose) -> URLSafeTimedSerializer:
    return _serializer_for(signing_keys(), purpose)


@lru_cache(maxsize=16)
def _serializer_for(keys: tuple[str, ...], purpose: Purpose) -> URLSafeTimedSerializer:
    """One serializer per key list and purpose, built once (a rotation makes a new one)."""
    return URLSafeTimedSerializer(list(keys), salt=f"mieux.{purpose.value}")


# An evaluation is asked for when the activity is done: answers after two months say little.
EVALUATION_DAYS = 60


def max_age_days(review_days: int, status_days: int, draft_days: int = 30) -> dict[Purpose, int]:
    """How long each purpose's links live, in days (infra/keys.py retires a key only after the
    longest of them has expired): review links LINK_MAX_AGE_DAYS, status links as long as the
    request is kept (RETENTION_DAYS), a form's anti-forgery token a day, a draft's link as long
    as the draft is kept after the save that mailed it (DRAFT_DAYS), evaluation links
    EVALUATION_DAYS; a focal point's link and an invitation's as long as a review link, an
    expert's own page as long as a status link; a form's attachments token as long as a draft,
    an upload's confirmation a day."""
    return {
        Purpose.REVIEW: review_days,
        Purpose.STATUS: status_days,
        Purpose.CSRF: 1,
        Purpose.EVALUATION: EVALUATION_DAYS,
        Purpose.EVALUATION_ROOM: EVALUATION_DAYS,
        Purpose.STAFF_CHALLENGE: 1,
        Purpose.FOCAL_POINT: review_days,
        Purpose.EXPERT: status_days,
        Purpose.INVITATION: review_days,
        Purpose.DRAFT: draft_days,
        Purpose.UPLOAD: draft_days,
        Purpose.UPLOADED: 1,
    }


def _max_age(purpose: Purpose) -> int:
    settings = get_settings()
    ages = max_age_days(settings.link_max_age_days, settings.retention_days, settings.draft_days)
    return ages[purpose] * 86400


def mint(purpose: Purpose, payload: dict[str, Any]) -> str:
    """A token for ``payload`` (ids only), signed with the newest key."""
    return str(_serializer(purpose).dumps(payload))


def read(purpose: Purpose, token: str, max_age: int | None = None) -> dict[str, Any]:
    """The payload of a valid token for ``purpose``; raises a :class:`LinkError` otherwise."""
    try:
        payload = _serializer(purpose).loads(token, max_age=max_age or _max_age(purpose))
    except SignatureExpired as error:
        raise LinkExpired("this link has expired") from error
    except BadSignature as error:
        if _signed_for_another_purpose(purpose, token):
            raise LinkWrongPurpose("this link is not meant for this page") from error
        raise LinkError("this link is not valid") from error
    if not isinstance(payload, dict):
        raise LinkError("this link is not valid")
    return payload


def _signed_for_another_purpose(purpose: Purpose, token: str) -> bool:
    for other in Purpose:
        if other is purpose:
            continue
        try:
            _serializer(other).loads(token)
        except BadSignature:
            continue
        return True
    return False


def review_token(link: ReviewLink) -> str:
    """The token of a committee member's (or their delegate's) review link for one round."""
    payload: dict[str, Any] = {"r": link.request_id, "m": link.member_id, "n": link.round}
    if link.holder is Holder.DELEGATE:
        payload["d"] = link.delegation_from
    return mint(Purpose.REVIEW, payload)


def read_review_token(token: str) -> ReviewLink:
    """The review link a token grants, or a :class:`LinkError`."""
    payload = read(Purpose.REVIEW, token)
    try:
        link = ReviewLink(str(payload["r"]), str(payload["m"]), int(payload["n"]))
        if "d" in payload:
            return link._replace(holder=Holder.DELEGATE, delegation_from=str(payload["d"]))
        return link
    except (KeyError, TypeError, ValueError) as error:
        raise LinkError("this link is not valid") from error


def status_token(request_id: str) -> str:
    """The token of the partner's status page for a request."""
    return mint(Purpose.STATUS, {"r": request_id})


def read_status_token(token: str, request_id: str) -> None:
    """Accept a status token only for the request it was minted for."""
    payload = read(Purpose.STATUS, token)
    if payload.get("r") != request_id:
        raise LinkWrongPurpose("this link is for another request")


def status_url(request_id: str, language: str | None = None) -> str:
    """The absolute link to the partner's status page, from the configured base URL; with a
    ``language``, the page opens in it (an email's link opens the page in the email's language)."""
    query = f"?token={status_token(request_id)}" + (f"&lang={language}" if language else "")
    return get_settings().public_url(f"/requests/{request_id}{query}")


class EvaluationLink(NamedTuple):
    """Who may evaluate which activity: ids only. ``respondent`` is ``host`` or
    ``expert:<id>`` for a personal link, "" for the activity's shared (anonymous) link."""

    request_id: str
    activity: int
    respondent: str = ""

    @property
    def shared(self) -> bool:
        """True for the participants' link: anonymous answers, a cap per activity."""
        return not self.respondent


def evaluation_token(link: EvaluationLink) -> str:
    """The token of a personal evaluation link, or of an activity's shared one."""
    if link.shared:
        return mint(Purpose.EVALUATION_ROOM, {"r": link.request_id, "a": link.activity})
    return mint(
        Purpose.EVALUATION, {"r": link.request_id, "a": link.activity, "w": link.respondent}
    )


def read_evaluation_token(token: str, shared: bool) -> EvaluationLink:
    """The evaluation link a token grants (a personal one, or with ``shared`` the activity's
    shared one: the two never stand for each other), or a :class:`LinkError`."""
    payload = read(Purpose.EVALUATION_ROOM if shared else Purpose.EVALUATION, token)
    try:
        activity = int(payload["a"])
        respondent = "" if shared else str(payload["w"])
        link = EvaluationLink(str(payload["r"]), activity, respondent)
    except (KeyError, TypeError, ValueError) as error:
        raise LinkError("this link is not valid") from error
    if activity < 1 or (not shared and not respondent):
        raise LinkError("this link is not valid")
    return link


def evaluation_url(link: EvaluationLink, language: str | None = None) -> str:
    """The absolute link to an evaluation form (``/evaluate/...``; the shared one under
    ``/evaluate/room/...``), from the configured base URL."""
    where = "/evaluate/room/" if link.shared else "/evaluate/"
    query = f"?lang={language}" if language else ""
    return get_settings().public_url(f"{where}{evaluation_token(link)}{query}")


class FocalLink(NamedTuple):
    """A focal point's link to one registration: ids only (the member state is the focal
    point's, part of its key)."""

    expert_id: str
    member_state: str
    focal_id: str


def focal_token(link: FocalLink) -> str:
    """The token of a focal point's link to answer one registration."""
    return mint(
        Purpose.FOCAL_POINT, {"e": link.expert_id, "s": link.member_state, "f": link.focal_id}
    )


def read_focal_token(token: str) -> FocalLink:
    """The registration and focal point a token names, or a :class:`LinkError`."""
    payload = read(Purpose.FOCAL_POINT, token)
    try:
        return FocalLink(str(payload["e"]), str(payload["s"]), str(payload["f"]))
    except (KeyError, TypeError) as error:
        raise LinkError("this link is not valid") from error


def expert_token(expert_id: str) -> str:
    """The token of an expert's own page."""
    return mint(Purpose.EXPERT, {"e": expert_id})


def read_expert_token(token: str) -> str:
    """The expert a page token names, or a :class:`LinkError`."""
    payload = read(Purpose.EXPERT, token)
    if not isinstance(payload.get("e"), str):
        raise LinkError("this link is not valid")
    return str(payload["e"])


class InvitationLink(NamedTuple):
    """An expert's link to answer one invitation: ids only."""

    request_id: str
    activity: int
    expert_id: str


def invitation_token(link: InvitationLink) -> str:
    """The token of an expert's link to answer one invitation."""
    return mint(Purpose.INVITATION, {"r": link.request_id, "a": link.activity, "e": link.expert_id})


def read_invitation_token(token: str) -> InvitationLink:
    """The invitation a token names, or a :class:`LinkError`."""
    payload = read(Purpose.INVITATION, token)
    try:
        return InvitationLink(str(payload["r"]), int(payload["a"]), str(payload["e"]))
    except (KeyError, TypeError, ValueError) as error:
        raise LinkError("this link is not valid") from error


def draft_token(draft_id: str) -> str:
    """The token that continues (and sends) one saved draft: its id only."""
    return mint(Purpose.DRAFT, {"d": draft_id})


def read_draft_token(token: str) -> str:
    """The draft id a draft token names, or a :class:`LinkError` (expired, forged, another
    purpose's)."""
    payload = read(Purpose.DRAFT, token)
    draft_id = payload.get("d")
    if not isinstance(draft_id, str) or not draft_id:
        raise LinkError("this link is not valid")
    return draft_id


def draft_url(draft_id: str, language: str) -> str:
    """The absolute link that opens a saved draft in the form, in the draft's language."""
    return get_settings().public_url(
        f"/drafts/{draft_id}?token={draft_token(draft_id)}&lang={language}"
    )


def upload_token(holder_id: str) -> str:
    """The token a form carries for its attachments: the id they are kept under (the draft's
    id once the form is saved), ids only."""
    return mint(Purpose.UPLOAD, {"u": holder_id})


def read_upload_token(token: str) -> str:
    """The holder id an attachments token names, or a :class:`LinkError`."""
    holder = read(Purpose.UPLOAD, token).get("u")
    if not isinstance(holder, str) or not holder:
        raise LinkError("this link is not valid")
    return holder


def uploaded_token(holder_id: str, slot: str, key: str) -> str:
    """The token that confirms one presigned upload: whose, which slot, which object."""
    return mint(Purpose.UPLOADED, {"u": holder_id, "s": slot, "k": key})


def read_uploaded_token(token: str) -> tuple[str, str, str]:
    """(holder id, slot, key) of an upload's confirmation token, or a :class:`LinkError`."""
    payload = read(Purpose.UPLOADED, token)
    values = (payload.get("u"), payload.get("s"), payload.get("k"))
    if not all(isinstance(value, str) and value for value in values):
        raise LinkError("this link is not valid")
    return values  # type: ignore[return-value]
