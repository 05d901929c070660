"""Shared helpers: time parsing, HTML to text, lenient JSON, role heuristic."""

from __future__ import annotations

from pathlib import Path

import pytest

from servicecoach.errors import InputError
from servicecoach.readers._common import load_json
from servicecoach.readers._html import html_to_text, plain_text
from servicecoach.readers._roles import resolve_roles
from servicecoach.readers._time import (
    clock_seconds,
    relative_seconds,
    to_epoch,
    usable_time,
)
from servicecoach.readers.base import Source


@pytest.mark.parametrize(("value", "expected"), [
    ("2017-10-31T22:10:47Z", 1509487847.0),
    ("2017-10-31T22:10:47.250+00:00", 1509487847.25),
    ("2017-10-31 23:10:47+0100", 1509487847.0),
    ("2021-04-2T15:30:51.418Z", 1617377451.418),  # unpadded day (Genesys sample)
    ("2025-08-11T06:03:46.6390101+00:00", 1754892226.639010),  # 7 fraction digits (Teams)
    ("Tue Oct 31 22:10:47 +0000 2017", 1509487847.0),
    ("Wednesday, February 26, 2025, 10:27:21 (+0800)", 1740536841.0),
    ("2016-08-29 14:30:24.565+0000", 1472481024.565),
    ("2012-11-16 223622 UTC", 1353105382.0),
    (1472481024565, 1472481024.565),  # epoch ms
    (1472481024, 1472481024.0),  # epoch s
    (1472481024565000, 1472481024.565),  # epoch µs
    ("1472481024565", 1472481024.565),
])
def test_to_epoch(value: object, expected: float) -> None:
    assert to_epoch(value) == pytest.approx(expected)


@pytest.mark.parametrize("value", ["undefined", "", None, "soon"])
def test_to_epoch_rejects(value: object) -> None:
    assert to_epoch(value) is None


@pytest.mark.parametrize("value", [True, False])
def test_to_epoch_of_true_or_false_is_no_usable_time(value: bool) -> None:
    """Not no time (None), which a reader takes for a turn the export did not time: a time
    that cannot be used, refused naming what the export wrote."""
    time = to_epoch(value)
    assert time is not None and not usable_time(time)
    assert repr(time) == f"{str(value).lower()} (true or false, not a number)"


def test_clock_and_relative_times() -> None:
    assert clock_seconds("0:0:5.320") == pytest.approx(5.32)
    assert clock_seconds("01:02:03.5") == pytest.approx(3723.5)
    assert clock_seconds("00:13.000") == 13.0
    with pytest.raises(ValueError):
        clock_seconds("1:xx")
    assert relative_seconds("( 1m 32s )") == 92.0
    assert relative_seconds("( 2s )") == 2.0
    assert relative_seconds("1h 5m") == 3900.0
    assert relative_seconds("Visitor") is None


def test_html_to_text_keeps_breaks_and_unescapes() -> None:
    markup = '<div class="x"><p>Hi &amp; welcome</p><p>Line<br>two &lt;3</p><script>x()</script></div>'
    assert html_to_text(markup) == "Hi & welcome\nLine\ntwo <3"
    assert plain_text("no tags, only  spaces ") == "no tags, only  spaces"
    assert plain_text("Tom &amp; Jerry") == "Tom & Jerry"


def test_load_json_tolerates_doc_defects_and_reports_elisions(tmp_path: Path) -> None:
    defects = tmp_path / "d.json"
    defects.write_text('{"a": "http://x", // comment\n "b": 1\n}\n}\n')
    assert load_json(Source.from_path(defects)) == {"a": "http://x", "b": 1}
    lines = tmp_path / "l.json"
    lines.write_text('{"a": 1}\n{"a": 2}\n')
    assert load_json(Source.from_path(lines)) == [{"a": 1}, {"a": 2}]
    elided = tmp_path / "e.json"
    elided.write_text('{"a": [\n1,\n...\n]}')
    with pytest.raises(InputError, match="elided") as caught:
        load_json(Source.from_path(elided))
    assert caught.value.location == "line 3"


def test_role_heuristic() -> None:
    texts = {"A": ["Hi, I want to cancel my subscription"], "B": ["Thank you for calling Acme"]}
    assert resolve_roles(["A", "B"], texts) == ({"A": "customer", "B": "agent"}, "heuristic")
    silent = {"A": ["hello"], "B": ["hello"]}
    assert resolve_roles(["A", "B"], silent) == ({"A": "agent", "B": "customer"}, "heuristic")
    assert resolve_roles(["A", "B"], silent, agent="B") == ({"B": "agent", "A": "customer"}, "user")
    assert resolve_roles(["A", "B"], silent, known={"B": "agent"})[0] == {"B": "agent", "A": "customer"}
