"""What the rows of an ETL stream look like: the loader's wrapper and the part-per-row shapes.

Warehouse loaders write one JSON object per line. Airbyte wraps each record as
``{"stream": "conversation_parts", "data": {...}, "emitted_at": 1736209152327}`` (its
protocol message ``{"type": "RECORD", "record": {...}}`` around that; its raw tables
``{"_airbyte_raw_id": ..., "_airbyte_data": {...}}``). Conversation platforms' streams then
hold one message per row: an Intercom conversation part, a Zendesk ticket comment or audit.
The export readers use `looks_like_etl` to leave such files to the ``etl`` reader.
"""

from __future__ import annotations

import json
from typing import Any

from servicecoach.readers.base import file_lines, json_loads

INTERCOM_PART = "intercom conversation part"
ZENDESK_COMMENT = "zendesk ticket comment"
ZENDESK_AUDIT = "zendesk ticket audit"
_PROTOCOL = frozenset({"RECORD", "STATE", "LOG", "TRACE", "SPEC", "CATALOG", "CONNECTION_STATUS",
                       "CONTROL"})
"""Airbyte protocol message types; only ``RECORD`` carries data."""
_WRAPPER_STARTS = ('{"stream"', '{"type": "RECORD"', '{"type":"RECORD"', '{"_airbyte_')


def unwrap(record: Any) -> tuple[str | None, Any] | None:
    """(stream name, data) of a loader's wrapper; None when `record` is not one. A protocol
    message that is not a record (``STATE``, ``LOG``, ``TRACE``) gives (None, None)."""
    if not isinstance(record, dict):
        return None
    if record.get("type") in _PROTOCOL:
        inner = record.get("record")
        return unwrap(inner) if isinstance(inner, dict) else (None, None)
    if isinstance(record.get("stream"), str) and "data" in record:
        return record["stream"], record["data"]
    if "_airbyte_data" in record:
        data = record["_airbyte_data"]
        if isinstance(data, str):
            try:
                return None, json_loads(data)
            except json.JSONDecodeError:
                return None, data  # reported as a record that is not an object
        return None, data
    return None


def row_kind(data: Any) -> str | None:
    """Which part-per-row shape `data` is (`INTERCOM_PART`, `ZENDESK_COMMENT`,
    `ZENDESK_AUDIT`), or None for a record of any other kind."""
    if not isinstance(data, dict):
        return None
    if "conversation_id" in data and ("part_type" in data or data.get("type") == "conversation_part"):
        return INTERCOM_PART
    if "ticket_id" in data and isinstance(data.get("events"), list):
        return ZENDESK_AUDIT
    if "ticket_id" in data and "author_id" in data and any(
            key in data for key in ("html_body", "plain_body", "body")):
        return ZENDESK_COMMENT
    return None


def looks_like_etl(head: str) -> bool:
    """True when the start of a file is loader-wrapped records, or rows of a part-per-row
    shape (at least two lines of them, so that one exported object stays its reader's)."""
    lines = [line.strip() for line in file_lines(head) if line.strip()]
    if not lines or not lines[0].startswith("{"):
        return False
    try:
        first = json_loads(lines[0])
    except json.JSONDecodeError:  # a first line longer than the head
        return lines[0].startswith(_WRAPPER_STARTS)
    if unwrap(first) is not None:
        return True
    return len(lines) > 1 and row_kind(first) is not None
