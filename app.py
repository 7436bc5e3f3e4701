"""Chalice entry point: create the app and register the blueprints. Nothing else."""

from chalice import Chalice

from functions.http.intake import intake
from functions.workers.bounces import bounces

app = Chalice(app_name="mieux")
app.register_blueprint(intake)
app.register_blueprint(bounces)
