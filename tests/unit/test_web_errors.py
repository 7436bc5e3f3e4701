"""The one mapping of domain errors to HTTP (functions/web/errors.py), and that it is the only one:
every error class has an answer, the JSON shape is the README's, and no module outside
functions/web knows an HTTP status."""

from __future__ import annotations

import ast
import importlib
import json
import pkgutil
from pathlib import Path
from typing import TypeGuard

import pytest

import functions
from functions.domain import errors
from functions.domain.errors import DomainError, FieldError
from functions.web.errors import ANSWERS, answer_for, error_page, json_error, status_of

ROOT = Path(__file__).resolve().parents[2]


def every_module() -> None:
    """Import every module of the app, so that subclasses defined outside domain/errors.py
    (``secrets.MissingSigningKey``) are walked too."""
    for module in pkgutil.walk_packages(functions.__path__, "functions."):
        importlib.import_module(module.name)


def subclasses(cls: type[DomainError]) -> list[type[DomainError]]:
    found = []
    for sub in cls.__subclasses__():
        found += [sub, *subclasses(sub)]
    return found


def example(cls: type[DomainError]) -> DomainError:
    """An instance of ``cls``, whatever its constructor asks for."""
    if issubclass(cls, errors.InvalidRequest):
        return cls([FieldError("/contact/email", "pattern")])
    if issubclass(cls, errors.RateLimited):
        return cls(120)
    if issubclass(cls, errors.TransitionNotAllowed):
        return cls("approved", "withdrawn")
    return cls()


def test_every_domain_error_has_an_answer() -> None:
    every_module()
    classes = subclasses(DomainError)
    assert len(classes) >= 20  # the walk found the taxonomy, not an empty list
    missing = []
    for cls in classes:
        try:
            answer_for(cls)
        except LookupError:
            missing.append(cls.__name__)
    assert missing == []


def test_a_family_without_a_line_has_no_answer() -> None:
    class Stray(DomainError):
        pass

    with pytest.raises(LookupError, match="Stray"):
        answer_for(Stray)


def test_a_subclass_answers_like_its_family() -> None:
    class Stale(errors.LinkExpired):
        pass

    assert answer_for(Stale) == ANSWERS[errors.LinkExpired]
    from functions.adapters.secrets import MissingSigningKey

    assert status_of(MissingSigningKey("no key")) == 503


# The README's "API" tables and docs/architecture.md: what each error is answered with.
STATUSES = {
    errors.InvalidRequest: (422, "bad_form"),
    errors.MalformedJson: (400, "bad_form"),
    errors.BadEncoding: (400, "bad_form"),
    errors.BodyTooLarge: (413, "bad_form"),
    errors.UnsupportedMediaType: (415, "bad_form"),
    errors.LinkError: (400, "invalid"),
    errors.LinkExpired: (410, "expired"),
    errors.LinkWrongPurpose: (403, "wrong_purpose"),
    errors.Forbidden: (403, "forbidden"),
    errors.NotAVoter: (403, "not_a_voter"),
    errors.RateLimited: (429, "rate_limited"),
    errors.NotFound: (404, "not_found"),
    errors.SubmissionConflict: (409, "already_sent"),
    errors.AlreadyVoted: (409, "already_voted"),
    errors.RoundClosed: (409, "already_sent"),
    errors.AlreadySent: (409, "already_sent"),
    errors.TransitionNotAllowed: (409, "already_sent"),
    errors.Unavailable: (503, "unavailable"),
}


@pytest.mark.parametrize("cls", list(STATUSES), ids=lambda cls: cls.__name__)
def test_each_error_keeps_its_status_and_page(cls: type[DomainError]) -> None:
    answer = answer_for(cls)
    assert (answer.status, answer.page) == STATUSES[cls]


@pytest.mark.parametrize("cls", list(STATUSES), ids=lambda cls: cls.__name__)
def test_the_json_answer_has_the_readme_shape(cls: type[DomainError]) -> None:
    error = example(cls)
    answer = json_error(error)
    assert answer.status_code == STATUSES[cls][0]
    body = json.loads(answer.body)
    assert list(body) == ["errors"] and len(body["errors"]) == 1
    [entry] = body["errors"]
    assert set(entry) == {"path", "code", "message"}
    assert entry["code"] == ("pattern" if cls is errors.InvalidRequest else cls.code)
    assert entry["message"] and isinstance(entry["message"], str)
    content_type = answer.headers["Content-Type"]
    assert isinstance(content_type, str) and content_type.startswith("application/json")
    assert answer.headers["Cache-Control"] == "no-store"


def test_a_field_error_keeps_its_limits_and_a_refused_body_says_why() -> None:
    limited = errors.InvalidRequest([FieldError("/request/title", "too_short", {"limit": 5})])
    [entry] = json.loads(json_error(limited).body)["errors"]
    assert entry["path"] == "/request/title" and entry["params"] == {"limit": 5}
    [entry] = json.loads(json_error(errors.BodyTooLarge("at most 64 KiB")).body)["errors"]
    assert entry == {"path": "", "code": "too_large", "message": "at most 64 KiB"}
    [entry] = json.loads(json_error(errors.SubmissionConflict("other")).body)["errors"]
    assert entry["path"] == "/submission_id" and entry["code"] == "submission_conflict"


def test_retry_after_when_trying_again_can_help() -> None:
    assert json_error(errors.Unavailable()).headers["Retry-After"] == "30"
    assert json_error(errors.RateLimited(90)).headers["Retry-After"] == "90"
    assert "Retry-After" not in json_error(errors.NotFound()).headers
    page = error_page(errors.RateLimited(90), "fr")
    assert page.status_code == 429 and page.headers["Retry-After"] == "90"
    assert 'lang="fr"' in page.body
    assert error_page(errors.Unavailable(), "ar").headers["Retry-After"] == "30"


# --- no HTTP status outside functions/web ---

OUTSIDE_WEB = sorted(
    path
    for path in (ROOT / "functions").rglob("*.py")
    if (ROOT / "functions" / "web") not in path.parents
)


def _is_status(node: ast.AST) -> TypeGuard[ast.Constant]:
    return isinstance(node, ast.Constant) and type(node.value) is int and 400 <= node.value <= 599


def _name(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def http_statuses(source: str) -> list[str]:
    """Where ``source`` gives an error an HTTP status: a 4xx/5xx number assigned to a name with
    "status" in it, set in the body of an exception class, or passed to an exception."""
    found = []
    tree = ast.parse(source)
    classes = [node for node in ast.walk(tree) if isinstance(node, ast.ClassDef)]
    # Exceptions: the taxonomy, what is named like one, and (until nothing changes) their children.
    exceptions = {"DomainError", *(cls.__name__ for cls in subclasses(DomainError))}
    while True:
        more = {
            node.name
            for node in classes
            if any(
                _name(base) in exceptions or _name(base).endswith(("Error", "Exception"))
                for base in node.bases
            )
        }
        if more <= exceptions:
            break
        exceptions |= more
    for node in ast.walk(tree):
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            named = any("status" in _name(t).lower() for t in targets)
            if named and node.value is not None and _is_status(node.value):
                found.append(f"line {node.lineno}: a status assigned")
        if isinstance(node, ast.ClassDef) and node.name in exceptions:
            for child in ast.walk(node):
                if _is_status(child):
                    found.append(f"line {child.lineno}: a status in {node.name}")
        if isinstance(node, ast.Call):
            callee = _name(node.func)
            raised = callee in exceptions or callee.endswith(("Error", "Exception"))
            arguments = [*node.args, *(k.value for k in node.keywords)]
            if raised and any(_is_status(a) for a in arguments):
                found.append(f"line {node.lineno}: a status given to {callee}")
    return found


@pytest.mark.parametrize(
    "source",
    [
        "class Gone(DomainError):\n    status = 410\n",
        "class Refused(Exception):\n    def __init__(self):\n        self.http_status = 403\n",
        "class VoteError(Exception):\n    STATUS_CODE: int = 409\n",
        "def f():\n    raise VoteError('not_a_voter', 403)\n",
        "def f():\n    raise ServiceError(code='x', status=503)\n",
        "class Gone(NotFound):\n    http = 410\n",
        "class A(ValueError):\n    pass\nclass B(A):\n    answer = 422\n",
    ],
)
def test_the_check_finds_a_status_given_to_an_error(source: str) -> None:
    assert http_statuses(source)


def test_the_check_leaves_other_numbers_alone() -> None:
    source = "MAX_FIELDS = 500\nlimit = 450\nclass A(Exception):\n    code = 'x'\n"
    assert http_statuses(source) == []


def test_no_module_outside_web_knows_an_http_status() -> None:
    assert len(OUTSIDE_WEB) > 30
    found = {
        str(path.relative_to(ROOT)): where
        for path in OUTSIDE_WEB
        if (where := http_statuses(path.read_text(encoding="utf-8")))
    }
    assert found == {}, "map errors onto statuses in functions/web/errors.py only"
