"""Human messages for validation error codes, in plain English, ready for translation.

Messages are built from the code and the field's title in the schema, never from jsonschema's own
English. Each template is wrapped in ``N_`` so that ``pybabel extract`` finds it; pages translate
the template and the title with the partner's language before formatting.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from functions.domain.errors import FieldError
from functions.domain.words import N_

TEMPLATES: dict[str, str] = {
    "required": N_("Enter or choose: {label}"),
    "type": N_("{label} has the wrong kind of value"),
    "enum": N_("Choose {label} from the list"),
    "const": N_("{label}: this value is not allowed"),
    "too_short": N_("{label} must be at least {limit} characters long"),
    "too_long": N_("{label} must be {limit} characters or fewer"),
    "pattern": N_("{label} is not in the expected format"),
    "format": N_("{label} is not in the expected format"),
    # Lone surrogates: the text could not be stored or mailed faithfully. The generic words.
    "invalid_character": N_("{label} is not valid"),
    # The text rule (functions/domain/text.py): control characters anywhere, line breaks in a
    # field of one line.
    "control_character": N_(
        "{label} contains an invisible control character: remove it or type the text again"
    ),
    "line_break": N_("{label} must be on one line: remove the line breaks"),
    "too_few": N_("Choose at least {limit}: {label}"),
    "too_many": N_("Choose no more than {limit}: {label}"),
    "duplicate": N_("{label} lists the same choice twice"),
    "too_small": N_("{label} must be {limit} or more"),
    "too_large": N_("{label} must be {limit} or less"),
    "unknown_field": N_("{label} is not a field of this form"),
    "too_many_fields": N_("{label} has more fields than this form has ({limit})"),
    "not_allowed": N_("{label} does not apply to this type of institution"),
    "consent_required": N_("You must agree to the processing of personal data to send a request"),
    "address_unchangeable": N_(
        "Your email address cannot be changed here: to use another address, leave the roster"
        " and register again with it"
    ),
    "roster_consent_required": N_(
        "You must agree to the processing of personal data to join the roster"
    ),
    # The workspace's administration forms (committee, focal points).
    "identifier": N_("{label} may hold only lower-case letters, digits and hyphens"),
    "taken": N_("{label} is already used: choose another"),
    "last_voter": N_(
        "The committee needs at least one voting member: {label} cannot be observer here"
    ),
    "no_member": N_("Choose {label} from the list: there is no such member"),
    "before_start": N_("{label} must not be before the start of the period"),
    # An activity's outcome (functions/domain/outcome.py): the numbers against each other.
    "participants_mismatch": N_(
        "{label}: the numbers must add up to the participants by sex (women, men, other)"
    ),
    "listed_twice": N_("{label}: this deliverable is listed twice"),
    # An Action's own first and last day (domain/validation.py validate_action).
    "after_first_activity": N_("{label} must not be after the first activity starts ({date})"),
    "before_last_activity": N_("{label} must not be before the last activity ends ({date})"),
    "not_eligible": N_("This country is not eligible for MIEUX assistance"),
    "region_mismatch": N_("This regional organisation belongs to another region"),
    "topic_mismatch": N_("This topic does not belong to the chosen thematic area"),
    # Attached files (issue 20): said at the file's own field, so no label.
    "executable": N_(
        "This file is a program, not a document: attach a PDF, an office document or an image"
    ),
    "file_type": N_(
        "This type of file cannot be attached: attach a PDF, a Word, Excel, PowerPoint or"
        " OpenDocument file, or a PNG or JPEG image"
    ),
    "file_too_large": N_("This file is larger than {limit} MB: attach a smaller file"),
    "empty": N_("This file is empty: choose the file again"),
    "missing": N_("The file did not arrive: choose it and send it again"),
    "slot": N_("There is no such place for a file in this form"),
    "draft_email": N_(
        "Enter your email address to save the form: we send the link to continue there"
    ),
}

Translate = Callable[[str], str]


def _identity(text: str) -> str:
    return text


def message_for(
    error: FieldError,
    label_of: Callable[[str], str],
    translate: Translate = _identity,
) -> str:
    """The message for one error; ``label_of`` gives the (translated) title of the field."""
    template = translate(TEMPLATES.get(error.code, N_("{label} is not valid")))
    values: dict[str, Any] = {"label": label_of(error.path), **error.params}
    try:
        return template.format(**values)
    except (KeyError, IndexError):
        return template
