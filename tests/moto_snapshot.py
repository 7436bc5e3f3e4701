"""Save moto's in-process state once and put it back before each test (milliseconds, not seconds).

Provisioning the stage through moto's CloudFormation takes 1-4 s; copying what it left behind
takes about 2 ms. :class:`Snapshot` deep-copies the ``__dict__`` of every live moto backend in
one ``deepcopy`` (one memo: a CloudFormation stack and the SQS backend keep pointing at the same
queue objects), and :meth:`Snapshot.restore` puts a fresh copy of it back into the same backend
objects, drops every backend (account, region, service) created since, and re-attaches backends
that a ``mock_aws()`` reset detached. The result is the account exactly as provisioning left it:
items, messages, sent mail, secrets, queue attributes, identities, stacks.
"""

from __future__ import annotations

import copy
import threading
from typing import Any

from moto.core.base_backend import AccountSpecificBackend, BackendDict, BaseBackend

# An SQS queue waits on a Condition for long polls; a copied queue gets a Condition of its own.
copy._deepcopy_dispatch[threading.Condition] = lambda condition, memo: threading.Condition()  # type: ignore[attr-defined]

Key = tuple[BackendDict[Any], str, str]  # (service's backends, account, region)


def _instances() -> list[BackendDict[Any]]:
    """The backends of every service in use (moto's own registry of them)."""
    return BackendDict._instances  # type: ignore[misc]


def _live() -> dict[Key, tuple[AccountSpecificBackend[Any], BaseBackend]]:
    return {
        (backends, account, region): (accounts, backend)
        for backends in _instances()
        for account, accounts in backends.items()
        for region, backend in accounts.items()
    }


class Snapshot:
    """moto's whole in-process state at one moment, restorable any number of times."""

    def __init__(self) -> None:
        self.backends = _live()
        objects = [backend for _, backend in self.backends.values()]
        # Backends refer to each other (sesv2 to ses...): keep those references to the live ones.
        self.state = copy.deepcopy(
            {key: backend.__dict__ for key, (_, backend) in self.backends.items()},
            {id(backend): backend for backend in objects},
        )

    def restore(self) -> None:
        """Make moto's state what it was when the snapshot was taken."""
        objects = [backend for _, backend in self.backends.values()]
        state = copy.deepcopy(self.state, {id(backend): backend for backend in objects})
        for (backends, account, region), (accounts, _) in _live().items():
            if (backends, account, region) not in self.backends:
                dict.__delitem__(accounts, region)  # made since: moto makes it afresh if asked
        for backends in list(_instances()):
            for account, accounts in list(backends.items()):
                if not accounts:
                    dict.__delitem__(backends, account)
        for (backends, account, region), (accounts, backend) in self.backends.items():
            if dict.get(backends, account) is not accounts:
                dict.__setitem__(backends, account, accounts)
            if dict.get(accounts, region) is not backend:
                dict.__setitem__(accounts, region, backend)
            if backends not in _instances():
                _instances().append(backends)
            backend.__dict__.clear()
            backend.__dict__.update(state[(backends, account, region)])
