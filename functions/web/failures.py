"""A view's domain errors answered in one place.

``guarded(answer)`` turns any ``DomainError`` a view lets through into ``answer(error)``
(web/errors.py gives its status, page and shape). A failed dependency is ``Unavailable``: every
adapter, the repository included, raises it for the AWS errors it cannot handle. It answers a
503 with ``Retry-After``, nothing half-done, and only the class and the view are logged (a
message could quote personal data). With ``refused=<metric>`` every refusal (a domain error
but ``Unavailable``) is also counted, its code as the metric's ``Code``
(functions/runtime/metrics.py).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from chalice.app import Response

from functions.domain.errors import DomainError, Unavailable
from functions.runtime import metrics

log = logging.getLogger(__name__)

Answerer = Callable[[DomainError], Response]


def guarded(
    answer: Answerer, refused: str | None = None
) -> Callable[[Callable[..., Response]], Callable[..., Response]]:
    """Answer the domain errors a view raises with ``answer(error)``; count the refusals in
    the metric ``refused`` if given."""

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
                if refused:
                    metrics.emit(refused, code=error.code)
                return answer(error)

        return wrapper

    return decorate
