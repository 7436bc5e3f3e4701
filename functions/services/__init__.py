"""Use cases: each ties the domain (``core``) to the adapters and is called by one handler.

- ``intake``: submit a request (and count submissions per address).
- ``review``: open a review round, vote, decide once.
- ``mail``: turn one notification into one email, sent once.
- ``partner``: the partner's status page, answers to questions, withdrawal.

Nothing is imported here: each Lambda imports the services it uses (the notifications worker
needs the mail service, not the intake's validation and reference data).
"""
