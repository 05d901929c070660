"""Conversations there is nothing to score in: reported with a note saying why.

English rules read in French text would find no greeting, no thanks and no name, and
report them as issues; such a conversation gets a report with no findings, no applicable
category and a note that names its language. (A conversation with no turn at all is
scored as any other, and its report says so: `session.NO_TURNS`.)
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet

from servicecoach.models import Metadata, Report, Transcript
from servicecoach.nlp.language import SAMPLE_CHARS, Detected, detect_language
from servicecoach.scoring import ScoringPolicy, score
from servicecoach.session import input_notes


def uncovered_language(transcript: Transcript, languages: AbstractSet[str]) -> Detected | None:
    """The transcript's language when it is detected and none of `languages` (ISO 639-1),
    else None (covered, or too short or too mixed to tell: then it is scored)."""
    parts, length = [], 0
    for turn in transcript.turns:  # only the start is read: a long call costs no more
        parts.append(turn.text[: SAMPLE_CHARS - length])
        length += len(parts[-1]) + 1
        if length >= SAMPLE_CHARS:
            break
    detected = detect_language("\n".join(parts))
    if detected is None or detected.code in languages:
        return None
    return detected


def not_scored_report(
    transcript: Transcript, detected: Detected, *, languages: AbstractSet[str],
    categories: frozenset[str], policy: ScoringPolicy, packs: dict[str, str],
) -> Report:
    """The report of a conversation left unscored because of its language."""
    scores, overall = score([], set(), categories, policy)
    covered = ", ".join(sorted(languages))
    note = (f"not scored: the conversation is in {detected.name} ({detected.code}, "
            f"confidence {detected.confidence:.2f}); the rule packs cover {covered}")
    metadata: Metadata = transcript.metadata
    return Report(
        transcript_id=transcript.id, channel=transcript.channel,
        metadata=metadata.model_dump(mode="json", exclude_none=True),
        findings=(), scores=scores, overall=overall, packs=packs,
        customer_sentiment=tuple(None for _ in transcript.turns),
        signals=tuple({} for _ in transcript.turns),
        notes=(*input_notes(metadata), note),
    )
