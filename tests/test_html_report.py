"""The HTML report: one file that works offline, escapes everything, and stays usable with
10,000 conversations, checked in Debian's headless Chromium (the browser tests skip, saying
why, where it is not installed; `.ci/run` installs it). Screenshots are kept in
test-artifacts/."""

from __future__ import annotations

import io
import json
import random
import re
from collections.abc import Iterable, Iterator
from itertools import pairwise
from pathlib import Path

import pytest
from headless_chromium import Page, chromium_path
from summary_cases import finding, four_reports, report

from servicecoach import Coach, Transcript
from servicecoach.cli import main
from servicecoach.errors import InputError
from servicecoach.html_report import GROUP_ROWS, HtmlReport
from servicecoach.models import Turn
from servicecoach.parallel import Rendered, render_stream
from servicecoach.summary import SummaryBuilder
from servicecoach.summary.outputs import RunOutputs, SummaryOutput

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples" / "transcripts"
ARTIFACTS = REPO / "test-artifacts"
HOSTILE = '<script>window.pwned = 1</script><img src=x onerror="window.pwned = 2">Hi'
needs_chromium = pytest.mark.skipif(
    chromium_path() is None,
    reason="Debian's chromium is not installed (apt-get install chromium; .ci/run does)")


@pytest.fixture
def hostile_calls(tmp_path: Path) -> Path:
    """The examples plus a chat whose customer writes HTML and script."""
    calls = tmp_path / "calls"
    calls.mkdir()
    for example in EXAMPLES.iterdir():
        (calls / example.name).write_bytes(example.read_bytes())
    hostile = {"id": "hostile</script>", "metadata": {"agent_name": "<b>Eve</b>"}, "turns": [
        {"speaker": "customer", "text": HOSTILE + ", I'm really frustrated with this."},
        {"speaker": "agent", "text": "Calm down, that's our policy."}]}
    (calls / "hostile.json").write_text(json.dumps(hostile), encoding="utf-8")
    return calls


@pytest.fixture
def page(tmp_path: Path) -> Iterator[Page]:
    opened = Page(tmp_path / "profile")
    try:
        yield opened
    finally:
        opened.close()


def _until(page: Page, condition: str) -> object:
    """Wait (up to 20 s) for a JavaScript condition to hold in the page; its value."""
    return page.evaluate(f"""new Promise((resolve, reject) => {{
        const start = Date.now();
        (function poll() {{
            const value = ({condition});
            if (value) resolve(value);
            else if (Date.now() - start > 20000) reject(new Error("never true: {condition}"));
            else setTimeout(poll, 20);
        }})();
    }})""")


def test_the_file_is_self_contained_and_carries_the_data_as_script_safe_json(
        hostile_calls: Path, tmp_path: Path) -> None:
    html_path = tmp_path / "report.html"
    assert main(["score", str(hostile_calls), "--report", str(html_path), "-o",
                 str(tmp_path / "out.txt")]) == 0
    html = html_path.read_text(encoding="utf-8")
    assert "window.pwned" in html  # the turn is in the file...
    assert "<script>window.pwned" not in html and "<b>Eve" not in html  # ...never as markup
    assert len(re.findall("<script", html)) == 2  # the data and the report's own script
    assert "Content-Security-Policy" in html and "script-src 'sha256-" in html
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)  # nothing from a network
    assert not list(tmp_path.glob(".report.html.*"))  # the temporary file was renamed


def test_without_transcripts_the_pages_say_the_turn_text_is_missing(tmp_path: Path) -> None:
    results = tmp_path / "results.jsonl"
    results.write_text("".join(r.model_dump_json() + "\n" for r in four_reports()))
    html_path = tmp_path / "report.html"
    assert main(["summarize", str(results), "--html", str(html_path)]) == 0
    html = html_path.read_text(encoding="utf-8")
    assert 'id="no-turns"' in html and '"turns": null' in html


def test_summarize_takes_the_transcripts_for_the_turn_text(tmp_path: Path) -> None:
    results = tmp_path / "results.jsonl"
    assert main(["score", str(EXAMPLES), "--format", "jsonl", "-o", str(results)]) == 0
    html_path = tmp_path / "report.html"
    assert main(["summarize", str(results), "--html", str(html_path),
                 "--transcripts", str(EXAMPLES)]) == 0
    html = html_path.read_text(encoding="utf-8")
    assert 'id="no-turns"' not in html
    assert "Thanks for calling Northwind, this is Sam." in html


def test_summarize_excludes_from_the_transcripts_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The folder scored with 'score --exclude README.txt' gave an error per stray file when
    given to summarize --transcripts, whose hint named an --exclude summarize did not have."""
    folder = tmp_path / "delivery"
    folder.mkdir()
    for example in EXAMPLES.iterdir():
        (folder / example.name).write_bytes(example.read_bytes())
    (folder / "README.txt").write_text("Export from VendorX, 2026-12-01.\n")
    results = tmp_path / "results.jsonl"
    assert main(["score", str(folder), "--exclude", "README.txt", "--format", "jsonl",
                 "-o", str(results)]) == 0
    capsys.readouterr()
    html_path = tmp_path / "report.html"
    assert main(["summarize", str(results), "--html", str(html_path), "--transcripts",
                 str(folder), "--exclude", "README.txt"]) == 0
    assert "error" not in capsys.readouterr().err
    assert "Thanks for calling Northwind, this is Sam." in html_path.read_text(encoding="utf-8")


def test_transcripts_without_html_is_a_usage_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    results = tmp_path / "results.jsonl"
    results.write_text("")
    assert main(["summarize", str(results), "--transcripts", str(EXAMPLES)]) == 2
    assert "--transcripts is for the HTML report's turn text" in capsys.readouterr().err


@needs_chromium
def test_the_console_check_sees_a_script_error(page: Page, tmp_path: Path) -> None:
    """The browser tests' 'no console errors' can fail: a broken page is seen as broken."""
    broken = tmp_path / "broken.html"
    broken.write_text("<!DOCTYPE html><title>x</title><script>notDefined()</script>")
    page.open(broken.as_uri())
    assert any("notDefined" in problem for problem in page.problems)


@needs_chromium
def test_a_conversation_page_highlights_its_findings_and_runs_no_transcript_markup(
        page: Page, hostile_calls: Path, tmp_path: Path) -> None:
    html_path = tmp_path / "report.html"
    main(["score", str(hostile_calls), "--report", str(html_path), "-o", str(tmp_path / "o")])
    page.open(html_path.as_uri())
    assert _until(page, "document.querySelectorAll('#list tbody tr').length") == 3
    assert page.evaluate("document.querySelector('#chart-rules').tagName") == "svg"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(ARTIFACTS / "html-report-summary.png")

    page.open(html_path.as_uri() + "#id=refund-call")
    _until(page, "document.querySelector('#conversation h2')")
    marks = page.evaluate("""Array.from(document.querySelectorAll('#conversation mark'))
        .map(m => [m.textContent, m.title])""")
    assert ["that's our policy3,4", "defensive.deflection, empathy.undercut"] in marks
    suggestion = page.evaluate("""Array.from(document.querySelectorAll('.finding'))
        .find(b => b.textContent.includes('defensive.deflection'))
        .querySelector('.try').textContent""")
    assert suggestion.startswith("Try: Own what happens next")
    assert page.evaluate("document.querySelectorAll('svg.sentiment circle').length") == 3
    page.screenshot(ARTIFACTS / "html-report-conversation.png")

    page.open(html_path.as_uri() + "#id=" + "hostile%3C%2Fscript%3E")
    _until(page, "document.querySelector('#conversation .bubble.customer')")
    shown = page.evaluate("document.querySelector('#conversation .bubble.customer').textContent")
    assert HOSTILE in shown
    assert page.evaluate("typeof window.pwned") == "undefined"
    assert page.evaluate("document.querySelectorAll('#conversation img, #conversation b').length") == 0
    assert page.evaluate("document.querySelector('#conversation h2').textContent") == "hostile</script>"
    assert page.problems == []


@needs_chromium
def test_ten_thousand_conversations_are_paged_and_searchable(page: Page, tmp_path: Path) -> None:
    html = HtmlReport(top=5)
    turns = (Turn(speaker="customer", text="Where is my order?"),
             Turn(speaker="agent", text="Let me check the order number."))
    for number in range(10_000):
        html.add(report(f"conv-{number:05d}", float(number % 101), {"empathy": 50.0}, [
            finding("empathy.missing", "issue", "warning", "empathy", 1, (17, 29, "order number")),
        ], agent_name=f"agent {number % 40}"), turns)
    html_path = tmp_path / "big.html"
    html.write(html_path)
    page.open(html_path.as_uri())
    assert _until(page, "document.querySelectorAll('#list tbody tr').length") == 50
    assert page.evaluate("document.getElementById('page').textContent") == "page 1 of 200"
    assert page.evaluate("document.querySelectorAll('tr').length") < 200  # pages, not one DOM
    page.evaluate("""(() => { const box = document.getElementById('search');
        box.value = 'conv-09999'; box.dispatchEvent(new Event('input')); })()""")
    assert page.evaluate("document.getElementById('count').textContent") == "1 of 10,000"
    page.open(html_path.as_uri() + "#c=9999")
    _until(page, "document.querySelector('#conversation mark')")
    assert page.evaluate("document.querySelector('#conversation mark').textContent") == "order number1"
    assert page.problems == []


def test_each_report_gets_its_own_transcripts_turns_whatever_the_read_ahead(
        coach: Coach, tmp_path: Path) -> None:
    """Workers read transcripts ahead of the results they return; the report still pairs
    each result with the transcript it came from (an unreadable record in between)."""
    transcripts = [Transcript.model_validate({"id": f"t{n}", "turns": [
        {"speaker": "customer", "text": f"Message number {n}, I'm upset."},
        {"speaker": "agent", "text": "Order number?"}]}) for n in range(5)]
    unreadable = InputError("broken", source="x.jsonl", location="line 3")
    items = [*transcripts[:2], unreadable, *transcripts[2:]]
    html_path = tmp_path / "report.html"
    outputs = RunOutputs(None, io.StringIO(), SummaryOutput("json"), html=html_path)

    def read_everything_first(stream: Iterable[object]) -> Iterator[object]:
        return iter(list(render_stream(coach, list(stream), outputs.render)))

    for result in outputs.track(items, read_everything_first):
        if isinstance(result, Rendered):
            outputs.emit(result)
    outputs.close()
    data = html_path.read_text(encoding="utf-8").split('id="servicecoach-data">')[1]
    records = json.loads(data.split("</script>")[0])
    assert [(r["id"], r["turns"][0][1]) for r in records] == [
        (f"t{n}", f"Message number {n}, I'm upset.") for n in range(5)]


def test_a_grouping_table_stops_at_its_largest_groups(tmp_path: Path) -> None:
    html = HtmlReport(by=["customer_name"])
    for number in range(GROUP_ROWS + 3):
        html.add(report(f"c{number}", 50.0, {"empathy": 50.0}, [],
                        customer_name=f"customer {number:04d}"))
    html.write(tmp_path / "report.html")
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert f"customer {GROUP_ROWS - 1:04d}</td>" in page
    assert f"customer {GROUP_ROWS:04d}</td>" not in page
    assert "… and 3 more (all of them: servicecoach summarize --by customer_name)" in page


def test_a_long_id_or_agent_name_is_written_once_whole_however_many_tables_show_it(
        tmp_path: Path) -> None:
    """A transcript id or an agent's name was written whole wherever the page shows it: the
    worst and best lists, each rule's examples, the agent chart's tooltip, the grouping
    tables. Ten conversations with ids of 1 MB made a page of 57 MB (47 MB of it tables) for
    10 MB of reports. The tables and charts show a value longer than 100 characters by its
    first 60 and "…"; the page's data keeps it whole (search, the conversation's page)."""
    html = HtmlReport(by=["team"])
    for number in range(10):
        long_id, agent = f"{number}" + "I" * 200_000, f"{number}" + "A" * 200_000
        html.add(report(long_id, 40.0, {"empathy": 30.0}, [
            finding("empathy.missing", "issue", "warning", "empathy", 2)],
            agent_name=agent, team=agent))
    html.write(tmp_path / "report.html")
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert page.count("I" * 200_000) == 10 and page.count("A" * 200_000) == 20  # the data
    assert len(page) < 6_100_000
    assert "0" + "I" * 59 + "…" in page and "0" + "A" * 59 + "…" in page
    assert [record["id"] for record in _page_data(tmp_path / "report.html")] == [
        f"{number}" + "I" * 200_000 for number in range(10)]


def test_a_calendar_table_keeps_its_latest_days(tmp_path: Path) -> None:
    """A QA lead reading a year of chats by day wants the latest days; the earlier ones are
    counted above them."""
    from datetime import date, timedelta

    html = HtmlReport(by=["date"])
    first = date(2026, 1, 1)
    for number in range(GROUP_ROWS + 3):
        day = (first + timedelta(days=number)).isoformat()
        html.add(report(f"c{number}", 50.0, {"empathy": 50.0}, [],
                        started_at=f"{day}T10:00:00Z"))
    html.write(tmp_path / "report.html")
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert f"<td>{(first + timedelta(days=GROUP_ROWS + 2)).isoformat()}</td>" in page
    assert f"<td>{(first + timedelta(days=3)).isoformat()}</td>" in page
    assert f"<td>{(first + timedelta(days=2)).isoformat()}</td>" not in page
    assert "… 3 earlier (all of them: servicecoach summarize --by date)" in page


def _page_data(html_path: Path) -> list[dict[str, object]]:
    """The conversations a report embeds, read as the page's JSON.parse reads them (no NaN,
    Infinity or -Infinity, which are not JSON)."""
    data = html_path.read_text(encoding="utf-8").split('id="servicecoach-data">')[1]

    def refuse(constant: str) -> object:
        raise ValueError(f"{constant} is not JSON: the page's JSON.parse throws")

    records: list[dict[str, object]] = json.loads(data.split("</script>")[0],
                                                   parse_constant=refuse)
    return records


def test_a_report_read_back_with_nan_or_infinity_in_its_metadata_leaves_the_page_readable(
        tmp_path: Path) -> None:
    """Python's json writes NaN and Infinity, which JSON.parse refuses: one such value in a
    results file (metadata, a sentiment) made the page list no conversation at all."""
    line = json.loads(report("a", 40.0, {"empathy": 30.0}, [], team="t").model_dump_json())
    line["metadata"].update(handle=float("nan"), size=float("inf"), nested=[float("-inf")])
    line["customer_sentiment"] = [float("nan"), 0.5]
    results = tmp_path / "results.jsonl"
    results.write_text(json.dumps(line) + "\n", encoding="utf-8")
    html_path = tmp_path / "report.html"
    assert main(["summarize", str(results), "--html", str(html_path)]) == 0
    [record] = _page_data(html_path)
    assert record["metadata"] == {"team": "t", "handle": None, "size": None, "nested": [None]}
    assert record["sentiment"] == [None, 0.5]


@needs_chromium
def test_a_finding_on_a_far_turn_opens_its_page_at_once(page: Page, tmp_path: Path) -> None:
    """A report read back may name any turn: the page shows the turns and findings there
    are, and never counts up to the largest turn index (10^12 hung the tab)."""
    html = HtmlReport()
    html.add(report("far", 50.0, {"empathy": 50.0}, [
        finding("empathy.missing", "issue", "warning", "empathy", 10**12, (0, 5, "sorry")),
        finding("name.unused", "issue", "suggestion", "name", 1),
    ]), (Turn(speaker="customer", text="Hello"), Turn(speaker="agent", text="Hi there")))
    html_path = tmp_path / "far.html"
    html.write(html_path)
    page.open(html_path.as_uri() + "#c=0")
    _until(page, "document.querySelector('#conversation .turn')")
    assert page.evaluate("Array.from(document.querySelectorAll('#conversation .turn'))"
                         ".map(t => t.id)") == ["turn-0", "turn-1", f"turn-{10**12}"]
    assert page.problems == []


def test_a_conversation_s_top_issue_is_the_one_that_cost_it_most() -> None:
    """The report's conversation list called a conversation's 'most severe issue' the
    first of its warnings (empathy.missing on the refund call), though its negative ending
    took 40 points: the list shows the summary's top issue, the rule that took the most."""
    from servicecoach.html_report import conversation_record
    from servicecoach.readers.text import parse_transcripts

    path = EXAMPLES / "refund-call.txt"
    (call,) = parse_transcripts(path.read_text(), source=str(path))
    record = conversation_record(Coach().score(call), None)  # type: ignore[arg-type]
    assert record["top_issue"] == "outcome.negative-ending"


def test_each_finding_carries_what_it_cost_the_overall_score() -> None:
    """A conversation's page showed its category scores and findings, not what each
    finding cost: the negative ending (8 points of the overall) read as one warning among
    nine. Each finding carries its points of the overall score, as the text report and
    the summaries count them; a cue has none."""
    from servicecoach.html_report import conversation_record
    from servicecoach.readers.text import parse_transcripts

    path = EXAMPLES / "refund-call.txt"
    (call,) = parse_transcripts(path.read_text(), source=str(path))
    record = conversation_record(Coach().score(call, cues=True), None)  # type: ignore[arg-type]
    cost = {(f[0], f[4]): f[10] for f in record["findings"]}
    assert cost[("outcome.negative-ending", None)] == -8.0
    assert cost[("empathy.missing", 2)] == -2.0
    assert cost[("name.unused", None)] == -0.5
    assert cost[("closing.missing", None)] == 0.0  # the greeting made up for it
    assert all(f[10] is None for f in record["findings"] if f[1] == "cue")
    assert sum(f[10] for f in record["findings"] if f[10] is not None) == pytest.approx(
        record["overall"] - 100)


def test_the_rule_table_says_how_many_points_each_rule_cost(tmp_path: Path) -> None:
    """The page's rule table counted findings only, as the text summary did: a lead could
    not see that one negative ending cost 40 points and one missing greeting 5."""
    from servicecoach.readers.text import parse_transcripts

    path = EXAMPLES / "refund-call.txt"
    (call,) = parse_transcripts(path.read_text(), source=str(path))
    html = HtmlReport()
    html.add(Coach().score(call))  # type: ignore[arg-type]
    html.write(tmp_path / "report.html")
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert ">points</th>" in page
    # 40 of the outcome category's 100 points, which weighs 2 of the overall score's 10
    assert re.search(r"<td>outcome\.negative-ending</td>.*?<td class=\"n\">-8</td>", page)
    # an issue's severity is shown; a strength's ("suggestion" until 2026-12-07) ranks nothing
    assert "<td>outcome.negative-ending</td><td>issue</td><td>warning</td>" in page
    assert "<td>greeting.introduced</td><td>strength</td><td></td>" in page


def _same_id_twice(tmp_path: Path) -> Path:
    """Two conversations named "dup" (a 30 with an empathy finding, then a 80 with a
    defensive one): two exports of one id, or ids a system reuses."""
    html = HtmlReport()
    html.add(report("dup", 30.0, {"empathy": 30.0},
                    [finding("empathy.missing", "issue", "warning", "empathy", 2)]))
    html.add(report("dup", 80.0, {"defensiveness": 80.0},
                    [finding("defensive.blame", "issue", "critical", "defensiveness", 1)]))
    html.write(tmp_path / "report.html")
    return tmp_path / "report.html"


def test_links_to_conversations_that_share_an_id_open_each_its_own(tmp_path: Path) -> None:
    """A link by id opened the first conversation of that id, whichever was meant: the
    worst and best lists and a rule's examples link to the conversation's place instead."""
    html_path = _same_id_twice(tmp_path)
    page = html_path.read_text(encoding="utf-8")
    records = _page_data(html_path)
    worst = re.findall(r'<td class="n">(\d+\.\d)</td><td><a href="#c=(\d+)">dup</a>', page)
    assert worst and all(records[int(n)]["overall"] == float(shown) for shown, n in worst)
    assert {shown for shown, _ in worst} == {"30.0", "80.0"}
    empathy_example = re.search(r'href="#c=(\d+)">dup turn 2', page)
    blame_example = re.search(r'href="#c=(\d+)">dup turn 1', page)
    assert empathy_example and records[int(empathy_example[1])]["overall"] == 30.0
    assert blame_example and records[int(blame_example[1])]["overall"] == 80.0


@needs_chromium
def test_a_link_to_the_second_of_two_conversations_with_one_id_opens_the_second(
        page: Page, tmp_path: Path) -> None:
    html_path = _same_id_twice(tmp_path)
    page.open(html_path.as_uri())
    _until(page, "document.querySelectorAll('#list tbody tr').length")
    page.evaluate("""Array.from(document.querySelectorAll('a.example'))
        .find(a => a.textContent.includes('turn 1')).click()""")
    assert _until(page, "document.querySelector('#conversation .facts') && "
                  "document.querySelector('#conversation .facts').textContent") \
        .split(" · ")[1] == "overall 80.0"


def _pieces_by_rereading(length: int, spans: list[tuple[int, int, str]], listed: int
                         ) -> list[tuple[int, int, list[int], int, str | None, bool]]:
    """What the page's marks of a turn are, computed the plain way (every finding checked
    for every piece): start, end, the numbers of the first `listed` findings over it, how
    many more, the kind, and whether the first's span ends there."""
    points = sorted({0, length, *(min(s, length) for s, _, _ in spans),
                     *(min(e, length) for _, e, _ in spans)})
    pieces = []
    for start, end in pairwise(points):
        over = [n for n, (s, e, _) in enumerate(spans, start=1) if s <= start and end <= e]
        kind = None if not over else "issue" if any(
            spans[n - 1][2] == "issue" for n in over) else spans[over[0] - 1][2]
        ends = bool(over) and end == min(spans[over[0] - 1][1], length)
        pieces.append((start, end, over[:listed], max(len(over) - listed, 0), kind, ends))
    return pieces


@needs_chromium
def test_a_turn_s_highlights_cost_n_log_n_in_its_findings(page: Page, tmp_path: Path) -> None:
    """A turn's marks checked every finding for every piece of its text: O(n^2) in its
    findings (a turn read back with 4,000 overlapping findings hung the tab for seconds).
    Counted in reads of the findings, 4 times the findings is at most about 4 log-times the
    work (quadratic was 16 times), and the pieces are those of the plain computation."""
    html_path = tmp_path / "empty.html"
    HtmlReport().write(html_path)
    page.open(html_path.as_uri())
    reads = page.evaluate("""(() => {
        function reads(n) {
            let count = 0;
            const findings = [];
            for (let i = 0; i < n; i++) {
                const f = ["r" + i, i % 3 ? "strength" : "issue", "minor", "c", 0, i, n + i];
                findings.push(new Proxy({f: f, n: i + 1},
                                        {get(target, key) { count += 1; return target[key]; }}));
            }
            markSegments(2 * n, findings);
            return count;
        }
        return [reads(500), reads(2000)];
    })()""")
    assert reads[1] / reads[0] < 6, reads

    listed = page.evaluate("LISTED")
    rng = random.Random(7)
    for _ in range(40):
        length = rng.randrange(0, 30)
        spans = []
        for _ in range(rng.randrange(0, 25)):
            start = rng.randrange(0, 35)
            spans.append((start, start + rng.randrange(0, 12),
                          rng.choice(["issue", "strength", "cue"])))
        found = page.evaluate(f"""markSegments({length}, {json.dumps(spans)}.map((s, i) =>
            ({{f: ["r", s[2], "", "", 0, s[0], s[1]], n: i + 1}})))
            .map(p => [p.start, p.end, p.over.map(f => f.n), p.more, p.kind, p.ends])""")
        assert [tuple(p) for p in found] == _pieces_by_rereading(length, spans, listed)
    assert page.problems == []


def test_summarize_keeps_the_transcripts_turns_out_of_memory(tmp_path: Path) -> None:
    """`summarize --html --transcripts` held every transcript's turns in a dictionary until
    the results were read: a 1,000,000-turn run took gigabytes. They wait on disk
    (`TurnStore`): 4 times the transcripts' text adds next to nothing to the peak, and
    each report's page still has its turns."""
    import tracemalloc

    def peak(transcripts: int) -> int:
        folder = tmp_path / f"calls-{transcripts}"
        folder.mkdir()
        turns = [{"speaker": "customer" if n % 2 else "agent",
                  "text": f"turn {n}: " + "where is my parcel, it is late again " * 12}
                 for n in range(40)]
        (folder / "calls.jsonl").write_text("".join(
            json.dumps({"id": f"call-{i}", "turns": turns}) + "\n" for i in range(transcripts)),
            encoding="utf-8")
        results = tmp_path / f"results-{transcripts}.jsonl"
        results.write_text(report("call-7", 80.0, {"empathy": 80.0}, []).model_dump_json()
                           + "\n", encoding="utf-8")
        html_path = tmp_path / f"report-{transcripts}.html"
        tracemalloc.start()
        assert main(["summarize", str(results), "--html", str(html_path),
                     "--transcripts", str(folder)]) == 0
        top = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        [record] = _page_data(html_path)
        assert record["id"] == "call-7" and len(record["turns"]) == 40
        return top

    peak(10)  # the imports and caches of a first run
    small, large = peak(100), peak(400)
    added_text = 300 * 40 * 470  # the 300 more transcripts' characters: 5.6 MB
    assert large - small < added_text / 10, (small, large)


def _spied_turn_stores(monkeypatch: pytest.MonkeyPatch, pages: int | None = None) -> list[bool]:
    """Replace summarize's `TurnStore` by one that notes, for each store made, whether it
    was closed (and, given `pages`, whose database can grow to that many pages only)."""
    from servicecoach.summary import command
    from servicecoach.summary.transcript_turns import TurnStore

    closed: list[bool] = []

    class Spied(TurnStore):
        def __init__(self) -> None:
            super().__init__()
            self.number = len(closed)
            closed.append(False)
            if pages is not None:
                self._db.execute(f"PRAGMA max_page_count = {pages}")

        def close(self) -> None:
            super().close()
            closed[self.number] = True

    monkeypatch.setattr(command, "TurnStore", Spied)
    return closed


def test_summarize_removes_the_turns_database_when_reading_the_transcripts_stops(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The turns' database was closed only once the results were read: a run stopped while
    it read the transcripts (Ctrl-C, an error) left it open."""
    from servicecoach.summary import command

    def interrupted(*args: object, **kwargs: object) -> Iterator[object]:
        raise KeyboardInterrupt
        yield

    closed = _spied_turn_stores(monkeypatch)
    monkeypatch.setattr(command, "read_sources", interrupted)
    results = tmp_path / "results.jsonl"
    results.write_text(report("call-1", 80.0, {"empathy": 80.0}, []).model_dump_json() + "\n",
                       encoding="utf-8")
    assert main(["summarize", str(results), "--html", str(tmp_path / "report.html"),
                 "--transcripts", str(EXAMPLES)]) == 130
    assert closed == [True]


def test_summarize_says_where_the_turns_database_ran_out_of_room(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """A database that cannot grow (a full disk) stopped summarize with a traceback of
    sqlite3's; it is an error that says what the database is for and how to make room."""
    closed = _spied_turn_stores(monkeypatch, pages=2)
    folder = tmp_path / "calls"
    folder.mkdir()
    turns = [{"speaker": "agent", "text": "where is my parcel " * 100}] * 20
    (folder / "calls.jsonl").write_text("".join(
        json.dumps({"id": f"call-{i}", "turns": turns}) + "\n" for i in range(20)),
        encoding="utf-8")
    results = tmp_path / "results.jsonl"
    results.write_text(report("call-1", 80.0, {"empathy": 80.0}, []).model_dump_json() + "\n",
                       encoding="utf-8")
    assert main(["summarize", str(results), "--html", str(tmp_path / "report.html"),
                 "--transcripts", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "cannot keep the turns of --transcripts in a temporary database" in err
    assert "full" in err and "TMPDIR" in err
    assert closed == [True]


def test_the_rule_chart_ranks_the_issues_by_the_points_they_cost() -> None:
    """The chart was the findings by rule, most first, strengths among them: a batch's top
    bar was greeting.introduced, a strength every conversation has, and a strength or a cue
    firing often pushed issues out of its 20 bars. It is the issue rules by the points of
    the overall score they cost, most first, each with its findings."""
    from servicecoach.html_report.charts import MAX_BARS, issues_by_points
    from servicecoach.summary.model import RuleStats

    def rule(rule_id: str, kind: str, severity: str, findings: int, points: float) -> RuleStats:
        return RuleStats(rule_id=rule_id, kind=kind, severity=severity, category="c",
                         findings=findings, conversations=1, share=0.1, points=points,
                         examples=[])

    rules = [rule("greeting.introduced", "strength", "suggestion", 900, 0.0),
             rule("empathy.cue", "cue", "suggestion", 800, 0.0),
             rule("closing.missing", "issue", "suggestion", 50, -4.0),
             rule("defensive.blame", "issue", "critical", 3, -12.5),
             rule("name.unused", "issue", "suggestion", 7, 0.0),
             *(rule(f"strength.{i}", "strength", "suggestion", 100, 0.0) for i in range(30))]
    summary = SummaryBuilder().summary().model_copy(update={"rules": rules})
    bars = issues_by_points(summary)
    assert [(b.label, b.value, b.tone) for b in bars] == [
        ("defensive.blame", "-12.5 (3)", "poor"), ("closing.missing", "-4.0 (50)", "neutral"),
        ("name.unused", "0.0 (7)", "neutral")]
    assert [b.length for b in bars] == [1.0, pytest.approx(4 / 12.5), 0.0]
    many = [rule(f"issue.{i}", "issue", "warning", 1, -float(i)) for i in range(1, 30)]
    shown = issues_by_points(summary.model_copy(update={"rules": many}))
    assert [b.label for b in shown] == [f"issue.{i}" for i in range(29, 29 - MAX_BARS, -1)]
