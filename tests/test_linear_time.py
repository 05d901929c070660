"""Time grows linearly with the input, for a live session's turns and for every reader.

Long pathological texts (runs of quotes, ``<``, emoji, unclosed tags, repeated phrases
that built-in expressions look for, and texts hypothesis makes up) are timed at a size n
and at 4n: the ratio of the times stays near 4 when the work is linear (16 when
quadratic). No test asserts a duration: n is first grown until one run takes long
enough to measure, and only the ratio is asserted. Where the work can be counted (a folder's
walk under many ``--exclude`` globs), the Python instructions executed are counted instead
of timed (`_steps`): the same count on a busy machine as on an idle one.
"""

from __future__ import annotations

import csv
import io
import json
import sys
import time
from collections.abc import Callable
from itertools import count
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from servicecoach import Coach
from servicecoach.readers.base import Source
from servicecoach.readers.registry import detect, get_reader

FIXTURES = Path(__file__).resolve().parent / "readers" / "fixtures"
RATIO = 9.0
"""Allowed t(4n) / t(n): 4 is linear, 16 quadratic; the margin absorbs timing noise."""
MEASURABLE = 0.03
"""Seconds one run at size n must take before the ratio is trusted (n grows until then)."""
START, LARGEST = 1_500, 24_000
"""Sizes n tried, in characters, doubling from START to LARGEST (4n stays under the default
turn limit of 100,000)."""

PATHOLOGICAL = [
    '"', "'", "<", "<v a", "( ", "(", " ", "😀", "here ", "sorry, but ", "if ", "&#",
    "if it breaks then let us know ", "you should have ", "that's our policy ", "<p ",
    "i'm leaving ", "\\", "{", "[", ":", "a", "1 ", "- ", "...", "\u2028", "// ", "To ",
]
UNITS = st.sampled_from(PATHOLOGICAL) | st.text(min_size=1, max_size=6)
_unique = count()


def _best_time(run: Callable[[str], Any], text: str) -> float:
    """The shortest of three runs (each on a text made unique: no cache answers it)."""
    times = []
    for _ in range(3):
        fresh = f"x{next(_unique)} {text}"
        started = time.perf_counter()
        run(fresh)
        times.append(time.perf_counter() - started)
    return min(times)


def _growth(run: Callable[[str], Any], make: Callable[[int], str], start: int = START) -> float:
    """t(4n) / t(n), for the first n from `start` at which a run is long enough to measure."""
    size = start
    base = _best_time(run, make(size))
    while base < MEASURABLE and size < LARGEST:
        size *= 2
        base = _best_time(run, make(size))
    if base < MEASURABLE:
        return 1.0  # too fast to tell even at the largest size: nothing grows here
    growth = _best_time(run, make(4 * size)) / base
    if growth >= RATIO:  # once more: a slow spell of the machine passes, quadratic work stays
        growth = min(growth, _best_time(run, make(4 * size)) / _best_time(run, make(size)))
    return growth


def _repeat(unit: str, size: int) -> str:
    return (unit * (size // len(unit) + 1))[:size]


# --- a live session --------------------------------------------------------------------


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(unit=UNITS, speaker=st.sampled_from(["agent", "customer"]))
def test_add_turn_time_is_linear(coach: Coach, unit: str, speaker: str) -> None:
    def run(text: str) -> None:
        session = coach.session({"customer_name": "Dana Reyes"})
        session.add_turn({"speaker": "customer", "text": "My order never came. Awful."})
        session.add_turn({"speaker": speaker, "text": text})
        session.close()

    assert _growth(run, lambda n: _repeat(unit, n)) < RATIO


@pytest.mark.parametrize("unit", ['"', "'", "<", "😀", "here ", "sorry, but ",
                                  "if it breaks then let us know ", "ha ", 'sorry "x" ',
                                  "thanks!!! ", "I will transfer you "])
def test_add_turn_time_is_linear_on_known_worst_cases(coach: Coach, unit: str) -> None:
    """The texts that once took quadratic (or worse) time, each for both speakers."""
    for speaker in ("agent", "customer"):
        test_add_turn_time_is_linear.hypothesis.inner_test(coach, unit, speaker)  # type: ignore[attr-defined]


@pytest.mark.parametrize(("unit", "promise"), [("re'", " i'll contact you"),
                                               ("ll'", " we'll get back to you")])
def test_a_run_of_apostrophes_before_a_promise_is_read_in_linear_time(
    coach: Coach, unit: str, promise: str,
) -> None:
    """The word before "'ll" in a promise was read by an unbounded repeat from every
    apostrophe of the run before it, to the run's end: an agent turn of 16,000 characters
    of "re're're'..." ending in "i'll contact you" took 7.9 s."""
    def run(text: str) -> None:
        session = coach.session()
        session.add_turn({"speaker": "customer", "text": "Where is my order?"})
        session.add_turn({"speaker": "agent", "text": text})
        session.close()

    assert _growth(run, lambda n: _repeat(unit, n) + promise) < RATIO


@pytest.mark.parametrize(("unit", "tail", "speaker"), [
    ("if ", " let us know", "agent"), ("won ", " yet to receive it", "customer"),
    ("a’", " we’ll contact you", "agent"), ("paid ", " never received", "customer"),
])
def test_look_around_expressions_read_a_bounded_part_of_a_turn(
    coach: Coach, unit: str, tail: str, speaker: str,
) -> None:
    """An expression on Python's re (look-around) tries its window from every word that can
    start a match: an agent turn of 100,000 characters of "if if if ... let us know" took
    1.3 s in the closing offer's expression alone (a 200-character window from each "if"),
    where as many plain words took 0.07 s in all (20 times less). Such expressions read a
    turn's first 10,000 characters, and the hostile turn takes a few times as long as the
    plain one (about 3)."""
    def run(text: str) -> None:
        session = coach.session()
        session.add_turn({"speaker": "customer" if speaker == "agent" else "agent",
                          "text": "Hello there."})
        session.add_turn({"speaker": speaker, "text": text})
        session.close()

    size = 96_000
    hostile = _best_time(run, _repeat(unit, size) + tail)
    assert hostile / _best_time(run, _repeat("a ", size) + tail) < 6


def test_a_turn_of_thousands_of_promises_is_read_in_linear_time(coach: Coach) -> None:
    """Each sentence once looked for its promise among all of the turn's promises, and
    copied the text up to its end: quadratic, yet small next to the rest below 20,000
    characters, so it is measured at the largest size (1.2 s at 96,000 characters)."""
    def run(text: str) -> None:
        session = coach.session()
        session.add_turn({"speaker": "agent", "text": text})
        session.close()

    assert _growth(run, lambda n: _repeat("I'll look into it. ", n), start=LARGEST) < RATIO


# --- every reader ----------------------------------------------------------------------


def _json_fixture(name: str) -> Callable[[str], str]:
    """A fixture export with every text of two words or more replaced by the filler."""
    data = json.loads((FIXTURES / name).read_text(encoding="utf-8"))

    def fill(filler: str) -> str:
        def walk(value: Any) -> Any:
            if isinstance(value, dict):
                return {key: walk(item) for key, item in value.items()}
            if isinstance(value, list):
                return [walk(item) for item in value]
            if isinstance(value, str) and " " in value.strip():
                return filler
            return value

        return json.dumps(walk(data))

    return fill


def _csv(filler: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerows([["conversation_id", "speaker", "text"], ["c1", "agent", "Hello"],
                      ["c1", "customer", filler]])
    return out.getvalue()


_SF_HEADER = "Chat Started: Wednesday, February 26, 2025, 10:27:21 (+0800)\n"
TEMPLATES: dict[str, tuple[str, Callable[[str], str]]] = {
    "json": ("t.json", lambda f: json.dumps({"id": "a", "turns": [
        {"speaker": "agent", "text": "Hello"}, {"speaker": "customer", "text": f}]})),
    "jsonl": ("t.jsonl", lambda f: (json.dumps({"id": "a", "turns": [
        {"speaker": "customer", "text": f}]}) + "\n") * 2),
    "text": ("t.txt", lambda f: f"Agent: Hello\nCustomer: {f}\n  {f}\n"),
    "csv": ("t.csv", _csv),
    "vtt": ("t.vtt", lambda f: f"WEBVTT\n\n00:00.000 --> 00:01.000\n<v Sam>{f}\n\n"
                               f"00:01.000 --> 00:02.000\nDana: {f}\n"),
    "salesforce": ("t.txt", lambda f: f"{_SF_HEADER}( 2s ) Visitor: {f}\n( 5s ) Sam: {f}\n{f}\n"
                                      f"Chat Transferred From {f} To {f}\n"),
    "salesforce-html": ("t.html", lambda f: f"<p>{_SF_HEADER}</p>( 2s ) Visitor: {f}<br>"),
    "connect": ("t.json", _json_fixture("connect_chat_transcript.json")),
    "transcribe": ("t.json", _json_fixture("transcribe_call_analytics.json")),
    "genesys": ("t.json", _json_fixture("genesys/sta_transcript.json")),
    "zendesk": ("t.json", _json_fixture("zendesk_audits.json")),
    "intercom": ("t.json", _json_fixture("intercom_conversation.json")),
    "liveperson": ("t.json", _json_fixture("liveperson_bot.json")),
    "twilio": ("t.json", _json_fixture("twilio/messages.json")),
    "freshdesk": ("t.json", _json_fixture("freshdesk_html.json")),
    "ccai": ("t.json", _json_fixture("ccai_upload.json")),
    "openai": ("t.json", _json_fixture("openai_verbose.json")),
}


def _read(reader: str, name: str, text: str) -> None:
    source = Source(name=name, open_text=lambda: iter(io.StringIO(text, newline="")))
    detect(source)  # may refuse: only the time counts
    list(get_reader(reader.removesuffix("-html")).read(source))


@pytest.mark.parametrize("reader", sorted(TEMPLATES))
@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(unit=UNITS)
def test_reader_time_is_linear(reader: str, unit: str) -> None:
    assert _growth(_reading(reader), lambda n: _repeat(unit, n)) < RATIO


def _reading(reader: str) -> Callable[[str], None]:
    """Reads the reader's template around a filler (refusing the input is fine; hanging is
    not)."""
    name, template = TEMPLATES[reader]

    def run(filler: str) -> None:
        try:
            _read(reader, name, template(filler))
        except Exception:  # noqa: BLE001, S110 - only the time counts
            pass

    return run


@pytest.mark.parametrize("reader", sorted(TEMPLATES))
@pytest.mark.parametrize("unit", ["<", "<v a", "( ", "(" + " " * 9, "<p ", " To", "😀û×£"])
def test_reader_time_is_linear_on_known_worst_cases(reader: str, unit: str) -> None:
    """Texts that once took quadratic time in a reader; the emoji, written as JSON escapes
    in the JSON formats, in the stream parser that looked for a first record's turns."""
    test_reader_time_is_linear.hypothesis.inner_test(reader, unit)  # type: ignore[attr-defined]


@pytest.mark.parametrize(("reader", "unit"), [
    ("salesforce", "\U000efefb\x0b\x18%\x80¶"),  # found by hypothesis: \x0b ends a line
])
def test_reader_time_is_linear_on_many_continuation_lines(reader: str, unit: str) -> None:
    """A turn continued over tens of thousands of lines is joined once, not copied at every
    line (measured at the largest sizes, where copying shows)."""
    run = _reading(reader)
    growth = _best_time(run, _repeat(unit, 4 * LARGEST)) / _best_time(run, _repeat(unit, LARGEST))
    assert growth < RATIO


def test_language_check_reads_a_long_word_once() -> None:
    """The language check reads up to 4,000 characters of a conversation: a run of them
    without a space (a pasted token, a long URL-like word) is read once, not once from each
    of its characters (that took 75 ms for 4,000)."""
    from servicecoach.nlp.language import detect_language

    def check(text: str) -> None:
        for _ in range(10):
            detect_language(text)

    size = 1_000
    growth = _best_time(check, "q" * (4 * size)) / _best_time(check, "q" * size)
    assert growth < RATIO


def test_role_guessing_reads_a_bounded_part_of_a_long_turn() -> None:
    """Who is the agent, where an export names speakers without roles (WebVTT, Twilio,
    diarized speech), is guessed from cues looked for in a turn's first 100,000 characters,
    what a turn is scored on by default: the cues' expressions ran over the whole text, and a
    WebVTT file of one 50 MB cue took 24 s to read. Past that length the guess takes no
    longer for a longer turn."""
    from servicecoach.readers._roles import resolve_roles

    def guess(text: str) -> None:
        resolve_roles(["Sam", "Dana"], {"Sam": [text], "Dana": ["hello"]})

    size = 400_000
    unit = "so the parcel came today "
    growth = _best_time(guess, _repeat(unit, 4 * size)) / _best_time(guess, _repeat(unit, size))
    assert growth < 2


# --- many structural items: events, transfers, reply chains ------------------------------


def _scaled(count_of: Callable[[int], str], size: int) -> float:
    """t(4n) / t(n) of a run over `count_of(n)` items, for n from `size` (grown until a run
    is long enough to measure)."""
    return _growth(lambda text: None if not text else count_of(len(text)), lambda n: "x" * n,
                   start=size)


class _Counted(float):
    """A time that counts the comparisons made with it (sorting and bisection call `<`; a
    count through every turn would call `<=` or `>`)."""

    compared = 0

    def __lt__(self, other: object) -> bool:
        _Counted.compared += 1
        return float(self) < float(other)  # type: ignore[arg-type]

    def __le__(self, other: object) -> bool:
        _Counted.compared += 1
        return float(self) <= float(other)  # type: ignore[arg-type]

    def __gt__(self, other: object) -> bool:
        _Counted.compared += 1
        return float(self) > float(other)  # type: ignore[arg-type]

    def __ge__(self, other: object) -> bool:
        _Counted.compared += 1
        return float(self) >= float(other)  # type: ignore[arg-type]


def test_timed_holds_in_a_long_call_are_placed_in_linear_time() -> None:
    """Each event placed by its time once counted through every turn's start: a call of
    40,000 turns and 10,000 holds took 43 s to score. Placing the events of 4n turns takes
    about 4 times the comparisons n's does (n log n: 4.6 here; 16 when quadratic). Counted,
    not timed: at the end of a full run, 32,000 scattered turns read 9.4 times slower than
    8,000 through the processor's caches alone."""
    from servicecoach.coach import _events_by_turn

    def comparisons(turns: int) -> int:
        call = SimpleNamespace(
            turns=[SimpleNamespace(start=_Counted(i)) for i in range(turns)],
            events=[SimpleNamespace(after_turn=None, at=_Counted(2 * i + 0.5))
                    for i in range(turns // 4)])
        _Counted.compared = 0
        placed = _events_by_turn(call)  # type: ignore[arg-type]
        assert sum(map(len, placed.values())) == turns // 4
        return _Counted.compared

    assert comparisons(32_000) / comparisons(8_000) < 6


def test_many_salesforce_transfer_lines_are_read_in_linear_time() -> None:
    """Each "Chat Transferred From" line once listed every earlier message's time."""
    def run(turns: int) -> str:
        lines = [_SF_HEADER]
        for i in range(turns):
            lines.append(f"( {i}s ) Visitor: hello\n" if i % 4 else
                         f"Chat Transferred From Sam To Dana{i}\n")
        _read("salesforce", "t.txt", "".join(lines))
        return ""

    assert _scaled(run, 8_000) < RATIO


@pytest.mark.parametrize("reader", ["csv", "vtt"])
def test_guessing_the_roles_of_many_speakers_takes_linear_time(reader: str) -> None:
    """Who is the agent was guessed with a list search per speaker: 40,000 speakers of a
    CSV file took 11.8 s to read (10,000: 0.8 s)."""
    def run(speakers: int) -> str:
        if reader == "csv":
            _read("csv", "t.csv", "speaker,text\n" + "".join(
                f"user{i},hello there\n" for i in range(speakers)))
        else:
            _read("vtt", "t.vtt", "WEBVTT\n\n" + "".join(
                f"00:00:{i % 60:02d}.000 --> 00:00:{i % 60:02d}.500\n<v user{i}>hello there\n\n"
                for i in range(speakers)))
        return ""

    assert _scaled(run, 2_000) < RATIO


def test_a_long_twitter_reply_chain_is_threaded_in_linear_time() -> None:
    """Each tweet of a CSV export once walked up to its thread's first tweet: 20,000
    replies in one chain took 57 s."""
    def run(tweets: int) -> str:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["tweet_id", "author_id", "inbound", "created_at", "text",
                         "in_response_to_tweet_id"])
        for i in range(tweets):
            writer.writerow([i + 1, "brand" if i % 2 else "user1", "False" if i % 2 else "True",
                             "Tue Oct 31 22:10:47 +0000 2017", "hello there",
                             i if i else ""])
        _read("csv", "t.csv", out.getvalue())
        return ""

    assert _scaled(run, 4_000) < RATIO


@pytest.mark.parametrize("separator", [" ", "/"])
def test_redaction_reads_digit_groups_in_linear_time(separator: str) -> None:
    """A number that holds no card is read again from its second digit group: a text of
    nothing but digit groups is read again at every group, each time from there on (3 to
    4 s on 90 KB when each reading encoded the whole text again)."""
    from servicecoach.redact import redact_text

    def digit_groups(size: int) -> str:
        return separator.join(f"{n % 100:02d}" for n in range(size // 3))

    assert _growth(redact_text, digit_groups) < RATIO


def _steps(run: Callable[[], object]) -> int:
    """The Python bytecode instructions `run` executes, in its frames and all it calls: a
    count of the work done, the same on a fast machine and a busy one."""
    steps = 0

    def trace(frame: Any, event: str, _: object) -> Any:
        nonlocal steps
        frame.f_trace_opcodes = True
        steps += event == "opcode"
        return trace

    previous = sys.gettrace()
    sys.settrace(trace)
    try:
        run()
    finally:
        sys.settrace(previous)
    return steps


def test_many_exclude_globs_over_many_files_take_linear_work(tmp_path: Path) -> None:
    """Each file of a folder was matched against each `--exclude` glob, and each glob that
    matched nothing against each file again for its warning: 2,000 files and 2,000 globs (a
    list of files already read, given as `--exclude`s) took 49 s before the first was read.
    n files and n globs (half of them naming a file, half none) take linear work now: the
    instructions the walk and the warnings execute are counted (no clock), 4 times the files
    and globs costing about 4 times them (16 times when each file met each glob)."""
    from servicecoach.readers import ExcludeGlobs
    from servicecoach.readers.registry import _folder_inputs

    def folder(files: int) -> tuple[Path, list[str]]:
        made = tmp_path / str(files)
        made.mkdir()
        for i in range(files):
            (made / f"c{i}.txt").write_text("Agent: hi\n", encoding="utf-8")
        return made, [f"c{i}.txt" if i % 2 else f"gone{i}.txt" for i in range(files)]

    def work(made: Path, globs: list[str]) -> int:
        found: list[object] = []

        def walk_and_warn() -> None:
            exclude = ExcludeGlobs(globs)
            found.extend([_folder_inputs(made, exclude), exclude.warnings()])

        steps = _steps(walk_and_warn)
        kept, warnings = found
        assert len(warnings) == len(kept) == len(globs) // 2  # type: ignore[arg-type]
        return steps

    _folder_inputs(folder(4)[0])  # the readers registered before anything is counted
    assert work(*folder(1_200)) / work(*folder(300)) < RATIO


def test_many_wildcard_exclude_globs_that_match_nothing_take_linear_work(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A wildcard `--exclude` glob that matched no file was tried, for its warning, on the
    name and the path of every file of the folders: n files and n such globs (`gone-17*.txt`)
    made n * n matches (8,000 of each: 13 s for the warnings, until 2026-12-07). The globs
    are filed by their literal start or end, and a name or a path is matched only against
    those it starts or ends with. The globs' matches are counted (no clock): 4 times the
    files and the globs make about 4 times the matches (16 times when each met each)."""
    import re

    from servicecoach.readers import ExcludeGlobs, folders
    from servicecoach.readers.registry import _folder_inputs

    matches = 0

    class Counted:
        def __init__(self, pattern: re.Pattern[str]) -> None:
            self.pattern = pattern

        def match(self, text: str) -> re.Match[str] | None:
            nonlocal matches
            matches += 1
            return self.pattern.match(text)

    monkeypatch.setattr(folders, "re", SimpleNamespace(
        compile=lambda *args: Counted(re.compile(*args))))

    def work(files: int) -> int:
        nonlocal matches
        made = tmp_path / str(files)
        made.mkdir()
        for i in range(files):
            (made / f"c{i}.txt").write_text("Agent: hi\n", encoding="utf-8")
        globs = [f"c{i}.t*" if i % 2 else f"gone{i}*.txt" for i in range(files)]
        matches = 0
        exclude = ExcludeGlobs(globs)
        kept = _folder_inputs(made, exclude)
        warnings = exclude.warnings()
        assert sorted(path.name for path in kept) == sorted(
            f"c{i}.txt" for i in range(0, files, 2))
        assert warnings == [f"warning: --exclude 'gone{i}*.txt' matches no file in the folders "
                            "named (a file named on the command line is read whatever it "
                            "matches)" for i in range(0, files, 2)]
        return matches

    _folder_inputs(tmp_path)  # the readers registered before anything is counted
    small, large = work(300), work(1_200)
    assert large / small < RATIO, (small, large)
