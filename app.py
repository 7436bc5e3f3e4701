"""Chalice entry point: create the app, register the blueprints. Nothing else."""

from chalice import Chalice

from functions.http.intake import intake
from functions.settings import stage_at_import

app = Chalice(app_name="mieux")
app.register_blueprint(intake)

if stage_at_import() == "local":
    # The mailbox of the local stack; the route does not exist in any other stage.
    from functions.http.devmail import devmail

    app.register_blueprint(devmail)
