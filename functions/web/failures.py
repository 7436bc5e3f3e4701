"""When AWS or the key store fails: a generic 503, nothing half-done, nothing personal logged."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from chalice.app import Response
from pynamodb.exceptions import PynamoDBException

from functions.adapters.secrets import MissingSigningKey

log = logging.getLogger(__name__)
DEPENDENCY_FAILURES = (BotoCoreError, ClientError, PynamoDBException, MissingSigningKey)
RETRY_AFTER_SECONDS = "30"


def guarded(
    answer: Callable[[], Response],
) -> Callable[[Callable[..., Response]], Callable[..., Response]]:
    """Turn a failure of a dependency inside a view into ``answer()`` (a 503), logged by class."""

    def decorate(view: Callable[..., Response]) -> Callable[..., Response]:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Response:
            try:
                return view(*args, **kwargs)
            except DEPENDENCY_FAILURES as error:
                # The class and the view only: a message could quote personal data.
                log.error("%s failed in %s", type(error).__name__, view.__name__)
                response = answer()
                response.headers["Retry-After"] = RETRY_AFTER_SECONDS
                return response

        return wrapper

    return decorate


def json_unavailable() -> Response:
    """The JSON API's 503."""
    from functions.web.responses import error_response

    return error_response(
        503, "unavailable", "The service is unavailable for a moment. Nothing was saved; try again."
    )


def page_unavailable() -> Response:
    """The pages' 503 (in English: the language cannot be chosen safely at this point)."""
    from functions.web.pages import error_page

    return error_page("unavailable", "en")
