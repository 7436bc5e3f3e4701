"""The words of every email: a subject line per kind and two templates (text and HTML) per kind."""

from __future__ import annotations

from typing import Any

from functions.domain.mail import MailKind
from functions.domain.words import N_
from functions.presentation.i18n import translations
from functions.presentation.render import isolated, ltr_isolated, render

SUBJECTS: dict[MailKind, str] = {
    MailKind.RECEIPT: N_("We have received your request {reference}"),
    MailKind.REVIEW_REQUEST: N_("Please review request {reference}: {title}"),
    MailKind.DECISION_PARTNER: N_("Decision on your request {reference}"),
    MailKind.DECISION_OFFICER: N_("Request {reference} has been decided: {outcome}"),
    MailKind.DECISION_COMMITTEE: N_("Request {reference} has been decided: {outcome}"),
    MailKind.INFORMATION_REQUESTED: N_("More information is needed on your request {reference}"),
    MailKind.WITHDRAWN: N_("Request {reference} has been withdrawn"),
    MailKind.REMINDER: N_("Reminder: please review request {reference}: {title}"),
    MailKind.ESCALATION: N_("Request {reference} is still waiting for the committee's decision"),
    MailKind.STILL_UNDER_REVIEW: N_("Your request {reference} is still under review"),
    MailKind.INFORMATION_EXPIRED: N_("Request {reference} has been closed"),
    MailKind.ACTION_PUBLISHED: N_("The Action for your request {reference} is ready"),
    MailKind.ACTIVITY_CHANGED: N_(
        "An activity of the Action for your request {reference} has changed"
    ),
    MailKind.PARTNER_UNREACHABLE: N_("We cannot email the contact person of request {reference}"),
    MailKind.EVALUATION_HOST: N_(
        "How did the activity go? A short evaluation for request {reference}"
    ),
    MailKind.EXPERT_RECEIPT: N_("We have received your registration to the MIEUX Expert Roster"),
    MailKind.FOCAL_REQUEST: N_("Please confirm a registration to the MIEUX Expert Roster: {name}"),
    MailKind.EXPERT_DECIDED: N_("Your registration to the MIEUX Expert Roster"),
    MailKind.INVITATION: N_("Invitation to a MIEUX activity: {activity}"),
    MailKind.INVITATION_REMINDER: N_("Reminder: invitation to a MIEUX activity: {activity}"),
    MailKind.EVALUATION_EXPERT: N_("How did the activity go? A short evaluation: {activity}"),
    MailKind.INVITATION_FREED: N_("A place is free in an activity of request {reference}"),
    MailKind.DRAFT_SAVED: N_("Your MIEUX request form is saved: continue when you are ready"),
    MailKind.DRAFT_EXPIRING: N_("Your saved MIEUX request form will soon be deleted"),
}

OUTCOMES: dict[str, str] = {
    "approved": N_("approved"),
    "rejected": N_("rejected"),
    "information_requested": N_("more information requested"),
    "withdrawn": N_("withdrawn"),
    "closed": N_("closed"),
}


def compose(kind: MailKind, language: str, context: dict[str, Any]) -> tuple[str, str, str]:
    """Subject, plain text and HTML of one email in ``language``."""
    translate = translations(language).gettext
    # A roster email has no request, so no status ("" would translate to the catalog header).
    status = context["status"]
    outcome = translate(OUTCOMES.get(status, status)) if status else ""
    subject = translate(SUBJECTS[kind]).format(
        reference=ltr_isolated(context["reference"]),
        title=isolated(context["title"]),
        outcome=outcome,
        name=isolated(context.get("expert_name", "")),
        activity=isolated(context.get("activity_title", "")),
    )
    values = {**context, "outcome": outcome, "subject": subject}
    text = render(f"emails/{kind.value}.txt", language, **values)
    html = render(f"emails/{kind.value}.html", language, **values)
    return subject, text, html
