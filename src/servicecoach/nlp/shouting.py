"""Shouting: a text written mostly in upper case."""

from __future__ import annotations

import re
import string

_LETTERS = re.compile(r"[^\W\d_]+")
_ASCII_LETTERS = string.ascii_letters.encode()
_ASCII_UPPER = string.ascii_uppercase.encode()


def is_shouting(text: str, min_letters: int, share: float) -> bool:
    """True when a text is mostly upper case and long enough to tell."""
    if text.isascii():  # the letters are a-z and A-Z: count them in C, as bytes
        raw = text.encode("ascii")
        letters = len(raw) - len(raw.translate(None, _ASCII_LETTERS))
        upper = len(raw) - len(raw.translate(None, _ASCII_UPPER))
    else:
        found = "".join(_LETTERS.findall(text))
        letters, upper = len(found), sum(map(str.isupper, found))
    return letters >= max(min_letters, 1) and upper / letters >= share


# Three or more words in capitals, or two with ten letters or more: "FIX THIS YT", "EIGHT
# TIMES", "PLZ FIX IT", but not acronyms and product names ("PS4 GTA", "GTA ONLINE"). A match starts only at a word's start and the
# classes do not overlap, so the search is linear.
_CAPITAL_RUN = re.compile(r"\b[A-Z][A-Z']*[A-Z]\b(?:[ \t]+\b[A-Z][A-Z']*[A-Z]\b)+")
_MIN_RUN_LETTERS = 6
_MIN_PAIR_LETTERS = 10
_QUOTES = "\"'“”‘’«»「」"


def shouted_words(text: str) -> tuple[int, int] | None:
    """The character span of the first run of words in capitals, or None."""
    if text.isascii() and len(text) - len(text.encode("ascii").translate(None, _ASCII_UPPER)) \
            < _MIN_RUN_LETTERS:
        return None  # too few capitals for a run (counted in C)
    for run in _CAPITAL_RUN.finditer(text):
        start, end = run.span()
        if 0 < start and end < len(text) and text[start - 1] in _QUOTES and text[end] in _QUOTES:
            continue  # a label quoted as it is shown ("KESTREL VRFY"), not a raised voice
        letters = sum(char.isalpha() for char in run.group())
        words = len(run.group().split())
        if letters >= (_MIN_RUN_LETTERS if words >= 3 else _MIN_PAIR_LETTERS):
            return run.span()
    return None
