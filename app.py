"""Chalice entry point: create the app, register the blueprints and the one middleware."""

from collections.abc import Callable
from typing import Any

from chalice import Chalice

# First of ours: in Lambda, the collector is paused while the rest is imported (see there).
from functions import startup  # noqa: F401
from functions.http.form import form
from functions.http.intake import intake
from functions.http.openapi import openapi
from functions.http.partner import partner
from functions.http.review import review
from functions.invocation import around_invocation
from functions.settings import stage_at_import
from functions.workers import notifications, review_tasks, sweeper
from functions.workers.bounces import bounces

app = Chalice(app_name="mieux")


@app.middleware("http")
def per_invocation(event: Any, get_response: Callable[[Any], Any]) -> Any:
    """Every request to the API: the settings once, and the first one ends the container's
    start-up. The workers' handlers do the same themselves (functions/invocation.py): Lambda
    imports their modules, not this one."""
    return around_invocation(lambda: get_response(event))


app.register_blueprint(intake)
app.register_blueprint(form)
app.register_blueprint(review)
app.register_blueprint(partner)
app.register_blueprint(review_tasks.blueprint)
app.register_blueprint(notifications.blueprint)
app.register_blueprint(bounces)
app.register_blueprint(sweeper.blueprint)
app.register_blueprint(openapi)

if stage_at_import() == "local":
    # The mailbox of the local stack; the route does not exist in any other stage.
    from functions.http.devmail import devmail

    app.register_blueprint(devmail)
