"""A view's domain errors answered in one place.

``guarded(answer)`` turns any ``DomainError`` a view lets through into ``answer(error)``
(web/errors.py gives its status, page and shape). A failed dependency is ``Unavailable``: a 503
with ``Retry-After``, nothing half-done, and only the class and the view logged (a message could
quote personal data).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from chalice.app import Response
from pynamodb.exceptions import PynamoDBException

from functions.domain.errors import DomainError, Unavailable

log = logging.getLogger(__name__)

# A safety net, to be removed once the repository (functions/adapters/dynamodb/, being written
# for issue 13) raises Unavailable itself: storage still lets botocore's and pynamodb's own
# exceptions through. The other adapters (queue, mailer, secrets) raise Unavailable already.
RAW_DEPENDENCY_FAILURES = (BotoCoreError, ClientError, PynamoDBException)

Answerer = Callable[[DomainError], Response]


def guarded(answer: Answerer) -> Callable[[Callable[..., Response]], Callable[..., Response]]:
    """Answer the domain errors a view raises with ``answer(error)``."""

    def decorate(view: Callable[..., Response]) -> Callable[..., Response]:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Response:
            try:
                return view(*args, **kwargs)
            except Unavailable as error:
                cause = type(error.__cause__ or error).__name__
                log.error("%s (%s) in %s", type(error).__name__, cause, view.__name__)
                return answer(error)
            except DomainError as error:
                log.info("%s answered in %s", type(error).__name__, view.__name__)
                return answer(error)
            except RAW_DEPENDENCY_FAILURES as error:
                log.error("%s failed in %s", type(error).__name__, view.__name__)
                return answer(Unavailable(type(error).__name__))

        return wrapper

    return decorate
