"""Use cases: each ties the domain to the repository and the other adapters; one handler each.

- ``intake``: submit a request (and count submissions per address).
- ``review``: open a review round, vote, decide once.
- ``mail``: turn one notification into one email, sent once.
- ``partner``: the partner's status page, answers to questions, withdrawal.
- ``sweep``: what must happen because time passed (reminders, expiry, recovery, retention).
- ``actions``: the Action an approved request becomes, and its activities.
- ``retention`` and ``erasure``: how long items are kept; one person's data erased.
- ``committee`` and ``suppression``: the committee imported as data; addresses not to mail.

Nothing is imported here: each Lambda imports the services it uses (the notifications worker
needs the mail service, not the intake's validation and reference data).
"""
