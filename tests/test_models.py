"""The canonical models: what validates, what does not, and the published schemas."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from servicecoach import Event, Finding, Report, Severity, Transcript, Turn


def test_transcript_accepts_the_documented_shape() -> None:
    record = {
        "id": "c1",
        "channel": "voice",
        "metadata": {"customer_name": "Dana", "queue": "billing"},
        "turns": [{"speaker": "agent", "text": "Hello", "start": 0, "end": 1.5}],
        "events": [{"type": "hold_start", "at": 3}, {"type": "transfer", "at": 9, "target": "x"}],
    }
    parsed = Transcript.model_validate(record)
    assert parsed.metadata.customer_name == "Dana"
    assert parsed.metadata.model_extra == {"queue": "billing"}
    assert parsed.events[1].target == "x"


@pytest.mark.parametrize(
    ("record", "problem"),
    [
        ({"id": "x"}, "turns"),
        ({"id": "x", "turns": [{"speaker": "bot", "text": "hi"}]}, "speaker"),
        ({"id": "x", "turns": [{"speaker": "agent", "text": 5}]}, "text"),
        ({"id": "x", "turns": [{"speaker": "agent", "text": "a", "start": 5, "end": 1}]}, "end"),
        ({"id": "x", "turns": [], "events": [{"type": "hold_start"}]}, "at"),
        # an event after a turn the transcript does not have is refused, not moved to the end
        ({"id": "x", "turns": [{"speaker": "agent", "text": "hi"}],
          "events": [{"type": "transfer", "after_turn": 999}]}, "placed after turn 999"),
    ],
)
def test_transcript_rejects_malformed_records(record: dict, problem: str) -> None:
    with pytest.raises(ValidationError, match=problem):
        Transcript.model_validate(record)


def test_unknown_input_fields_are_kept_not_dropped() -> None:
    record = {"id": "x", "source": "crm", "turns": [{"speaker": "agent", "text": "hi",
                                                      "tweet_id": "42"}]}
    parsed = Transcript.model_validate(record)
    assert parsed.model_extra == {"source": "crm"}
    assert parsed.turns[0].model_extra == {"tweet_id": "42"}
    assert parsed.model_dump(exclude_defaults=True)["source"] == "crm"


def test_models_are_frozen() -> None:
    turn = Turn(speaker="agent", text="hi")
    with pytest.raises(ValidationError):
        turn.text = "changed"  # type: ignore[misc]


def test_event_placed_by_turn_when_times_are_unknown() -> None:
    assert Event(type="hold_end", after_turn=2).after_turn == 2


def test_json_schemas_describe_inputs_and_outputs() -> None:
    transcript_schema = Transcript.model_json_schema()
    report_schema = Report.model_json_schema()
    assert set(transcript_schema["required"]) == {"id", "turns"}
    assert {"transcript_id", "findings", "scores", "overall"} <= set(report_schema["properties"])
    finding = report_schema["$defs"]["Finding"]["properties"]
    assert {"rule_id", "kind", "severity", "category", "turn_index", "speaker", "span",
            "message", "suggestion", "evidence"} <= set(finding)


def _finding(rule_id: str, kind: str, severity: str, turn: int | None) -> Finding:
    return Finding(rule_id=rule_id, kind=kind, severity=severity, category="c",
                   turn_index=turn, speaker="agent" if turn is not None else None,
                   message="m", suggestion="s")


def test_report_selects_findings_by_kind_severity_and_turn() -> None:
    findings = (_finding("a.minor", "issue", "suggestion", 0),
                _finding("a.major", "issue", "critical", 1),
                _finding("a.good", "strength", "suggestion", 1),
                _finding("a.cue", "cue", "warning", 1),
                _finding("a.whole", "issue", "warning", None))
    report = Report(transcript_id="t", findings=findings, scores=(), overall=None)
    assert [f.rule_id for f in report.issues()] == ["a.minor", "a.major", "a.whole"]
    assert [f.rule_id for f in report.issues(Severity.WARNING)] == ["a.major", "a.whole"]
    assert [f.rule_id for f in report.strengths()] == ["a.good"]
    assert [f.rule_id for f in report.cues()] == ["a.cue"]
    assert [f.rule_id for f in report.for_turn(1)] == ["a.major", "a.good", "a.cue"]
    assert report.for_turn(2) == ()
