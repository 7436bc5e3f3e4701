"""Each thread handling a request sees its own request (chalice local serves one per thread)."""

from __future__ import annotations

import threading

from functions.web.application import Application


def test_each_thread_reads_the_request_it_set() -> None:
    app = Application(app_name="threads")
    both_set = threading.Barrier(2)
    seen: dict[str, object] = {}

    def handle(name: str) -> None:
        app.current_request = name  # what Chalice does when a request arrives
        app.lambda_context = f"context of {name}"
        both_set.wait()  # the other thread has set its own meanwhile
        seen[name] = (app.current_request, app.lambda_context)

    threads = [threading.Thread(target=handle, args=(n,)) for n in ("first", "second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen == {
        "first": ("first", "context of first"),
        "second": ("second", "context of second"),
    }
    assert app.current_request is None  # nothing leaks into a thread that set nothing
