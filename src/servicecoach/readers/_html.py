"""HTML message bodies to plain text: line breaks kept, entities unescaped, no tags."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

from servicecoach.nlp.safe_regex import linear

_BLOCK = {
    "p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre",
    "ul", "ol", "table", "hr", "section", "article", "header", "footer",
}
_SKIP = {"script", "style", "head", "title"}
_TAG = linear(r"(?i)<\s*/?\s*(?:p|br|div|span|a|b|i|u|em|strong|ul|ol|li|table|tr|td|h[1-6]|img|blockquote)\b[^>]*>")
_TAG_OR_BRACKET = linear(r"<[^<>]*>|<")


class _TextCollector(HTMLParser):
    """The text of a fragment, without what `_SKIP` elements hold; an element of them that
    is never closed (a "<script>" or "<title>" typed into a message, not markup) gives its
    text back at the end, so the messages after it are not lost."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0
        self._skipped: list[str] = []

    def close(self) -> None:
        if self.cdata_elem is not None:  # "<script>" never closed: what follows is markup
            rest, self.rawdata = self.rawdata, ""
            self.clear_cdata_mode()
            self._give_back()
            self.feed(rest)
        super().close()
        self._give_back()

    def _give_back(self) -> None:
        """The text of the skipped elements still open, as text."""
        self.parts.extend(self._skipped)
        self._skipped.clear()
        self._skipping = 0

    def _out(self) -> list[str]:
        return self._skipped if self._skipping else self.parts

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self._skipping += 1
        elif tag in _BLOCK:
            self._out().append("\n")
        elif tag == "img":
            alt = dict(attrs).get("alt")
            if alt:
                self._out().append(alt)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self._skipping = max(0, self._skipping - 1)
            if not self._skipping:
                self._skipped.clear()
        elif tag in _BLOCK and tag != "br":
            self._out().append("\n")

    def handle_data(self, data: str) -> None:
        self._out().append(data)


_ENTITY = re.compile(r"&(?:#\d+|#x[0-9a-f]+|[a-z]+\d*);", re.IGNORECASE)


def looks_like_html(text: str) -> bool:
    """True when `text` contains common HTML tags or character entities."""
    return bool(_TAG.search(text) or _ENTITY.search(text))


def _escape_stray(bracket: Any) -> str:
    """A complete tag as it is; a ``<`` that opens none escaped (the HTML parser would look
    for the end of such a tag in all the rest of the text, for each one: quadratic)."""
    found: str = bracket.group()
    return found if len(found) > 1 else "&lt;"


def html_to_text(markup: str) -> str:
    """Plain text of an HTML fragment: one line per block or ``<br>``, spaces collapsed."""
    collector = _TextCollector()
    collector.feed(_TAG_OR_BRACKET.sub(_escape_stray, markup))
    collector.close()
    lines = [re.sub(r"[ \t\r\f\v\u00a0]+", " ", line).strip()
             for line in "".join(collector.parts).split("\n")]
    text = "\n".join(lines)
    return re.sub(r"\n{2,}", "\n", text).strip()


def plain_text(body: str) -> str:
    """`body` as plain text: converted when it looks like HTML, else only stripped."""
    return html_to_text(body) if looks_like_html(body) else body.strip()
