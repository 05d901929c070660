"""OpenAI: diarized transcription JSON and chat ``messages``.

- Diarized transcription (``response_format=diarized_json``): ``segments[]`` with
  ``speaker``, ``text``, ``start`` and ``end`` (seconds). A speaker labelled ``agent`` or
  ``customer`` has that role; other labels (``A``, ``B``) are mapped by the
  ``roles``/``agent`` options or the role heuristic. Whisper ``verbose_json`` has no
  speakers and is reported as such.
- Chat ``messages`` (``{"messages": [...]}`` or a bare list): ``user`` is the customer,
  ``assistant`` the agent, ``system``/``developer``/``tool`` are system (``roles`` can
  remap, e.g. ``assistant=system`` for a bot). Content parts are joined.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from servicecoach.errors import InputError
from servicecoach.models import speaker_named
from servicecoach.readers._common import Draft, JsonExportReader, missing, stem
from servicecoach.readers.base import ReadResult, Source

_CHAT_ROLES = {"user": "customer", "assistant": "agent", "system": "system",
               "developer": "system", "tool": "system", "function": "system"}


def _content(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        texts = [part.get("text") for part in value if isinstance(part, dict)]
        return "\n".join(t for t in texts if isinstance(t, str)) or None
    return None


class OpenAiReader(JsonExportReader):
    """OpenAI diarized transcription JSON and chat messages."""

    name = "openai"
    description = "OpenAI diarized transcription JSON and chat messages"

    def sniff(self, source: Source, head: str) -> bool:
        if not head.lstrip().startswith(("{", "[")):
            return False
        messages = '"role"' in head and '"content"' in head and '"author"' not in head and (
            '"messages"' in head or head.lstrip().startswith("["))
        transcription = '"segments"' in head and '"task"' in head
        return messages or transcription or '"transcript.text.segment"' in head

    def transcripts(self, data: Any, source: Source) -> Iterator[ReadResult]:
        if isinstance(data, dict) and isinstance(data.get("segments"), list):
            yield self._diarized(data, source)
            return
        messages = data.get("messages") if isinstance(data, dict) else data
        if not isinstance(messages, list):
            yield missing(source, "", "messages", None)
            return
        draft = Draft(id=str((data.get("id") if isinstance(data, dict) else None) or stem(source)))
        for index, message in enumerate(messages):
            role = message.get("role") if isinstance(message, dict) else None
            text = _content(message.get("content")) if isinstance(message, dict) else None
            if role not in _CHAT_ROLES:
                yield missing(source, f"messages[{index}]", "role", draft.id)
                return
            if text is None:
                draft.drop("messages_without_text")
                continue
            draft.add_turn(_CHAT_ROLES[role], text.strip(), label=role)
        yield draft.finish(source, reader=self)

    def _diarized(self, data: dict[str, Any], source: Source) -> ReadResult:
        draft = Draft(id=str(data.get("id") or stem(source)), channel="voice", relative=True)
        segments = data["segments"]
        if segments and all("speaker" not in s for s in segments if isinstance(s, dict)):
            return InputError(
                "the transcription has no speakers (Whisper verbose_json)", source=source.name,
                hint="transcribe with response_format=diarized_json to get speaker labels",
            )
        for index, segment in enumerate(segments):
            if not isinstance(segment, dict) or not isinstance(segment.get("text"), str):
                return missing(source, f"segments[{index}]", "text", draft.id)
            label = str(segment.get("speaker") or "unknown")
            named = speaker_named(label)
            draft.add_turn(named.value if named is not None else None, segment["text"].strip(),
                           segment.get("start"), segment.get("end"), label=label)
        return draft.finish(source, reader=self)


READER = OpenAiReader()
