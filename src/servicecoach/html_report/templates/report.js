"use strict";
(function () {
  // Everything from the data is written with textContent or as attribute values: the
  // transcripts are untrusted and no string of theirs is ever parsed as HTML.
  var data = JSON.parse(document.getElementById("servicecoach-data").textContent);
  var PAGE = 50;
  var state = {query: "", rule: "", sort: "worst", page: 0};
  var listSection = document.getElementById("conversations");
  var summarySection = document.getElementById("summary");
  var detail = document.getElementById("conversation");

  data.forEach(function (c, i) {
    c.index = i;
    var issues = c.findings.filter(function (f) { return f[1] === "issue"; });
    c.issues = issues.length;
    c.strengths = c.findings.filter(function (f) { return f[1] === "strength"; }).length;
    c.worst = c.top_issue || "";
    var words = [c.id, c.channel];
    Object.keys(c.metadata).forEach(function (k) { words.push(String(c.metadata[k])); });
    c.findings.forEach(function (f) { words.push(f[0]); });
    c.haystack = words.join("\u0000").toLowerCase();
    c.rules = {};
    c.findings.forEach(function (f) { c.rules[f[0]] = true; });
  });

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    if (cls) { node.className = cls; }
    return node;
  }

  function score(value) { return value === null ? "n/a" : value.toFixed(1); }
  // as the text report and the summaries write points: -8, -0.5, +1, 0
  function signedPoints(value) {
    if (value === 0) { return "0"; }
    return (value > 0 ? "+" : "") + (value === Math.round(value) ? value.toFixed(0) : value.toFixed(1));
  }

  function selected() {
    var q = state.query.toLowerCase();
    var rows = data.filter(function (c) {
      return (!q || c.haystack.indexOf(q) !== -1) && (!state.rule || c.rules[state.rule]);
    });
    var key = {
      worst: function (a, b) { return (a.overall === null) - (b.overall === null) || a.overall - b.overall || a.index - b.index; },
      best: function (a, b) { return (a.overall === null) - (b.overall === null) || b.overall - a.overall || a.index - b.index; },
      input: function (a, b) { return a.index - b.index; },
      id: function (a, b) { return a.id < b.id ? -1 : a.id > b.id ? 1 : a.index - b.index; }
    }[state.sort];
    return rows.sort(key);
  }

  function renderList() {
    var rows = selected();
    var pages = Math.max(1, Math.ceil(rows.length / PAGE));
    state.page = Math.min(state.page, pages - 1);
    var body = document.querySelector("#list tbody");
    body.replaceChildren();
    rows.slice(state.page * PAGE, state.page * PAGE + PAGE).forEach(function (c) {
      var tr = el("tr");
      tr.dataset.index = c.index;
      [c.id, c.metadata.agent_name || "", c.channel].forEach(function (v) { tr.appendChild(el("td", v)); });
      tr.appendChild(el("td", score(c.overall), "n"));
      tr.appendChild(el("td", c.issues, "n"));
      tr.appendChild(el("td", c.strengths, "n"));
      tr.appendChild(el("td", c.worst));
      tr.addEventListener("click", function () { location.hash = "c=" + c.index; });
      body.appendChild(tr);
    });
    document.getElementById("count").textContent = rows.length.toLocaleString() + " of " + data.length.toLocaleString();
    document.getElementById("page").textContent = "page " + (state.page + 1) + " of " + pages;
    document.getElementById("prev").disabled = state.page === 0;
    document.getElementById("next").disabled = state.page >= pages - 1;
  }

  // The turn's text with each finding's span in a <mark> (markSegments, highlight.js,
  // cuts it). Offsets count code points, as Python does.
  function highlighted(text, findings) {
    var chars = Array.from(text);
    var fragment = document.createDocumentFragment();
    markSegments(chars.length, findings).forEach(function (piece) {
      var words = chars.slice(piece.start, piece.end).join("");
      if (!piece.over.length) { fragment.appendChild(document.createTextNode(words)); return; }
      var more = piece.more ? " +" + piece.more.toLocaleString() + " more" : "";
      var mark = el("mark", words, piece.kind);
      mark.title = piece.over.map(function (f) { return f.f[0]; }).join(", ") + more;
      mark.dataset.findings = piece.over.map(function (f) { return f.n; }).join(" ");
      if (piece.ends) { mark.appendChild(el("sup", piece.over.map(function (f) { return f.n; }).join(",") + (piece.more ? "+" : ""))); }
      fragment.appendChild(mark);
    });
    return fragment;
  }

  function findingBox(f) {
    var box = el("div", null, "finding " + f.f[1]);
    box.id = "finding-" + f.n;
    var head = el("div");
    head.appendChild(el("span", f.n + ". ", "number"));
    head.appendChild(el("span", f.f[0], "rule"));
    head.appendChild(el("span", " · " + f.f[1] + (f.f[1] === "issue" ? " · " + f.f[2] : "") + " · " + f.f[3]));
    // what the finding cost the overall score (or gave back): a cue has none
    if (f.f[10] !== null && f.f[10] !== undefined) { head.appendChild(el("span", " · overall " + signedPoints(f.f[10]), "cost")); }
    box.appendChild(head);
    box.appendChild(el("div", f.f[8], "message"));
    if (f.f[1] === "issue") { box.appendChild(el("div", "Try: " + f.f[9], "try")); }
    return box;
  }

  function sentimentChart(values) {
    var points = [];
    values.forEach(function (v, i) { if (v !== null) { points.push([i, v]); } });
    if (!points.length) { return null; }
    var ns = "http://www.w3.org/2000/svg";
    var width = 640, height = 120, n = Math.max(values.length - 1, 1);
    function svg(tag, attrs) {
      var node = document.createElementNS(ns, tag);
      Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); });
      return node;
    }
    function x(i) { return 30 + i / n * (width - 40); }
    function y(v) { return 10 + (1 - v) / 2 * (height - 20); }
    var chart = svg("svg", {"class": "sentiment", viewBox: "0 0 " + width + " " + height, width: width, height: height, role: "img"});
    chart.appendChild(svg("line", {"class": "zero", x1: 30, x2: width - 10, y1: y(0), y2: y(0)}));
    [[1, "+1"], [0, "0"], [-1, "-1"]].forEach(function (t) {
      var label = svg("text", {x: 2, y: y(t[0]) + 4}); label.textContent = t[1]; chart.appendChild(label);
    });
    chart.appendChild(svg("polyline", {points: points.map(function (p) { return x(p[0]) + "," + y(p[1]); }).join(" ")}));
    points.forEach(function (p) {
      var dot = svg("circle", {cx: x(p[0]), cy: y(p[1]), r: 3});
      var title = svg("title", {}); title.textContent = "turn " + p[0] + ": " + p[1].toFixed(2);
      dot.appendChild(title); chart.appendChild(dot);
    });
    return chart;
  }

  function renderConversation(c) {
    detail.replaceChildren();
    var back = el("a", "‹ all conversations"); back.href = "#"; detail.appendChild(back);
    detail.appendChild(el("h2", c.id));
    var facts = [c.channel, "overall " + score(c.overall)];
    Object.keys(c.metadata).forEach(function (k) { facts.push(k + ": " + (typeof c.metadata[k] === "string" ? c.metadata[k] : JSON.stringify(c.metadata[k]))); });
    if (c.source) { facts.push("source: " + c.source); }
    detail.appendChild(el("p", facts.join(" · "), "facts"));
    var scores = el("p", null, "scores");
    Object.keys(c.scores).forEach(function (k) { scores.appendChild(el("span", k + " " + score(c.scores[k]))); });
    detail.appendChild(scores);
    var chart = sentimentChart(c.sentiment);
    if (chart) { detail.appendChild(el("h3", "Customer sentiment by turn")); detail.appendChild(chart); }
    var numbered = c.findings.map(function (f, i) { return {f: f, n: i + 1}; });
    var whole = numbered.filter(function (f) { return f.f[4] === null; });
    if (whole.length) {
      detail.appendChild(el("h3", "About the whole conversation"));
      whole.forEach(function (f) { detail.appendChild(findingBox(f)); });
    }
    detail.appendChild(el("h3", "Turns"));
    // The turns there are and the turns findings name (a report read back may name any
    // turn, 10^12 included): never every index up to the largest.
    var byTurn = {};
    (c.turns || []).forEach(function (_, t) { byTurn[t] = []; });
    numbered.forEach(function (f) { if (f.f[4] !== null) { (byTurn[f.f[4]] = byTurn[f.f[4]] || []).push(f); } });
    Object.keys(byTurn).map(Number).sort(function (a, b) { return a - b; }).forEach(function (t) {
      var here = byTurn[t];
      var turn = c.turns ? c.turns[t] || null : null;
      var row = el("div", null, "turn"); row.id = "turn-" + t;
      var bubble = el("div", null, "bubble " + (turn ? turn[0] : ""));
      bubble.appendChild(el("div", "turn " + t + (turn ? " · " + turn[0] : ""), "who"));
      var spanned = here.filter(function (f) { return f.f[5] !== null; });
      if (turn) {
        bubble.appendChild(highlighted(turn[1], spanned));
      } else {
        bubble.appendChild(el("span", spanned.length ? "…" : "(turn text not included)"));
        spanned.forEach(function (f) { var m = el("mark", f.f[7], f.f[1]); m.dataset.findings = String(f.n); bubble.appendChild(m); bubble.appendChild(el("span", " … ")); });
      }
      row.appendChild(bubble);
      var side = el("div", null, "side");
      here.forEach(function (f) { side.appendChild(findingBox(f)); });
      row.appendChild(side);
      detail.appendChild(row);
    });
  }

  function route() {
    var hash = location.hash.slice(1);
    try { hash = decodeURIComponent(hash); } catch (e) { /* a malformed escape: as typed */ }
    var c = null;
    if (hash.indexOf("c=") === 0) { c = data[Number(hash.slice(2))] || null; }
    else if (hash.indexOf("id=") === 0) {
      var id = hash.slice(3);
      c = data.filter(function (d) { return d.id === id; })[0] || null;
    }
    summarySection.hidden = listSection.hidden = c !== null;
    detail.hidden = c === null;
    if (c) { renderConversation(c); window.scrollTo(0, 0); } else { renderList(); }
  }

  document.getElementById("search").addEventListener("input", function (e) { state.query = e.target.value; state.page = 0; renderList(); });
  document.getElementById("rule-filter").addEventListener("change", function (e) { state.rule = e.target.value; state.page = 0; renderList(); });
  document.getElementById("sort").addEventListener("change", function (e) { state.sort = e.target.value; state.page = 0; renderList(); });
  document.getElementById("prev").addEventListener("click", function () { state.page -= 1; renderList(); });
  document.getElementById("next").addEventListener("click", function () { state.page += 1; renderList(); });
  detail.addEventListener("click", function (e) {
    var mark = e.target.closest("mark");
    if (!mark || !mark.dataset.findings) { return; }
    var box = document.getElementById("finding-" + mark.dataset.findings.split(" ")[0]);
    if (box) { box.classList.add("focus"); box.scrollIntoView({block: "nearest"}); }
  });
  window.addEventListener("hashchange", route);
  route();
})();
