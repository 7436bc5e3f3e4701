"""Chalice entry point: create the app, register the blueprints and the one middleware."""

from collections.abc import Callable
from typing import Any

# First of ours: in Lambda, the collector is paused while the rest is imported (see there).
from functions.runtime import startup  # noqa: F401
from functions.runtime.invocation import around_invocation
from functions.runtime.logs import CORRELATION_HEADER, incoming_correlation_id
from functions.runtime.settings import stage_at_import
from functions.web.application import Application
from functions.web.attachments import attachments
from functions.web.evaluation import evaluation
from functions.web.experts import experts
from functions.web.form import form
from functions.web.intake import intake
from functions.web.openapi import openapi
from functions.web.partner import partner
from functions.web.public import public
from functions.web.review import review
from functions.web.staff.action import action as staff_action
from functions.web.staff.committee import committee as staff_committee
from functions.web.staff.dossier import dossier as staff_dossier
from functions.web.staff.experts import staff_experts
from functions.web.staff.focal import focal as staff_focal
from functions.web.staff.outcome import outcome as staff_outcome
from functions.web.staff.queue import queue as staff_queue
from functions.web.staff.reports import reports as staff_reports
from functions.web.staff.signin import signin as staff_sign_in
from functions.web.staff.signin import signout as staff_sign_out
from functions.workers import notifications, review_tasks, sweeper
from functions.workers.bounces import bounces

app = Application(app_name="mieux")


@app.middleware("http")
def per_invocation(event: Any, get_response: Callable[[Any], Any]) -> Any:
    """Every request to the API: the settings once, and the first one ends the container's
    start-up. The workers' handlers do the same themselves (functions/runtime/invocation.py): Lambda
    imports their modules, not this one. The correlation id (taken from the request's headers or
    made here) is in every log line and goes back in ``X-Correlation-Id``."""
    correlation_id = incoming_correlation_id(event.headers)
    response = around_invocation(
        lambda: get_response(event), getattr(event, "lambda_context", None), correlation_id
    )
    response.headers[CORRELATION_HEADER] = correlation_id
    return response


app.register_blueprint(intake)
app.register_blueprint(form)
app.register_blueprint(attachments)
app.register_blueprint(review)
app.register_blueprint(partner)
app.register_blueprint(evaluation)
app.register_blueprint(public)
app.register_blueprint(experts)
app.register_blueprint(review_tasks.blueprint)
app.register_blueprint(notifications.blueprint)
app.register_blueprint(bounces)
app.register_blueprint(sweeper.blueprint)
app.register_blueprint(openapi)
# The staff workspace (/staff/): one blueprint per area, each behind the session
# (functions/web/staff/area.py); their services and the JOSE library are imported on use.
app.register_blueprint(staff_sign_in)
app.register_blueprint(staff_sign_out)
app.register_blueprint(staff_queue)
app.register_blueprint(staff_committee)
app.register_blueprint(staff_focal)
app.register_blueprint(staff_reports)
app.register_blueprint(staff_dossier)
app.register_blueprint(staff_experts)
app.register_blueprint(staff_outcome)
app.register_blueprint(staff_action)

if stage_at_import() == "local":
    # The mailbox of the local stack; the route does not exist in any other stage.
    from functions.web.devmail import devmail

    app.register_blueprint(devmail)
