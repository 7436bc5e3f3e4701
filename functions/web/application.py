"""The Chalice application object, with the request being handled kept per thread.

Chalice keeps ``current_request`` (and ``lambda_context``) as plain attributes of the one app
object. In Lambda that is right: one request at a time per container. But ``chalice local``
serves each connection on its own thread, and so do tests that vote concurrently through the
test client: one thread's request replaced another's between the moment Chalice set it and the
moment a page read it (its anti-forgery cookie, its language), so one concurrent vote was
refused as a forgery. Kept per thread, each request sees its own.
"""

from __future__ import annotations

import threading
from typing import Any

from chalice.app import Chalice


class Application(Chalice):
    """:class:`Chalice` whose ``current_request`` and ``lambda_context`` belong to the thread
    that handles the request."""

    _handling = threading.local()

    @property
    def current_request(self) -> Any:
        return getattr(self._handling, "request", None)

    @current_request.setter
    def current_request(self, value: Any) -> None:
        self._handling.request = value

    @property
    def lambda_context(self) -> Any:
        return getattr(self._handling, "context", None)

    @lambda_context.setter
    def lambda_context(self, value: Any) -> None:
        self._handling.context = value
