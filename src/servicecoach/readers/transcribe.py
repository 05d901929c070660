"""AWS Transcribe: batch output with speaker or channel labels, and Call Analytics output.

- Batch (``results.items[]`` with ``speaker_label`` or ``channel_labels``): words are
  joined into turns, one per run of the same speaker; punctuation sticks to the word
  before it. ``results.audio_segments[]`` is used instead when present. Labels
  (``spk_0``, ``ch_1``) say nothing about roles: the ``roles``/``agent`` options map them,
  otherwise the heuristic of `servicecoach.readers._roles` decides.
- Call Analytics (``Transcript[]`` with ``ParticipantRole`` and ``BeginOffsetMillis``) and
  its streaming ``UtteranceEvent`` records (non-partial ones).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from servicecoach.readers._common import Draft, JsonExportReader, first, missing, stem
from servicecoach.readers._time import seconds
from servicecoach.readers.base import ReadResult, Source

_ROLES = {"AGENT": "agent", "CUSTOMER": "customer"}


class TranscribeReader(JsonExportReader):
    """AWS Transcribe batch (speaker/channel labels) and Call Analytics JSON."""

    name = "transcribe"
    description = "AWS Transcribe output with speaker labels, and Call Analytics output"

    def sniff(self, source: Source, head: str) -> bool:
        if not head.lstrip().startswith(("{", "[")):
            return False
        batch = '"results"' in head and ('"items"' in head or '"speaker_labels"' in head
                                         or '"channel_labels"' in head)
        analytics = ('"ParticipantRole"' in head and '"ParticipantId"' not in head
                     and ('"JobStatus"' in head or '"JobName"' in head))
        return batch or analytics or '"UtteranceEvent"' in head

    def transcripts(self, data: Any, source: Source) -> Iterator[ReadResult]:
        if isinstance(data, dict) and isinstance(data.get("results"), dict):
            yield self._batch(data, source)
        elif isinstance(data, dict) and isinstance(data.get("Transcript"), list):
            yield self._analytics(data, source)
        else:
            yield self._utterances(data if isinstance(data, list) else [data], source)

    def _batch(self, data: dict[str, Any], source: Source) -> ReadResult:
        results = data["results"]
        draft = Draft(id=str(data.get("jobName") or stem(source)), channel="voice", relative=True)
        segments = results.get("audio_segments")
        if isinstance(segments, list) and segments:
            for index, segment in enumerate(segments):
                label = first(segment, "speaker_label", "channel_label")
                if label is None or not isinstance(segment.get("transcript"), str):
                    return missing(source, f"audio_segments[{index}]", "speaker_label", draft.id)
                draft.add_turn(None, segment["transcript"], seconds(segment["start_time"]),
                               seconds(segment["end_time"]), label=label)
            return draft.finish(source, reader=self)
        words = self._labelled_words(results)
        if isinstance(words, str):
            return missing(source, words, "speaker_label", draft.id)
        runs: list[dict[str, Any]] = []
        for label, start, end, content, punctuation in words:
            if punctuation and runs:
                runs[-1]["words"].append(content)
            elif not runs or runs[-1]["label"] != label:
                runs.append({"label": label, "words": [content], "start": start, "end": end})
            else:
                runs[-1]["words"].append(" " + content)
                runs[-1]["end"] = end
        for run in runs:  # words joined once per run: appending each would be quadratic
            draft.add_turn(None, "".join(run["words"]), run["start"], run["end"],
                           label=run["label"])
        return draft.finish(source, reader=self)

    @staticmethod
    def _labelled_words(results: dict[str, Any]) -> list[tuple[Any, ...]] | str:
        """(label, start, end, content, is_punctuation) per item; a location on error."""
        items = results.get("items") or []
        labels = {}
        for channel in (results.get("channel_labels") or {}).get("channels") or []:
            for item in channel.get("items") or []:
                labels[item.get("start_time")] = channel.get("channel_label")
        for segment in (results.get("speaker_labels") or {}).get("segments") or []:
            for item in segment.get("items") or []:
                labels[item.get("start_time")] = item.get("speaker_label")
        words = []
        label = None
        for index, item in enumerate(items):
            punctuation = item.get("type") == "punctuation"
            alternatives = item.get("alternatives") or [{}]
            content = alternatives[0].get("content", "")
            if not punctuation:
                label = item.get("speaker_label") or item.get("channel_label") or labels.get(
                    item.get("start_time"))
                if label is None:
                    return f"results.items[{index}]"
            start, end = item.get("start_time"), item.get("end_time")
            words.append((label, None if start in (None, "") else seconds(start),
                          None if end in (None, "") else seconds(end), content, punctuation))
        return words

    def _analytics(self, data: dict[str, Any], source: Source) -> ReadResult:
        draft = Draft(id=str(data.get("JobName") or stem(source)), channel="voice", relative=True)
        for index, item in enumerate(data["Transcript"]):
            speaker = _ROLES.get(str(item.get("ParticipantRole")).upper())
            if speaker is None:
                return missing(source, f"Transcript[{index}]", "ParticipantRole", draft.id)
            if not isinstance(item.get("Content"), str):
                return missing(source, f"Transcript[{index}]", "Content", draft.id)
            draft.add_turn(speaker, item["Content"], seconds(item.get("BeginOffsetMillis", 0), 1000),
                           seconds(item.get("EndOffsetMillis", 0), 1000))
        return draft.finish(source, reader=self)

    def _utterances(self, records: list[Any], source: Source) -> ReadResult:
        draft = Draft(id=stem(source), channel="voice", relative=True)
        for index, record in enumerate(records):
            event = record.get("CallAnalyticsTranscriptResultStream", record) if isinstance(
                record, dict) else {}
            utterance = event.get("UtteranceEvent")
            if not isinstance(utterance, dict):
                draft.drop("non_utterance_events")
                continue
            if utterance.get("IsPartial"):
                continue
            speaker = _ROLES.get(str(utterance.get("ParticipantRole")).upper())
            if speaker is None or not isinstance(utterance.get("Transcript"), str):
                return missing(source, f"record {index}", "ParticipantRole/Transcript", draft.id)
            draft.add_turn(speaker, utterance["Transcript"],
                           seconds(utterance.get("BeginOffsetMillis", 0), 1000),
                           seconds(utterance.get("EndOffsetMillis", 0), 1000))
        return draft.finish(source, reader=self)


READER = TranscribeReader()
