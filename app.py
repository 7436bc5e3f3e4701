"""Chalice entry point: create the app and register the blueprints. Nothing else."""

from chalice import Chalice

from functions.http.form import form
from functions.http.intake import intake
from functions.http.partner import partner
from functions.http.review import review
from functions.workers import notifications, review_tasks

app = Chalice(app_name="mieux")
app.register_blueprint(intake)
app.register_blueprint(form)
app.register_blueprint(review)
app.register_blueprint(partner)
app.register_blueprint(review_tasks.blueprint)
app.register_blueprint(notifications.blueprint)
