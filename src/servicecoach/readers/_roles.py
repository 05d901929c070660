"""Who is the agent? Role mapping for exports whose speakers have no role.

Diarized speech (``spk_0``), WebVTT voice names, Twilio identities and Salesforce
display names say who spoke, not in which role. The user can say it
(``roles={"spk_0": "agent"}``, ``agent="Jane"``); otherwise this heuristic decides:

1. A speaker who greets like an agent ("thank you for calling", "how can I help",
   "this is Sam from Acme", "is there anything else") scores +1 per cue; a speaker who
   talks like a customer (gives an account or order number, "I've been on hold", "I want
   to cancel") scores -1 per cue.
2. The speaker with the highest positive score is the agent; everybody else is a customer.
3. With no agent cue, the first speaker without customer cues is the agent (contact
   centres answer first); when every speaker has customer cues, all are customers.

The cues are looked for in each turn's first 100,000 characters (`CUE_CHARS`).

The decision is recorded in the transcript metadata: ``role_mapping`` (label -> role) and
``role_source`` (``user``, ``export`` or ``heuristic``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from servicecoach.errors import clipped, first_few
from servicecoach.models import Speaker, speaker_named

ROLES = tuple(speaker.value for speaker in Speaker)

_AGENT_CUES = [re.compile(p, re.IGNORECASE) for p in (
    r"\bthank(?:s| you) for (?:calling|contacting|reaching|choosing|holding|waiting)\b",
    r"\bhow (?:can|may|could) i (?:help|assist)\b",
    r"\b(?:this is|my name is|you'?re speaking (?:to|with)) [\w .'-]{1,40}\b(?:from|at|with|of)\b",
    r"\bwelcome to\b",
    r"\b(?:you'?ve|you have) reached\b",
    r"\bis there anything else\b",
    r"\bsorry (?:about|for) (?:that|the wait|the inconvenience)\b",
    r"\b(?:can|could|may) i (?:have|get) your (?:account|order|name|phone|email)\b",
)]
_CUSTOMER_CUES = [re.compile(p, re.IGNORECASE) for p in (
    r"\bmy (?:account|order|policy|card|ticket|reference|customer) (?:number|no\.?|id|#)",
    r"\b(?:account|order) (?:number|no\.?|#) is\b",
    r"\bi(?:'ve| have) been (?:on hold|waiting)\b",
    r"\bi (?:want|need|would like|'d like) to (?:cancel|return|complain|get a refund|close)\b",
    r"\bmy (?:order|package|bill|invoice|refund|subscription)\b",
    r"\bthanks? (?:you )?for (?:your|all your|the) help\b",
)]


CUE_CHARS = 100_000
"""How much of a turn the cues are looked for in: what a turn is scored on by default
(``max_turn_chars``). The expressions run on Python's ``re``, about 30 ns a character each:
over the whole of a 50 MB turn they took 18 s."""


def _score(texts: Sequence[str]) -> tuple[int, int]:
    joined = "\n".join(text[:CUE_CHARS] for text in texts)
    agent = sum(1 for cue in _AGENT_CUES if cue.search(joined))
    customer = sum(1 for cue in _CUSTOMER_CUES if cue.search(joined))
    return agent, customer


def check_roles(roles: Mapping[str, str]) -> dict[str, str]:
    """`roles` with lower-cased role values; ValueError for a role that is not known."""
    checked = {}
    for label, role in roles.items():
        speaker = speaker_named(role)
        if speaker is None:
            raise ValueError(f"role for {label!r} must be one of {', '.join(ROLES)}, not {role!r}")
        checked[str(label)] = speaker.value
    return checked


_SHOWN = 40
"""Characters of a speaker's name an error shows (`spelt_as_speakers`)."""


def spelt_as_speakers(
    labels: Sequence[str], user: Mapping[str, str], agent: str | None
) -> tuple[dict[str, str], str | None]:
    """The user's role mapping and agent name spelt as the transcript spells its speakers
    (the case does not matter). ValueError, naming the speakers found, when the user named
    speakers and none of them is in the transcript: the roles would silently be guessed."""
    by_fold = {label.casefold(): label for label in labels}
    named = [(label, "--roles") for label in user] + ([(agent, "--agent")] if agent else [])
    if labels and named and not any(name.casefold() in by_fold for name, _ in named):
        asked = " or ".join(f"{name!r} ({option})" for name, option in named)
        shown = [repr(clipped(label, _SHOWN)) for label in labels]
        raise ValueError(f"no speaker is called {asked}; the speakers are {first_few(shown)}")
    mapping = {by_fold.get(label.casefold(), label): role for label, role in user.items()}
    return mapping, by_fold.get(agent.casefold(), agent) if agent else None


def resolve_roles(
    order: Sequence[str],
    texts: Mapping[str, Sequence[str]],
    *,
    known: Mapping[str, str] | None = None,
    user: Mapping[str, str] | None = None,
    agent: str | None = None,
) -> tuple[dict[str, str], str]:
    """Map every label in `order` (first appearance order) to a role, and say how.

    `known` are roles the export states (a speaker literally called ``agent``), `user`
    the user's mapping and `agent` the user's agent name; the rest is the heuristic.
    """
    user_roles = dict(user or {})
    if agent:
        user_roles.setdefault(agent, "agent")
    mapping = {label: user_roles[label] for label in order if label in user_roles}
    source = "user" if mapping else "export"
    for label in order:
        if label not in mapping and known and label in known:
            mapping[label] = known[label]
    left = [label for label in order if label not in mapping]
    if not left:
        return mapping, source
    if "agent" in mapping.values():
        mapping.update({label: "customer" for label in left})
        return mapping, source
    scores = {label: _score(texts.get(label, ())) for label in left}
    # ties go to the label seen first: max keeps the first of equal keys (no list.index per
    # label, which made thousands of speakers quadratic)
    best = max(left, key=lambda label: scores[label][0] - scores[label][1])
    chosen: str | None
    if scores[best][0] - scores[best][1] > 0:
        chosen = best
    else:
        not_customer = [label for label in left if scores[label][1] == 0]
        chosen = not_customer[0] if not_customer else None
    mapping.update({label: ("agent" if label == chosen else "customer") for label in left})
    return mapping, "heuristic"
