"""Calibrate the classifier on real framework versions (../shared/corpus) against changes.md.

For each consecutive pair of a chain it prints:

* recall — THR/EVAL/PUB-labelled items found: an item counts only if, for *each* of its THR, EVAL
  and PUB labels, some hunk containing one of the item's key phrases carries the matching category
  (THR→thresholds, EVAL→evaluations, PUB→publication);
* precision of high — the share of high-severity hunks whose text contains a key phrase of any
  documented item of that pair (any label). Providers' changelogs omit most changes (the corpus
  coder counts 75 material changes for RSP v1.0→v2.0 against 13 documented items here), so on
  rewritten pairs this measures "high hunks that touch a documented change", a lower bound on
  real precision, not precision itself;
* reviewed precision — the same share counting also the high hunks a reviewer judged to be
  genuine material changes that changes.md does not list (``reviewed`` entries of the labels
  file, each with a one-line reason). Both figures are printed; the raw one is the benchmark;
* rerender-high — high hunks when the *old* text is compared with a cosmetic re-render of itself
  (reflowed lines, hyphenated line breaks, straight/curly quotes, moved page breaks); must be 0.

Run: ``python bench/calibrate.py`` (``--check`` also lists phrases found in neither text,
``--show N`` prints the high hunks of pair N). Phrases live in ``bench/calibration_labels.toml``.
"""

from __future__ import annotations

import argparse
import re
import sys
import tomllib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from differ import DiffResult, Hunk, compare  # noqa: E402
from differ.segment import squash, strip_header  # noqa: E402

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
LABELS = Path(__file__).with_name("calibration_labels.toml")
RECALL_LABELS = {"THR": "thresholds", "EVAL": "evaluations", "PUB": "publication"}


@dataclass(frozen=True, slots=True)
class Item:
    """One documented change: its id, labels and the key phrases that locate it."""

    id: str
    labels: tuple[str, ...]
    phrases: tuple[str, ...]

    def in_hunk(self, hunk: Hunk) -> bool:
        text = squash(hunk.old + " " + hunk.new)
        return any(squash(p) in text for p in self.phrases)


@dataclass(frozen=True, slots=True)
class Reviewed:
    """A high hunk outside changes.md that a reviewer judged material, and why."""

    phrase: str
    reason: str

    def in_hunk(self, hunk: Hunk) -> bool:
        return squash(self.phrase) in squash(hunk.old + " " + hunk.new)


@dataclass(frozen=True, slots=True)
class Pair:
    old: str
    new: str
    items: tuple[Item, ...]
    reviewed: tuple[Reviewed, ...] = ()


@dataclass(frozen=True, slots=True)
class PairScore:
    pair: Pair
    recall_found: int
    recall_total: int
    high: int
    high_matched: int
    high_reviewed: int
    rerender_high: int
    missed: tuple[str, ...]
    hunks: int
    seconds: float

    @property
    def recall(self) -> float:
        return self.recall_found / self.recall_total if self.recall_total else 1.0

    @property
    def precision(self) -> float:
        return self.high_matched / self.high if self.high else 1.0

    @property
    def reviewed_precision(self) -> float:
        return (self.high_matched + self.high_reviewed) / self.high if self.high else 1.0


def load_pairs(path: Path = LABELS) -> list[Pair]:
    """The labelled pairs from the TOML file."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return [
        Pair(
            old=p["old"],
            new=p["new"],
            items=tuple(
                Item(id=i["id"], labels=tuple(i["labels"]), phrases=tuple(i["phrases"]))
                for i in p["items"]
            ),
            reviewed=tuple(
                Reviewed(phrase=r["phrase"], reason=r["reason"]) for r in p.get("reviewed", ())
            ),
        )
        for p in data["pair"]
    ]


def load_text(name: str, corpus: Path = CORPUS) -> str:
    """A corpus file without its provenance header."""
    return strip_header((corpus / name).read_text(encoding="utf-8"))


_MARK = re.compile(r"^\s*\[\[page \d+\]\]\s*$")


def _prose(line: str) -> bool:
    return len(line) >= 40 and not line.startswith("#") and not _MARK.match(line)


def rerender(text: str) -> str:
    """The same text as a different PDF rendering would give it: nothing but layout changes.

    Each page break moves one line earlier (the last body line of a page goes to the next page,
    past the running footer and page marker), prose is re-wrapped at another width with long
    words hyphenated across line breaks, and quotes flip between curly and straight. Short lines
    (headings, table-of-contents entries, footers) are left as they are, as a renderer would.
    """
    lines = text.split("\n")
    counts = Counter(re.sub(r"\d+", "#", ln.strip()) for ln in lines)

    def furniture(ln: str) -> bool:  # page markers, page numbers, running headers/footers
        s = ln.strip()
        return not s or bool(_MARK.match(s)) or s.isdigit() or counts[re.sub(r"\d+", "#", s)] >= 3

    for m in [i for i, ln in enumerate(lines) if _MARK.match(ln)][::-1]:
        p = m - 1
        while p >= 0 and furniture(lines[p]):
            p -= 1
        if p >= 0 and len(lines[p]) >= 15 and not lines[p].startswith("#"):
            moved = lines.pop(p)
            lines.insert(m, moved)  # just after the marker, which shifted up by one
            if m + 1 < len(lines) and not lines[m + 1].strip():
                del lines[m + 1]
    out: list[str] = []
    run: list[str] = []

    def flush() -> None:
        if len(run) < 2:
            out.extend(run)
        else:
            words = " ".join(run).split()
            cur = ""
            for w in words:
                if cur and len(cur) + len(w) + 1 > 72:
                    if len(w) > 9 and w.isalpha() and w.islower():
                        cur += " " + w[:5] + "-"
                        w = w[5:]
                    out.append(cur.strip())
                    cur = w
                else:
                    cur += " " + w
            out.append(cur.strip())
        run.clear()

    for ln in lines:
        if furniture(ln):
            flush()
            out.append(ln)
            continue
        tail = bool(run) and len(ln.strip()) >= 15 and not ln.startswith("#")
        if _prose(ln) or (tail and _prose(run[-1])):
            run.append(ln)
            if not _prose(ln):
                flush()
        else:
            flush()
            out.append(ln)
    flush()
    result = "\n".join(out).replace("’", "'").replace("‘", "'")
    return re.sub(r'"([^"\n]{1,80})"', "“\\1”", result)


def score_pair(pair: Pair, corpus: Path = CORPUS) -> tuple[PairScore, DiffResult]:
    """Compare one labelled pair and score the result."""
    import time

    old, new = load_text(pair.old, corpus), load_text(pair.new, corpus)
    t0 = time.perf_counter()
    result = compare(old, new)
    seconds = time.perf_counter() - t0
    found = total = 0
    missed = []
    for item in pair.items:
        wanted = [RECALL_LABELS[lab] for lab in item.labels if lab in RECALL_LABELS]
        if not wanted:
            continue
        total += 1
        hunks = [h for h in result.hunks if item.in_hunk(h)]
        if all(any(cat in h.categories for h in hunks) for cat in wanted):
            found += 1
        else:
            missed.append(item.id)
    high = [h for h in result.hunks if h.severity == "high"]
    matched = sum(1 for h in high if any(i.in_hunk(h) for i in pair.items))
    reviewed = sum(
        1
        for h in high
        if not any(i.in_hunk(h) for i in pair.items) and any(r.in_hunk(h) for r in pair.reviewed)
    )
    rerender_high = sum(1 for h in compare(old, rerender(old)).hunks if h.severity == "high")
    return (
        PairScore(pair, found, total, len(high), matched, reviewed, rerender_high, tuple(missed),
                  len(result.hunks), seconds),
        result,
    )


def check_phrases(pairs: list[Pair], corpus: Path = CORPUS) -> list[str]:
    """Phrases found in neither text of their pair (labels that cannot match anything)."""
    bad = []
    for pair in pairs:
        both = squash(load_text(pair.old, corpus)) + "|" + squash(load_text(pair.new, corpus))
        for item in pair.items:
            for p in item.phrases:
                if squash(p) not in both:
                    bad.append(f"{pair.old} → {pair.new} item {item.id}: {p!r}")
        for r in pair.reviewed:
            if squash(r.phrase) not in both:
                bad.append(f"{pair.old} → {pair.new} reviewed: {r.phrase!r}")
    return bad


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true", help="list phrases found in neither text")
    ap.add_argument("--show", type=int, default=0, help="print the high hunks of pair N (1-based)")
    args = ap.parse_args(argv)
    if not CORPUS.is_dir():
        print(f"corpus not found at {CORPUS}", file=sys.stderr)
        return 2
    pairs = load_pairs()
    if args.check:
        for line in check_phrases(pairs):
            print("unmatched phrase:", line)
    header = (f"{'pair':<62} {'recall':>9} {'high':>5} {'prec':>5} {'rev':>5} {'rerender':>8} "
              f"{'hunks':>5} {'secs':>5}  missed")
    print(header)
    print("-" * len(header))
    tf = tt = th = tm = tr = 0
    for n, pair in enumerate(pairs, 1):
        s, result = score_pair(pair)
        tf, tt, th, tm = tf + s.recall_found, tt + s.recall_total, th + s.high, tm + s.high_matched
        tr += s.high_reviewed
        name = f"{pair.old.removesuffix('.txt')} → {pair.new.split('__', 1)[1].removesuffix('.txt')}"
        print(f"{name:<62} {s.recall_found:>3}/{s.recall_total:<2} "
              f"{s.recall:>4.2f} {s.high:>5} {s.precision:>5.2f} {s.reviewed_precision:>5.2f} "
              f"{s.rerender_high:>8} "
              f"{s.hunks:>5} {s.seconds:>5.2f}  {','.join(s.missed) or '-'}")
        if args.show == n:
            for h in result.hunks:
                if h.severity == "high":
                    tag = "+" if any(i.in_hunk(h) for i in pair.items) else "?"
                    why = next((r.reason for r in pair.reviewed if r.in_hunk(h)), "")
                    if tag == "?" and why:
                        tag = "r"
                    print(f"   {tag} {h.summary}" + (f"\n       reviewed: {why}" if why else ""))
    print("-" * len(header))
    print(f"{'all pairs':<62} {tf:>3}/{tt:<2} {(tf / tt if tt else 1):>4.2f} {th:>5} "
          f"{(tm / th if th else 1):>5.2f} {((tm + tr) / th if th else 1):>5.2f}")
    print("prec = high hunks touching a changes.md item (raw, a lower bound); rev = also counting "
          "high hunks reviewed as material but unlisted (labels file, [[pair]].reviewed)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
