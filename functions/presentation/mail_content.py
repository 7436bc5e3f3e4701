"""The words of every email: a subject line per kind and two templates (text and HTML) per kind."""

from __future__ import annotations

from typing import Any

from functions.presentation.i18n import translations
from functions.presentation.messages import N_
from functions.presentation.render import isolated, render

SUBJECTS: dict[str, str] = {
    "receipt": N_("We have received your request {reference}"),
    "review_request": N_("Please review request {reference}: {title}"),
    "decision_partner": N_("Decision on your request {reference}"),
    "decision_officer": N_("Request {reference} has been decided: {outcome}"),
    "decision_committee": N_("Request {reference} has been decided: {outcome}"),
    "information_requested": N_("More information is needed on your request {reference}"),
    "withdrawn": N_("Request {reference} has been withdrawn"),
    "reminder": N_("Reminder: please review request {reference}: {title}"),
    "escalation": N_("Request {reference} is still waiting for the committee's decision"),
    "still_under_review": N_("Your request {reference} is still under review"),
    "information_expired": N_("Request {reference} has been closed"),
    "action_published": N_("The Action for your request {reference} is ready"),
    "activity_changed": N_("An activity of the Action for your request {reference} has changed"),
}

OUTCOMES: dict[str, str] = {
    "approved": N_("approved"),
    "rejected": N_("rejected"),
    "information_requested": N_("more information requested"),
    "withdrawn": N_("withdrawn"),
    "closed": N_("closed"),
}


def compose(kind: str, language: str, context: dict[str, Any]) -> tuple[str, str, str]:
    """Subject, plain text and HTML of one email in ``language``."""
    translate = translations(language).gettext
    outcome = translate(OUTCOMES.get(context["status"], context["status"]))
    subject = translate(SUBJECTS[kind]).format(
        reference=context["reference"], title=isolated(context["title"]), outcome=outcome
    )
    values = {**context, "outcome": outcome, "subject": subject}
    text = render(f"emails/{kind}.txt", language, **values)
    html = render(f"emails/{kind}.html", language, **values)
    return subject, text, html
