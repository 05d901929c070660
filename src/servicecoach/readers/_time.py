"""Time parsing shared by the readers: every form the exports use, to plain seconds.

Absolute times (ISO 8601 strings, epoch seconds/milliseconds/microseconds, the Twitter
``Tue Oct 31 22:10:47 +0000 2017`` form, Salesforce ``Wednesday, February 26, 2025,
10:27:21 (+0800)``) become epoch seconds; readers subtract the earliest one so that turn
times are seconds from the start of the conversation. Clock times (``01:02.5``,
unpadded ``0:0:5.320``) and relative offsets (``( 1m 32s )``) become seconds directly.
"""

from __future__ import annotations

import math
import re
from datetime import datetime, timedelta, timezone
from typing import Any

from servicecoach.models import replace_lone_surrogates
from servicecoach.nlp.safe_regex import linear

_ISO = re.compile(
    r"^(?P<y>\d{4})-(?P<mo>\d{1,2})-(?P<d>\d{1,2})(?:[T ](?P<h>\d{1,2}):(?P<mi>\d{1,2})"
    r"(?::(?P<s>\d{1,2})(?:[.,](?P<f>\d+))?)?)?\s*(?P<tz>Z|UTC|[+-]\d{2}:?\d{2})?$",
    re.IGNORECASE,
)
_COMPACT = re.compile(r"^(\d{4}-\d{2}-\d{2}) (\d{2})(\d{2})(\d{2}) UTC$")  # Zendesk Talk
_PAREN_ZONE = linear(r"^(?P<text>.+?),?\s*\((?P<tz>[+-]\d{4})\)$")
_WORDY_FORMATS = (
    "%a %b %d %H:%M:%S %z %Y",  # Twitter: Tue Oct 31 22:10:47 +0000 2017
    "%A, %B %d, %Y, %H:%M:%S %z",  # Salesforce: Wednesday, February 26, 2025, 10:27:21 +0800
    "%a, %d %b %Y %H:%M:%S %z",  # RFC 2822
)
_RELATIVE = linear(r"^\(?\s*(?:(\d+)h\s*)?(?:(\d+)m\s*)?(?:(\d+(?:\.\d+)?)s)?\s*\)?$")


LATEST_EPOCH = 253_402_300_799.0
"""9999-12-31T23:59:59Z, the last time `datetime` can show: a later (or infinite, or NaN)
time is not a time."""
EARLIEST_EPOCH = -62_135_596_800.0
"""0001-01-01T00:00:00Z, the first time `datetime` can show: an earlier time is not a time."""


def usable_time(value: float) -> bool:
    """Whether `value` is a finite number of seconds from `EARLIEST_EPOCH` to `LATEST_EPOCH`
    (as an offset: at most that far back)."""
    try:
        return math.isfinite(value) and EARLIEST_EPOCH <= value <= LATEST_EPOCH
    except (OverflowError, TypeError):  # an integer too large for a float
        return False


def epoch_from_number(value: float) -> float:
    """Epoch seconds from a number in seconds, milliseconds or microseconds (by magnitude);
    an integer too large for a float gives infinity (which `usable_time` refuses)."""
    try:
        value = float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf
    if abs(value) >= 1e14:
        return value / 1e6
    if abs(value) >= 1e11:
        return value / 1e3
    return float(value)


def to_epoch(value: object) -> float | None:
    """Epoch seconds from an absolute time in any supported form; None if it is not one;
    true or false is `boolean_time`."""
    if isinstance(value, bool):
        return boolean_time(value)
    if value is None:
        return None
    if isinstance(value, (int, float)):
        return epoch_from_number(value)
    if not isinstance(value, str) or not value.strip():
        return None
    text = replace_lone_surrogates(value.strip())  # RE2 reads UTF-8, which has none
    if re.fullmatch(r"-?\d+(?:\.\d+)?", text):
        return epoch_from_number(float(text))
    if compact := _COMPACT.match(text):
        text = f"{compact[1]}T{compact[2]}:{compact[3]}:{compact[4]}Z"
    if iso := _ISO.match(text):
        return _iso_epoch(iso)
    if paren := _PAREN_ZONE.match(text):
        text = f"{paren['text']} {paren['tz']}"
    for pattern in _WORDY_FORMATS:
        try:
            return _shown_in_utc(text, datetime.strptime(text, pattern).timestamp())
        except ValueError:
            continue
    return None


def _shown_in_utc(text: str, epoch: float) -> float:
    """`epoch`, the time `text` writes, or an `UnusableTime` when its offset takes it out
    of the years `datetime` can show in UTC (``0001-01-01T00:00:00+05:00``)."""
    if epoch < EARLIEST_EPOCH:
        return _unusable(text, "earlier than 0001-01-01T00:00:00Z")
    if epoch > LATEST_EPOCH:
        return _unusable(text, "later than 9999-12-31T23:59:59Z")
    return epoch


class UnusableTime(float):
    """A time an export writes that is no time (month 13, 30 February, an offset of a day):
    NaN, which `usable_time` refuses, shown in errors as what the export wrote and why."""

    shown: str

    def __repr__(self) -> str:
        return self.shown

    def __add__(self, other: object) -> UnusableTime:
        """NaN plus or minus anything is NaN: the sum keeps what the export wrote."""
        return self

    __radd__ = __sub__ = __rsub__ = __add__


def _unusable(text: str, why: str) -> UnusableTime:
    made = UnusableTime(math.nan)
    made.shown = f"{text!r} ({why})"
    return made


def boolean_time(value: bool) -> UnusableTime:
    """A time an export gives as true or false (a wrong field mapping), which Python would
    read as 1 or 0: no time, shown as the export wrote it."""
    made = UnusableTime(math.nan)
    made.shown = f"{str(value).lower()} (true or false, not a number)"
    return made


def seconds(value: Any, per_second: float = 1.0) -> float:
    """A time, offset or duration an export gives as a number (or a string of one:
    Transcribe writes ``"1.5"``) of ``1 / per_second`` seconds (milliseconds: 1000), in
    seconds; true or false is `boolean_time`. TypeError or ValueError for anything else
    (a record of a structure the reader did not expect)."""
    if isinstance(value, bool):
        return boolean_time(value)
    return float(value) / per_second


def _iso_epoch(match: re.Match[str]) -> float:
    fraction = (match["f"] or "0")[:6].ljust(6, "0")
    hour, minute, second = int(match["h"] or 0), int(match["mi"] or 0), int(match["s"] or 0)
    later = 0
    if hour == 24 and minute == second == int(fraction) == 0:  # ISO 8601's end of a day
        hour, later = 23, 3600
    if second == 60:  # a leap second: the next minute's start, as POSIX time has it
        second, later = 59, 1
    try:
        stamp = datetime(int(match["y"]), int(match["mo"]), int(match["d"]), hour, minute,
                         second, int(fraction), tzinfo=_zone(match["tz"]))
    except ValueError as error:
        return _unusable(match[0], str(error))
    return _shown_in_utc(match[0], stamp.timestamp() + later)


def _zone(text: str | None) -> timezone:
    if text is None or text.upper() in ("Z", "UTC"):
        return timezone.utc
    digits = text.replace(":", "")
    sign = -1 if digits[0] == "-" else 1
    offset = timedelta(hours=int(digits[1:3]), minutes=int(digits[3:5]))
    if offset >= timedelta(hours=24):
        raise ValueError(f"a UTC offset must be under 24 hours, not {text}")
    return timezone(sign * offset)


def iso_utc(epoch: float) -> str:
    """An epoch time as an ISO 8601 UTC string (for metadata such as ``started_at``)."""
    return datetime.fromtimestamp(epoch, tz=timezone.utc).isoformat().replace("+00:00", "Z")


class ClockRangeError(ValueError):
    """A clock time whose minutes or seconds are 60 or more (``99:99``)."""


def clock_seconds(text: str) -> float:
    """``ss.fff``, ``mm:ss.fff``, ``hh:mm:ss.fff``, padded or not (``0:0:5.320``), to seconds.

    Raises ValueError when `text` is not a clock time, and `ClockRangeError` when a minute
    or second after the first part is 60 or more (the first may run on: ``75:30`` is 75
    minutes), as a clock's never is.
    """
    parts = text.strip().replace(",", ".").split(":")
    if not 1 <= len(parts) <= 3 or not all(re.fullmatch(r"\d+(?:\.\d+)?", p) for p in parts):
        raise ValueError(f"not a clock time: {text!r}")
    seconds = 0.0
    for index, part in enumerate(parts):
        value = float(part)
        if index and value >= 60:
            unit = "seconds" if index == len(parts) - 1 else "minutes"
            raise ClockRangeError(f"clock time {text.strip()[:40]!r} has {unit} {part[:20]}: "
                                  "minutes and seconds run from 00 to 59")
        seconds = seconds * 60 + value
    return seconds


def relative_seconds(text: str) -> float | None:
    """``( 1m 32s )``, ``2s``, ``1h 5m`` to seconds; None when `text` is not such an offset."""
    match = _RELATIVE.match(text.strip())
    if match is None or not any(match.groups()):
        return None
    hours, minutes, seconds = (float(g) if g else 0.0 for g in match.groups())
    return hours * 3600 + minutes * 60 + seconds
