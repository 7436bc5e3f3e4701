"""The hosted form: ``GET /``, its static files, and the HTML answers to a form's POST.

The page is built from the request schema (``presentation.formspec``); a browser that posts
the form gets a page back (the form again with every error, or the confirmation), while API
clients keep their JSON answers from ``functions.web.intake``. The form works without
JavaScript; ``/static/app.js`` only shows the same messages before sending and hides the parts
that do not apply.
"""

from __future__ import annotations

import unicodedata
import uuid
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import urlencode

from chalice.app import Blueprint, Request, Response

from functions.adapters import links
from functions.domain.errors import DomainError, FieldError, InvalidRequest, NotFound, Unavailable
from functions.domain.reference import country_names, language_names, reference_data
from functions.domain.validation import field_title
from functions.presentation.formdata import HONEYPOT, FormRequest, request_from_form
from functions.presentation.i18n import gettext_for
from functions.presentation.messages import message_for
from functions.runtime import metrics
from functions.services import drafts as drafts_service
from functions.services import intake as intake_service
from functions.web import csrf
from functions.web.errors import error_page
from functions.web.headers import static_headers
from functions.web.inputs import query_token
from functions.web.pages import here_of, language_of, page

if TYPE_CHECKING:
    from functions.presentation.formspec import Field, FormSpec, Group

# functions.presentation.formspec (the form built from the schema) is imported by the functions that
# build or read the form, not here: the API Lambda's cold start, whose first request is most
# often a JSON submission, need not pay for it.

form = Blueprint(__name__)

FORM_SCOPE = "request-form"  # the anti-forgery token of the request form (functions/web/csrf.py)
EXPERT_FORM_SCOPE = "expert-form"  # the roster's registration form's


class FormKind(NamedTuple):
    """One of the generated public forms: its schema, where it posts, its anti-forgery scope."""

    name: str  # the template's switch for the few texts that differ (lead, button)
    schema: str
    action: str
    scope: str
    language_field: str  # the field that takes the page's language as its first answer


REQUEST_FORM = FormKind(
    "request", "request.schema.json", "/requests", FORM_SCOPE, "contact.preferred_language"
)
EXPERT_FORM = FormKind(
    "expert", "expert.schema.json", "/experts", EXPERT_FORM_SCOPE, "expert.preferred_language"
)
# "Save and continue later": the second submit button's name and value, and the hidden field
# that carries a continued draft's signed token (form plumbing: ``_`` fields are not answers).
ACTION_FIELD = "_action"
SAVE = "save"
DRAFT_FIELD = "_draft"
# The signed token of the form's attached files (issue 20): the id they are kept under.
ATTACHMENTS_FIELD = "_attachments"
STATIC_TYPES = {"app.css": "text/css; charset=utf-8", "app.js": "text/javascript; charset=utf-8"}
Translate = Callable[[str], str]


# --- the form as the template sees it --------------------------------------------------------


def field_id(name: str) -> str:
    """The HTML id of a field (the first option's id, for radios and checkboxes)."""
    return "f-" + name.replace(".", "-").replace("_", "-")


def _sort_key(label: str) -> str:
    decomposed = unicodedata.normalize("NFKD", label.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _options(spec: Field, language: str, _: Translate) -> list[dict[str, str]]:
    group_labels = reference_data().pillars if spec.grouped_by else {}
    if spec.reference in ("countries", "member_states", "spoken_languages"):
        # Names from CLDR in the page's language, in its alphabetical order.
        names = (
            language_names(language)
            if spec.reference == "spoken_languages"
            else country_names(language)
        )
        choices = [(o.value, names.get(o.value, o.label), "") for o in spec.options]
        choices.sort(key=lambda c: _sort_key(c[1]))
    elif spec.widget == "yesno":
        choices = [("true", _("Yes"), ""), ("false", _("No"), "")]
    else:
        choices = [(o.value, _(o.label), o.group) for o in spec.options]
    base = field_id(spec.name)
    return [
        {
            "value": v,
            "label": label,
            "group": group,
            "group_label": _(group_labels[group]) if group in group_labels else "",
            "id": base if i == 0 else f"{base}-{i}",
        }
        for i, (v, label, group) in enumerate(choices)
    ]


def _client_messages(spec: Field, label: str, _: Translate) -> dict[str, str]:
    """The messages the browser script may show for this field, by error code."""
    codes = ["required"] if spec.required else []
    checks = {
        "too_short": spec.min_length,
        "too_long": spec.max_length,
        "too_small": spec.minimum,
        "too_large": spec.maximum,
        "too_few": spec.min_items if spec.widget == "checkboxes" else None,
        "too_many": spec.max_items if spec.widget == "checkboxes" else None,
        "pattern": spec.pattern,
    }
    codes += [code for code, limit in checks.items() if limit is not None]
    if spec.input_type == "number":
        codes.append("type")
    if spec.widget == "checkbox":
        codes = [spec.consent_code]
    messages = {}
    for code in codes:
        limit = checks.get(code)
        params = {"limit": limit} if isinstance(limit, int) else {}
        messages[code] = message_for(FieldError(spec.path, code, params), lambda _p: label, _)
    return messages


def _field_view(
    spec: Field, language: str, values: Mapping[str, list[str]], errors: dict[str, str]
) -> dict[str, Any]:
    _ = gettext_for(language)
    label = _(spec.title)
    submitted = values.get(spec.name, [])
    return {
        "spec": spec,
        "id": field_id(spec.name),
        "label": label,
        "hint": _(spec.hint) if spec.hint else "",
        "value": submitted[-1] if submitted else "",
        "chosen": submitted,
        "error": errors.get(spec.name, ""),
        "options": _options(spec, language, _),
        "show_if": " ".join(f"{name}={','.join(v)}" for name, v in spec.show_if),
        "messages": _client_messages(spec, label, _),
    }


def _group_view(
    group: Group, language: str, values: Mapping[str, list[str]], errors: dict[str, str]
) -> dict[str, Any]:
    _ = gettext_for(language)
    filled = [i for i in range(group.max_items) if any(values.get(f.name) for f in group.at(i))]
    return {
        "group": True,
        "spec": group,
        "id": field_id(group.name),
        "label": _(group.title),
        "hint": _(group.hint) if group.hint else "",
        "error": errors.get(group.name, ""),
        "show_if": " ".join(f"{name}={','.join(v)}" for name, v in group.show_if),
        # Without answers, as many entries as the group needs (an Action's six activities).
        "shown": max([1, group.min_items, *[i + 1 for i in filled]]),
        "entries": [
            [_field_view(f, language, values, errors) for f in group.at(i)]
            for i in range(group.max_items)
        ],
    }


def _anchor(path: str, spec: FormSpec) -> str:
    """The form field a JSON pointer belongs to (``/request/topics/1`` -> ``request.topics``)."""
    from functions.presentation.formspec import Group

    parts = path.strip("/").split("/") if path.strip("/") else []
    names = {f.name for f in spec.fields()}
    groups = {i.name for s in spec.sections for i in s.items if isinstance(i, Group)}
    sections = {s.name: s for s in spec.sections}
    while parts:
        dotted = ".".join(parts)
        if dotted in names or dotted in groups:
            return dotted
        if dotted in sections and sections[dotted].items:
            first = sections[dotted].items[0]
            return first.name
        parts.pop()
    return ""


def error_views(
    errors: list[FieldError], spec: FormSpec, language: str, schema: str = REQUEST_FORM.schema
) -> tuple[dict[str, str], list[dict[str, str]]]:
    """Inline messages by field name, and the error summary's links, in the form's order."""
    from functions.presentation.formspec import Group

    _ = gettext_for(language)
    inline: dict[str, str] = {}
    summary: list[dict[str, str]] = []
    groups = {i.name: i for s in spec.sections for i in s.items if isinstance(i, Group)}
    for error in errors:
        text = message_for(error, lambda p: _(field_title(p, schema)), _)
        name = _anchor(error.path, spec)
        if name in inline:
            continue
        inline[name] = text
        target = groups[name].at(0)[0].name if name in groups else name
        summary.append({"href": "#" + field_id(target) if target else "#main", "text": text})
    return inline, summary


def sections_view(
    spec: FormSpec, language: str, values: Mapping[str, list[str]], inline: dict[str, str]
) -> list[dict[str, Any]]:
    """The sections of a generated form as pages/form.html shows them, answers and errors in."""
    from functions.presentation.formspec import Group

    _ = gettext_for(language)
    return [
        {
            "name": section.name,
            "title": _(section.title),
            "hint": _(section.hint) if section.hint else "",
            "items": [
                _group_view(item, language, values, inline)
                if isinstance(item, Group)
                else _field_view(item, language, values, inline)
                for item in section.items
            ],
        }
        for section in spec.sections
    ]


def form_page(
    request: Request,
    language: str,
    values: Mapping[str, list[str]] | None = None,
    errors: list[FieldError] | None = None,
    status: int = 200,
    spec: FormSpec | None = None,
    draft_token: str = "",
    here: str = "/",
    kind: FormKind = REQUEST_FORM,
    holder_token: str = "",
) -> Response:
    """The form, empty or with the person's answers and every error; with ``draft_token``, the
    form continues that saved draft (saving again updates it, sending deletes it). ``kind``:
    which generated form (the request's, the roster's). The request form's files are those
    ``holder_token`` holds (a continued draft's own, else a new holder)."""
    from functions.presentation.formspec import expert_form, request_form

    spec = spec or (expert_form() if kind is EXPERT_FORM else request_form())
    values = dict(values or {})
    values.setdefault("submission_id", [uuid.uuid4().hex])
    values.setdefault(kind.language_field, [language])
    inline, summary = error_views(errors or [], spec, language, kind.schema)
    token, cookie_headers = csrf.issue(request, kind.scope)
    sections = sections_view(spec, language, values, inline)
    hidden = [(f.name, (values.get(f.name) or [""])[-1]) for f in spec.hidden]
    if draft_token:
        hidden.append((DRAFT_FIELD, draft_token))
    with_files = kind.name == REQUEST_FORM.name  # the roster's form has no attachments
    attached: dict[str, Any] = {}
    if with_files:
        holder_token, attached = _attachments_of_form(draft_token, holder_token)
        hidden.append((ATTACHMENTS_FIELD, holder_token))
    return page(
        "form.html",
        language,
        status,
        title=spec.title,
        attachment_messages=_attachment_messages(language),
        sections=sections,
        hidden=[*hidden, (csrf.FIELD, token), ("_html", "1")],
        summary=summary,
        honeypot=HONEYPOT,
        continuing=bool(draft_token),
        attachments=_attachment_views(holder_token, attached, language) if with_files else [],
        here=here,
        form_kind=kind.name,
        action=kind.action,
        headers={**cookie_headers, "Content-Security-Policy": _form_policy()},
    )


def _form_policy() -> str:
    """The page policy, with the script's uploads allowed: to the app, and to the bucket."""
    from functions.adapters.files import bucket_origins
    from functions.web.headers import PAGE_POLICY

    return PAGE_POLICY.replace(
        "default-src 'none';",
        f"default-src 'none'; connect-src 'self' {' '.join(bucket_origins())};",
    )


def _attachment_messages(language: str) -> dict[str, str]:
    """What the script says of a refused or failed upload, by the JSON error's code."""
    _ = gettext_for(language)
    codes = ("executable", "file_type", "file_too_large", "empty", "missing", "slot")
    messages = {
        code: message_for(FieldError("/attachments", code, {"limit": 10}), lambda _p: "", _)
        for code in codes
    }
    messages["failed"] = _("The file could not be sent: try again, or use the link to attach it")
    messages["uploading"] = _("Sending the file…")
    messages["attached"] = _("Attached:")
    messages["size"] = _("%(size)s KB")
    return messages


def _attachments_of_form(draft_token: str, holder_token: str) -> tuple[str, dict[str, Any]]:
    """The form's attachments token and its files by slot: a continued draft's files are kept
    under the draft's id; a new form gets a new holder (and has no files: nothing is read)."""
    from functions.services import attachments as attachments_service

    if draft_token:
        try:
            holder_token = links.upload_token(links.read_draft_token(draft_token))
        except links.LinkError:
            holder_token = ""
    if holder_token:
        try:
            files = attachments_service.of_holder(holder_token)
        except links.LinkError:
            holder_token, files = "", []
        if holder_token:
            return holder_token, {f.slot: f for f in files}
    return attachments_service.new_holder(), {}


def _attachment_views(
    holder_token: str, attached: dict[str, Any], language: str
) -> list[dict[str, Any]]:
    from functions.domain.attachments import SLOTS
    from functions.web.attachments import slot_title

    views = []
    for slot in SLOTS:
        found = attached.get(slot)
        views.append(
            {
                "slot": slot,
                "id": f"f-attachment-{slot}",
                "title": slot_title(slot, language),
                "file_name": found.file_name if found else "",
                "size_kb": max(1, found.size // 1024) if found else 0,
                "upload_url": f"/attachments/upload/{slot}?"
                + urlencode({"holder": holder_token, "lang": language}),
            }
        )
    return views


# --- routes ---------------------------------------------------------------------------------


@form.route("/", methods=["GET"])
def request_form_page() -> Response:
    """The hosted form, in the reader's language."""
    request = form.current_request
    return form_page(request, language_of(request))


@form.route("/drafts/{draft_id}", methods=["GET"])
def continue_draft(draft_id: str) -> Response:
    """A saved draft's link: the form with every answer back in it. Shows, never changes (mail
    scanners follow links): only the form's buttons save or send."""
    request = form.current_request
    language = language_of(request)
    token = query_token(request)
    here = here_of(request)  # the language switcher keeps the link's token
    try:
        draft = drafts_service.restore(draft_id, token)
    except DomainError as error:
        return error_page(error, language, here=here)
    return form_page(request, language, draft.values, draft_token=token, here=here)


@form.route("/static/{name}", methods=["GET"])
def static_file(name: str) -> Response:
    """The app's own CSS and script (no CDN); versioned URLs, so cached for a year."""
    if name not in STATIC_TYPES:
        return error_page(NotFound(name), language_of(form.current_request))
    # Here, not at import: presentation.render imports Jinja2, which the API Lambda's cold start
    # should not pay for before it renders anything.
    from functions.presentation.render import STATIC_DIR

    return Response(
        body=(STATIC_DIR / name).read_text(encoding="utf-8"),
        status_code=200,
        headers=dict(static_headers(STATIC_TYPES[name])),
    )


def check_form_token(
    request: Request, fields: Mapping[str, list[str]], scope: str = FORM_SCOPE
) -> None:
    """Raise :class:`Forbidden` unless the post brings the form's anti-forgery token (every
    form-encoded POST, whatever it asks for: a page elsewhere can post a form, not read ours)."""
    csrf.verify(request, scope, (fields.get(csrf.FIELD) or [""])[-1])


def answer_form_post(request: Request, fields: dict[str, list[str]]) -> Response:
    """The page a browser gets after posting the form: the confirmation, the form again with
    every error, or the shared error page (in the form's language, whatever went wrong)."""
    language = language_of(request)
    draft_token = (fields.get(DRAFT_FIELD) or [""])[-1]
    holder_token = (fields.get(ATTACHMENTS_FIELD) or [""])[-1]
    try:
        check_form_token(request, fields)
        posted = request_from_form(fields)
        if posted.trapped:
            return _confirmation(intake_service.decoy_submission(posted.document), language)
        if (fields.get(ACTION_FIELD) or [""])[-1] == SAVE:
            return _save_draft(
                request, language, posted.values, posted.document, draft_token, holder_token
            )
        try:
            result = intake_service.submit(posted.document)
        except InvalidRequest as error:
            metrics.emit("RequestsRefused", code=error.code)
            return form_page(
                request,
                language,
                posted.values,
                error.errors,
                422,
                None,
                draft_token,
                holder_token=holder_token,
            )
        if result.created and holder_token:
            from functions.services import attachments as attachments_service

            attachments_service.attach_to_request(holder_token, result.id)
        if draft_token and result.created:
            drafts_service.discard(draft_token)
    except DomainError as error:
        if not isinstance(error, Unavailable):  # a failure of ours, not a refusal
            metrics.emit("RequestsRefused", code=error.code)
        return error_page(error, language)
    return _confirmation(result, language)


def answer_posted_form(
    request: Request,
    fields: dict[str, list[str]],
    kind: FormKind,
    from_form: Callable[[Mapping[str, list[str]]], FormRequest],
    submit: Callable[[Any], Any],
    decoy: Callable[[], Any],
    confirmation: Callable[[Any, str], Response],
) -> Response:
    """The page a browser gets after posting a generated form without drafts (the roster's):
    the anti-forgery token checked, the honeypot answered with a decoy, the form again with
    every error (422), or the confirmation. The request form's own (drafts, metrics) is
    :func:`answer_form_post`."""
    language = language_of(request)
    try:
        check_form_token(request, fields, kind.scope)
        posted = from_form(fields)
        if posted.trapped:
            return confirmation(decoy(), language)
        try:
            result = submit(posted.document)
        except InvalidRequest as error:
            return form_page(request, language, posted.values, error.errors, 422, kind=kind)
    except DomainError as error:
        return error_page(error, language)
    return confirmation(result, language)


def _save_draft(
    request: Request,
    language: str,
    values: dict[str, list[str]],
    document: dict[str, Any],
    draft_token: str,
    holder_token: str = "",
) -> Response:
    """The page after "Save and continue later": where the link went, or the form again with
    the errors of what was answered (nothing saved). A new draft takes the id its files are
    kept under, so that it keeps them."""
    try:
        holder = links.read_upload_token(holder_token) if holder_token else None
    except links.LinkError:
        holder = None
    try:
        saved = drafts_service.save(values, document, language, draft_token or None, holder)
    except InvalidRequest as error:
        return form_page(
            request,
            language,
            values,
            error.errors,
            422,
            None,
            draft_token,
            holder_token=holder_token,
        )
    return page(
        "draft_saved.html",
        language,
        200,
        email=saved.email,
        expires_on=saved.expires_on,
        continue_url=f"/drafts/{saved.draft_id}?"
        + urlencode({"token": saved.token, "lang": language}),
    )


def _confirmation(result: intake_service.Submitted, language: str) -> Response:
    return page(
        "confirmation.html",
        language,
        201,
        reference=result.reference,
        status_url=result.status_url,
    )
