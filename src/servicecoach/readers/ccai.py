"""Google CCAI Insights conversations: the upload format and the Insights API transcript.

- Upload (conversation data format): ``entries[]`` with ``role`` (``AGENT``,
  ``AUTOMATED_AGENT``, ``CUSTOMER``, ``END_USER``), ``text`` and ``start_timestamp_usec``
  (microseconds: an epoch time, or an offset from the start).
- Insights API conversation: ``transcript.transcriptSegments[]`` with
  ``segmentParticipant.role`` (``HUMAN_AGENT``, ``AUTOMATED_AGENT``, ``END_USER``), ``text``
  and word ``startOffset``/``endOffset`` (``"1.500s"``) from the conversation's
  ``startTime`` (kept as ``started_at``); ``agentId`` and the ``displayName`` of
  ``qualityMetadata.agentInfo[]`` name the agent.

Automated agents (virtual agents, bots) are system. The id is ``name`` or the file name.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from servicecoach.readers._common import Draft, JsonExportReader, missing, stem
from servicecoach.readers._time import iso_utc, seconds, to_epoch, usable_time
from servicecoach.readers.base import ReadResult, Source

_ROLES = {"AGENT": "agent", "HUMAN_AGENT": "agent", "AUTOMATED_AGENT": "system",
          "CUSTOMER": "customer", "END_USER": "customer"}


def _offset(value: Any) -> float | None:
    """``"1.500s"`` (protobuf Duration) or a number to seconds (true or false: no time)."""
    if isinstance(value, (int, float)):
        return seconds(value)
    if isinstance(value, str) and value.endswith("s"):
        return float(value[:-1])
    return None


class CcaiReader(JsonExportReader):
    """Google CCAI Insights conversation JSON."""

    name = "ccai"
    description = "Google CCAI Insights conversation JSON (upload format or API transcript)"

    def sniff(self, source: Source, head: str) -> bool:
        upload = '"entries"' in head and ('"start_timestamp_usec"' in head or '"user_id"' in head)
        return head.lstrip().startswith("{") and (upload or '"transcriptSegments"' in head)

    def transcripts(self, data: Any, source: Source) -> Iterator[ReadResult]:
        if not isinstance(data, dict):
            yield missing(source, "", "entries", None)
            return
        draft = Draft(id=str(data.get("name") or stem(source)).rsplit("/", 1)[-1], relative=True)
        segments = (data.get("transcript") or {}).get("transcriptSegments")
        if isinstance(segments, list):
            draft.channel = "voice" if data.get("medium") == "PHONE_CALL" else "chat"
            start = to_epoch(data.get("startTime"))
            if start is not None and usable_time(start):
                draft.metadata["started_at"] = iso_utc(start)
            draft.keep("agent_id", data.get("agentId"))
            for agent in (data.get("qualityMetadata") or {}).get("agentInfo") or []:
                if isinstance(agent, dict):
                    draft.name("agent_name", agent.get("displayName"))
            for index, segment in enumerate(segments):
                role = _ROLES.get(str((segment.get("segmentParticipant") or {}).get("role")))
                if role is None or not isinstance(segment.get("text"), str):
                    yield missing(source, f"transcript.transcriptSegments[{index}]", "role/text",
                                  draft.id)
                    return
                words = segment.get("words") or [{}]
                draft.add_turn(role, segment["text"], _offset(words[0].get("startOffset")),
                               _offset(words[-1].get("endOffset")))
        else:
            for index, entry in enumerate(data.get("entries") or []):
                role = _ROLES.get(str(entry.get("role")))
                if role is None or not isinstance(entry.get("text"), str):
                    yield missing(source, f"entries[{index}]", "role/text", draft.id)
                    return
                stamp = entry.get("start_timestamp_usec")
                at = seconds(stamp, 1e6) if isinstance(stamp, (int, float)) else None
                draft.relative = draft.relative and (at is None or at < 1e9)
                draft.add_turn(role, entry["text"], at)
        yield draft.finish(source, reader=self)


READER = CcaiReader()
