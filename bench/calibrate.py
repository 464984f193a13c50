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
  file, each with a one-line reason, kept only where a second, independent reading agreed).
  Both figures are printed; the raw one is the benchmark. High hunks the second reading judged
  not material are listed as ``false_high`` with the codebook clause: a worklist for the
  classifier, counted under the table and tagged ``x`` by ``--show``;
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

from differ import DiffResult, Hunk  # noqa: E402
from differ.compare import compare  # noqa: E402
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
class FalseHigh:
    """A high hunk a reviewer judged not material, with the codebook clause that excludes it."""

    phrase: str
    clause: str
    why: str

    def in_hunk(self, hunk: Hunk) -> bool:
        return squash(self.phrase) in squash(hunk.old + " " + hunk.new)


@dataclass(frozen=True, slots=True)
class Pair:
    old: str
    new: str
    items: tuple[Item, ...]
    reviewed: tuple[Reviewed, ...] = ()
    reupload: bool = False
    false_highs: tuple[FalseHigh, ...] = ()


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
    at_high: int = 0
    items: int = 0
    severity: str = "none"

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
            reupload=bool(p.get("reupload", False)),
            false_highs=tuple(
                FalseHigh(phrase=f["phrase"], clause=f["clause"], why=f["why"])
                for f in p.get("false_high", ())
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
    at_high = sum(1 for i in pair.items if any(i.in_hunk(h) for h in high))
    return (
        PairScore(pair, found, total, len(high), matched, reviewed, rerender_high, tuple(missed),
                  len(result.hunks), seconds, at_high, len(pair.items), result.severity),
        result,
    )


CODER_COUNTS = {
    "anthropic-rsp__2023-09__v1.0.txt": 73,
    "openai-preparedness__2023-12__beta.txt": 41,
    "gdm-fsf__2025-02__v2.0.txt": 33,
}
"""Commitment totals the corpus coders published (changes.md, "Corpus-coder totals")."""


def commitment_counts(corpus: Path = CORPUS) -> list[tuple[str, int, int | None, Counter[int]]]:
    """(file, commitments extracted, coders' count or None, strengths) for every corpus text."""
    from differ.commitments import extract_commitments

    rows = []
    for path in sorted(corpus.glob("*__*.txt")):
        items = extract_commitments(strip_header(path.read_text(encoding="utf-8")))
        rows.append((path.name, len(items), CODER_COUNTS.get(path.name),
                     Counter(c.strength for c in items)))
    return rows


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
        for f in pair.false_highs:
            if squash(f.phrase) not in both:
                bad.append(f"{pair.old} → {pair.new} false_high: {f.phrase!r}")
    return bad


def _false_high(pair: Pair, hunk: Hunk) -> FalseHigh | None:
    """The false-high label of a high hunk no documented item or review claims, if any."""
    if any(i.in_hunk(hunk) for i in pair.items) or any(r.in_hunk(hunk) for r in pair.reviewed):
        return None
    return next((f for f in pair.false_highs if f.in_hunk(hunk)), None)


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
    header = (f"{'pair':<62} {'recall':>9} {'@high':>7} {'high':>5} {'prec':>5} {'rev':>5} "
              f"{'rerender':>8} {'sev':>6} {'hunks':>5} {'secs':>5}  missed")
    print(header)
    print("-" * len(header))
    tf = tt = th = tm = tr = ah = ai = fh = 0
    reuploads: list[str] = []
    for n, pair in enumerate(pairs, 1):
        s, result = score_pair(pair)
        if pair.reupload:
            reuploads.append(f"{pair.new}: severity {s.severity}")
        else:
            tf, tt, th = tf + s.recall_found, tt + s.recall_total, th + s.high
            tm, tr, ah, ai = tm + s.high_matched, tr + s.high_reviewed, ah + s.at_high, ai + s.items
            fh += sum(1 for h in result.hunks if h.severity == "high" and _false_high(pair, h))
        name = f"{pair.old.removesuffix('.txt')} → {pair.new.split('__', 1)[1].removesuffix('.txt')}"
        print(f"{name:<62} {s.recall_found:>3}/{s.recall_total:<2} "
              f"{s.recall:>4.2f} {s.at_high:>3}/{s.items:<3} {s.high:>5} {s.precision:>5.2f} "
              f"{s.reviewed_precision:>5.2f} {s.rerender_high:>8} {s.severity:>6} "
              f"{s.hunks:>5} {s.seconds:>5.2f}  {','.join(s.missed) or '-'}")
        if args.show == n:
            for h in result.hunks:
                if h.severity == "high":
                    tag = "+" if any(i.in_hunk(h) for i in pair.items) else "?"
                    why = next((r.reason for r in pair.reviewed if r.in_hunk(h)), "")
                    if tag == "?" and why:
                        tag = "r"
                    false = _false_high(pair, h)
                    if tag == "?" and false:
                        tag, why = "x", ""
                    print(f"   {tag} {h.summary}" + (f"\n       reviewed: {why}" if why else "")
                          + (f"\n       not material ({false.clause}): {false.why}" if false else ""))
    print("-" * len(header))
    print(f"{'all pairs (re-uploads apart)':<62} {tf:>3}/{tt:<2} {(tf / tt if tt else 1):>4.2f} "
          f"{ah:>3}/{ai:<3} {th:>5} "
          f"{(tm / th if th else 1):>5.2f} {((tm + tr) / th if th else 1):>5.2f}")
    print("recall = THR/EVAL/PUB items in a hunk of the right category; @high = documented items "
          "(any label) touched by a high hunk; prec = high hunks touching a documented item (raw, "
          "a lower bound); rev = also counting high hunks reviewed as material but unlisted")
    print(f"false highs: {fh} high hunks read as not material (false_high in the labels file, "
          "with the codebook clause; --show N tags them x)")
    for line in reuploads:
        print(f"editorial re-upload {line} (target: none or low)")
    print()
    print(f"{'document':<50} {'commitments':>11} {'coders':>6} {'ratio':>5}  strengths 4/3/2/1")
    for name, n, coders, strengths in commitment_counts():
        ratio = f"{n / coders:.2f}" if coders else "-"
        print(f"{name:<50} {n:>11} {coders or '-':>6} {ratio:>5}  "
              f"{strengths[4]}/{strengths[3]}/{strengths[2]}/{strengths[1]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
