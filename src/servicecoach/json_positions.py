"""Where the records of a JSON document start, and their turns, by line: annotations on a
canned JSON transcript point at the turn, not at line 1."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class RecordLines:
    """The line a record's object opens on and the line of each element of its ``turns``."""

    line: int
    turns: list[int] = field(default_factory=list)


def record_lines(text: str) -> list[RecordLines]:
    """For a JSON document holding one record object or an array of them: each record's
    line and its turns' lines, in order. Assumes valid JSON (parse it first)."""
    records: list[RecordLines] = []
    stack: list[list[str | None]] = []  # per open container: [bracket, current key]
    record_depth = -1
    key: str | None = None
    line, index, size = 1, 0, len(text)
    while index < size:
        char = text[index]
        if char == '"':
            end = index + 1
            while text[end] != '"':
                end += 2 if text[end] == "\\" else 1
            key = text[index + 1:end]
            index = end + 1
            continue
        if char == "\n":
            line += 1
        elif char == ":" and stack:
            stack[-1][1] = key
        elif char == "," and stack:
            stack[-1][1] = None
        elif char in "{[":
            if char == "{" and (not stack or (len(stack) == 1 and stack[0][0] == "[")):
                records.append(RecordLines(line))
                record_depth = len(stack)
            elif (char == "{" and len(stack) == record_depth + 2 and stack[-1][0] == "["
                  and stack[record_depth][1] == "turns"):
                records[-1].turns.append(line)
            stack.append([char, None])
        elif char in "}]":
            stack.pop()
        index += 1
    return records
