"""Use cases: each ties the domain (``core``) to the adapters and is called by one handler.

- ``intake``: submit a request.
- ``review``: open a review round, vote, decide once.
- ``mail``: turn one notification into one email, sent once.
- ``partner``: the partner's status page, answers to questions, withdrawal.
"""

from functions.services.intake import Submitted, decoy_submission, email_hash, submit

__all__ = ["Submitted", "decoy_submission", "email_hash", "submit"]
