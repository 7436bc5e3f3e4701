"""The Expert Roster's rules: an expert's statuses, focal points, and matching to an activity.

No AWS, no HTTP, no presentation. An expert registers (``pending``); a national focal point of
the expert's member state confirms (``active``) or declines (``declined``) the registration;
an expert may leave the roster (their personal data erased). Only active experts are matched.

Matching ranks the candidates the repository found by index (the activity's topics) and says,
for each, which criteria matched: the ranking is explained, never a bare score.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any, NamedTuple

# A working language counts for an activity from this level up (CEFR B2: "can interact with a
# degree of fluency"); the roster's levels in order (schemas/reference/experts.json).
LEVELS = ("A1", "A2", "B1", "B2", "C1", "C2", "native")
WORKING_LEVEL = "B2"


class ExpertStatus(StrEnum):
    """Where a registration stands."""

    PENDING = "pending"  # registered, waiting for the focal point
    ACTIVE = "active"  # confirmed: matched and invited
    DECLINED = "declined"  # the focal point declined it (with a reason)
    LEAVING = "leaving"  # the expert left: erased by the sweeper's next run, matched by no one


# The statuses the roster counts (an expert who left is erased at the next sweep).
ROSTER_STATUSES = (
    ExpertStatus.PENDING.value,
    ExpertStatus.ACTIVE.value,
    ExpertStatus.DECLINED.value,
)

# The moves the focal point's answer may make, and from where: a registration is decided once.
DECISIONS = {
    ExpertStatus.ACTIVE: {ExpertStatus.PENDING},
    ExpertStatus.DECLINED: {ExpertStatus.PENDING},
}


class Expert(NamedTuple):
    """One expert of the roster: the registration document (schemas/expert.schema.json) and
    where it stands. The properties read the document, so no field is kept twice."""

    expert_id: str
    status: str
    document: dict[str, Any]
    registered_at: str
    updated_at: str
    email_hash: str
    deployments: int = 0  # activities the expert accepted and was deployed to
    decided_by: str | None = None  # the focal point's id
    decided_at: str | None = None
    decline_reason: str | None = None
    version: int = 1

    @property
    def member_state(self) -> str:
        """The EU member state of the expert's administration (ISO code)."""
        return str(self.document["expert"]["member_state"])

    @property
    def language(self) -> str:
        """The language of the expert's emails and pages."""
        return str(self.document["expert"]["preferred_language"])

    @property
    def topics(self) -> tuple[str, ...]:
        """The topics of the expert's expertise (the request schema's)."""
        return tuple(self.document["expertise"]["topics"])

    @property
    def gender(self) -> str:
        """The gender the expert gave, or ``unknown`` (it is optional)."""
        return str(self.document["expert"].get("gender") or "unknown")

    def level_in(self, language: str) -> str | None:
        """The expert's CEFR level in a language, or None."""
        for entry in self.document["expertise"]["languages"]:
            if entry["language"] == language:
                return str(entry["level"])
        return None

    def works_in(self, language: str) -> bool:
        """True when the expert works in the language at a working level (B2 or above)."""
        level = self.level_in(language)
        return level is not None and LEVELS.index(level) >= LEVELS.index(WORKING_LEVEL)

    def available(self, starts_on: date, ends_on: date) -> bool:
        """True unless a period the expert gave as unavailable overlaps the dates."""
        for period in self.document["availability"].get("unavailable", []):
            start, end = date.fromisoformat(period["from"]), date.fromisoformat(period["to"])
            if start <= ends_on and starts_on <= end:
                return False
        return True


class FocalPoint(NamedTuple):
    """A national focal point: confirms the registrations of one member state's experts."""

    focal_id: str
    member_state: str
    name: str
    email: str
    language: str = "en"
    # Where the member state asks for it, its administrations are copied on the invitations of
    # their experts: the focal point receives a copy of each.
    copy_invitations: bool = False


class ActivityNeed(NamedTuple):
    """What an activity asks of its experts, as matching reads it."""

    request_id: str
    number: int  # the activity's position in the Action, from 1
    type: str
    title: str
    starts_on: date
    ends_on: date
    country: str  # where it takes place (ISO code), or the partner's country
    region: str  # the region of the partner
    language: str  # the partner's language: the activity's working language
    topics: tuple[str, ...]  # the request's topics
    places: int  # how many experts it needs
    reference: str = ""  # the request's reference (MX-2026-0001)


class Criterion(StrEnum):
    """What a candidate may match; each carries its weight in :data:`WEIGHTS`."""

    TOPIC = "topic"
    LANGUAGE = "language"
    COUNTRY = "country"
    REGION = "region"
    AVAILABLE = "available"
    DEPLOYED = "deployed"  # has been deployed before: knows how MIEUX works


# Weights: a topic is the reason to be a candidate at all; the activity's language and the
# dates decide whether the expert can serve; experience of the country beats the region's.
WEIGHTS = {
    Criterion.TOPIC: 3,  # per topic shared with the request
    Criterion.LANGUAGE: 4,
    Criterion.AVAILABLE: 4,
    Criterion.COUNTRY: 3,
    Criterion.REGION: 1,
    Criterion.DEPLOYED: 1,
}


class Match(NamedTuple):
    """One ranked candidate, and why: the criteria met, the topics shared."""

    expert: Expert
    score: int
    matched: tuple[Criterion, ...]
    topics: tuple[str, ...]

    @property
    def missed(self) -> tuple[Criterion, ...]:
        """The criteria the candidate did not meet (the other half of the explanation)."""
        return tuple(c for c in Criterion if c not in self.matched)


def assess(expert: Expert, need: ActivityNeed) -> Match:
    """How well one expert fits one activity, criterion by criterion."""
    shared = tuple(t for t in need.topics if t in expert.topics)
    experience = expert.document.get("experience", {})
    checks = {
        Criterion.TOPIC: bool(shared),
        Criterion.LANGUAGE: expert.works_in(need.language),
        Criterion.AVAILABLE: expert.available(need.starts_on, need.ends_on),
        Criterion.COUNTRY: need.country in experience.get("countries", []),
        Criterion.REGION: need.region in experience.get("regions", []),
        Criterion.DEPLOYED: expert.deployments > 0,
    }
    matched = tuple(c for c in Criterion if checks[c])
    score = sum(WEIGHTS[c] for c in matched if c is not Criterion.TOPIC)
    score += WEIGHTS[Criterion.TOPIC] * len(shared)
    return Match(expert, score, matched, shared)


def rank(need: ActivityNeed, candidates: list[Expert]) -> list[Match]:
    """Active candidates who share a topic with the activity, best first. Ties go to the
    expert deployed less often (a fair share of missions), then to the earlier registration."""
    assessed = [
        assess(expert, need) for expert in candidates if expert.status == ExpertStatus.ACTIVE.value
    ]
    found = [m for m in assessed if Criterion.TOPIC in m.matched]
    return sorted(
        found,
        key=lambda m: (-m.score, m.expert.deployments, m.expert.registered_at, m.expert.expert_id),
    )


# --- invitations ---------------------------------------------------------------------------


class InvitationStatus(StrEnum):
    """Where an invitation to one activity stands. A place is taken by an acceptance only."""

    INVITED = "invited"  # waiting for the expert's answer until ``respond_by``
    ACCEPTED = "accepted"  # took one of the activity's places
    DECLINED = "declined"  # said no (with a reason): the officer is told
    EXPIRED = "expired"  # no answer by ``respond_by``: the officer is told
    FULL = "full"  # accepted after the places were all taken: nothing taken


class Invitation(NamedTuple):
    """An expert invited to one activity of a request's Action. The member state and gender are
    copied from the registration so that deployments stay countable after the expert leaves
    the roster (``expert_id`` then names a registration that no longer exists); no name, no
    address."""

    request_id: str
    activity: int  # the activity's number in the Action, from 1
    expert_id: str
    status: str
    invited_at: str
    respond_by: str  # ISO time: past it, silence frees the invitation
    member_state: str
    gender: str
    invited_by: str  # "officer:<id>" or "operator"
    responded_at: str | None = None
    reason: str | None = None
    reminded: bool = False
    activity_type: str = ""  # the activity's type, for the report's deployments by type
    reference: str = ""  # the request's reference, for the report's deployments by Action


class Places(NamedTuple):
    """How many experts an activity needs, and how many accepted."""

    request_id: str
    activity: int
    places: int
    filled: int = 0

    @property
    def open(self) -> int:
        """Places still to fill."""
        return max(0, self.places - self.filled)
