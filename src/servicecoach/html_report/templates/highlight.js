"use strict";
// A turn's text is cut at every boundary of its findings' spans (spans may overlap), and
// each piece is marked with the findings over it. One sweep over the boundaries in order,
// the findings over the current piece held in a heap by number, so a turn with n findings
// costs O(n log n): checking every finding for every piece cost O(n^2), which a turn of
// a few thousand findings made seconds. A piece lists at most LISTED of its findings (the
// lowest numbers) and counts the rest, so what is written is bounded too.
var LISTED = 8;

// The pieces of a text of `length` code points for `findings` ({f: finding array, n: its
// number}, in the order of their numbers; f[5] and f[6] are the span's start and end):
// each piece is {start, end, over: the first LISTED findings over it, more: how many
// others are, kind: "issue" when any is an issue, else the first's kind, ends: whether the
// first finding's span ends with the piece}. `over` is empty for a piece no span covers.
function markSegments(length, findings) {
  var bounds = [], points = [0, length];
  findings.forEach(function (f) {
    var start = Math.min(f.f[5], length), end = Math.min(f.f[6], length);
    points.push(start, end);
    if (start < end) { bounds.push({finding: f, start: start, end: end, issue: f.f[1] === "issue"}); }
  });
  points.sort(function (a, b) { return a - b; });
  var opens = bounds.slice().sort(function (a, b) { return a.start - b.start; });
  var closes = bounds.slice().sort(function (a, b) { return a.end - b.end; });
  var heap = new NumberHeap(), closed = new Set(), opened = 0, shut = 0, issues = 0;
  var pieces = [];
  for (var i = 0; i + 1 < points.length; i++) {
    var start = points[i], end = points[i + 1];
    if (start === end) { continue; }
    for (; shut < closes.length && closes[shut].end <= start; shut++) {
      closed.add(closes[shut].finding);
      if (closes[shut].issue) { issues -= 1; }
    }
    for (; opened < opens.length && opens[opened].start <= start; opened++) {
      heap.push(opens[opened].finding);
      if (opens[opened].issue) { issues += 1; }
    }
    var active = opened - shut;
    var over = active ? heap.lowest(LISTED, closed) : [];
    pieces.push({
      start: start, end: end, over: over, more: active - over.length,
      kind: !over.length ? null : issues ? "issue" : over[0].f[1],
      ends: over.length > 0 && end === Math.min(over[0].f[6], length)
    });
  }
  return pieces;
}

// A binary min-heap of findings by number; `lowest(k, closed)` drops the closed findings
// it meets at the top and gives the k lowest open ones, which stay in the heap.
function NumberHeap() { this.items = []; }
NumberHeap.prototype.push = function (item) {
  var items = this.items, i = items.length;
  items.push(item);
  while (i > 0) {
    var parent = (i - 1) >> 1;
    if (items[parent].n <= item.n) { break; }
    items[i] = items[parent];
    i = parent;
  }
  items[i] = item;
};
NumberHeap.prototype.pop = function () {
  var items = this.items, top = items[0], last = items.pop();
  if (items.length) {
    var i = 0, size = items.length;
    for (;;) {
      var child = 2 * i + 1;
      if (child >= size) { break; }
      if (child + 1 < size && items[child + 1].n < items[child].n) { child += 1; }
      if (items[child].n >= last.n) { break; }
      items[i] = items[child];
      i = child;
    }
    items[i] = last;
  }
  return top;
};
NumberHeap.prototype.lowest = function (k, closed) {
  var found = [];
  while (found.length < k && this.items.length) {
    var item = this.pop();
    if (!closed.has(item)) { found.push(item); }
  }
  found.forEach(this.push, this);
  return found;
};
