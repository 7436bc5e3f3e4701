"""Use cases: each ties the domain (``core``) to the adapters and is called by one handler.

- ``intake``: submit a request (and count submissions per address).
- ``review``: open a review round, vote, decide once.
- ``mail``: turn one notification into one email, sent once.
- ``partner``: the partner's status page, answers to questions, withdrawal.
"""

from functions.services.intake import (
    RateCheck,
    Submitted,
    count_submission,
    decoy_submission,
    email_hash,
    submit,
)

__all__ = ["RateCheck", "Submitted", "count_submission", "decoy_submission", "email_hash", "submit"]
