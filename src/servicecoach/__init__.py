"""servicecoach: coach customer-service agents, turn by turn, from YAML rule packs."""

from typing import TYPE_CHECKING

from servicecoach.config import CoachConfig, load_config
from servicecoach.errors import (
    ConfigError,
    InputError,
    MetadataOnly,
    RulePackError,
    ServiceCoachError,
    SpacyModelError,
)
from servicecoach.models import (
    CategoryScore,
    Channel,
    Event,
    EventType,
    Evidence,
    Finding,
    FindingKind,
    Metadata,
    Report,
    ScoreContribution,
    Severity,
    Span,
    Speaker,
    Transcript,
    Turn,
)

if TYPE_CHECKING:
    from servicecoach.coach import Coach
    from servicecoach.session import Session

__version__ = "0.1.0"

__all__ = [
    "CategoryScore",
    "Channel",
    "Coach",
    "CoachConfig",
    "ConfigError",
    "Event",
    "EventType",
    "Evidence",
    "Finding",
    "FindingKind",
    "InputError",
    "Metadata",
    "MetadataOnly",
    "Report",
    "RulePackError",
    "ScoreContribution",
    "ServiceCoachError",
    "Session",
    "Severity",
    "SpacyModelError",
    "Span",
    "Speaker",
    "Transcript",
    "Turn",
    "load_config",
]


def __getattr__(name: str) -> object:
    """`Coach` and `Session` on first use: importing the package (its models, the pytest
    plugin) does not load spaCy."""
    if name == "Coach":
        from servicecoach.coach import Coach

        return Coach
    if name == "Session":
        from servicecoach.session import Session

        return Session
    raise AttributeError(f"module 'servicecoach' has no attribute {name!r}")
