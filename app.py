"""Chalice entry point: create the app and register the blueprints. Nothing else."""

from chalice import Chalice

from functions.http.form import form
from functions.http.intake import intake
from functions.http.openapi import openapi
from functions.http.partner import partner
from functions.http.review import review
from functions.settings import stage_at_import
from functions.workers import notifications, review_tasks
from functions.workers.bounces import bounces

app = Chalice(app_name="mieux")
app.register_blueprint(intake)
app.register_blueprint(form)
app.register_blueprint(review)
app.register_blueprint(partner)
app.register_blueprint(review_tasks.blueprint)
app.register_blueprint(notifications.blueprint)
app.register_blueprint(bounces)
app.register_blueprint(openapi)

if stage_at_import() == "local":
    # The mailbox of the local stack; the route does not exist in any other stage.
    from functions.http.devmail import devmail

    app.register_blueprint(devmail)
