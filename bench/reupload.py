"""Re-upload bench: every corpus document re-rendered as a provider's silent re-upload would be.

A silent re-upload is the same document with new bytes: the PDF re-exported, its page breaks
moved, its paragraphs re-wrapped, its glyphs and contents page a little different. Nothing the
author wrote changed, so framewatch must rate it none or low (the issue's target for
editorial-only re-uploads). ``perturb.py`` makes one edit at a time; this bench makes each kind
of re-render on its own and then all of them at once, per document, and reports the worst
severity of each comparison:

* ``rewrap``: long paragraphs re-wrapped at another width;
* ``hyphens``: long words broken at a line end with a hyphen;
* ``glyphs``: straight quotes turned curly, "fi" ligatures, a few non-breaking spaces;
* ``contents``: every page number of the table of contents moved by one;
* ``page_breaks``: a few ``[[page N]]`` markers move down the text with the running headers
  and page numbers around them, as a reflow does;
* ``all``: the five together, in that order.

Seeded, so a run is reproducible. Run: ``python bench/reupload.py [--seed S] [--show N]``.
Exits 2 when the corpus is absent.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import textwrap
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from differ.compare import compare  # noqa: E402
from differ.segment import _PAGE_MARK, _layout_lines, strip_header  # noqa: E402

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
SEVERITIES = ("none", "low", "medium", "high")


def move_page_breaks(text: str, rng: random.Random, n: int = 4) -> str:
    """Move ``n`` page markers, with the running headers and page numbers around them, 3-12
    lines further on, as a reflow does: the break may now fall inside a paragraph, and the
    paragraphs it separated stay apart."""
    lines = text.split("\n")
    marks = [i for i, ln in enumerate(lines) if _PAGE_MARK.match(ln)]
    for m in sorted(rng.sample(marks, min(n, len(marks))), reverse=True):
        layout = _layout_lines(lines)
        furniture = layout | {i for i, ln in enumerate(lines) if not ln.strip()}
        a = m
        while a > 0 and a - 1 in furniture:
            a -= 1
        b = m + 1
        while b < len(lines) and b in furniture:
            b += 1
        block = [ln for ln in lines[a:b] if ln.strip()]
        rest = lines[:a] + [""] + lines[b:]
        at = min(len(rest), a + 1 + rng.randint(3, 12))
        lines = rest[:at] + block + rest[at:]
    return "\n".join(lines)


def rewrap(text: str, rng: random.Random, n: int = 5) -> str:
    paras = text.split("\n\n")
    # prose only: a heading, list item or page marker is a line of its own in any rendering
    long = [i for i, p in enumerate(paras) if len(p) > 200 and not any(
        ln.lstrip().startswith(("#", "[[page", "-", "•", "●", "○", "|")) for ln in p.split("\n"))]
    for i in rng.sample(long, min(n, len(long))):
        paras[i] = textwrap.fill(" ".join(paras[i].split()), width=rng.choice((60, 75, 95)))
    return "\n\n".join(paras)


def hyphenate(text: str, rng: random.Random, n: int = 6) -> str:
    words = list(re.finditer(r"\b[a-z]{9,}\b", text))
    for m in sorted(rng.sample(words, min(n, len(words))), key=lambda m: -m.start()):
        word = m.group(0)
        cut = len(word) // 2
        text = text[: m.start()] + word[:cut] + "-\n" + word[cut:] + text[m.end():]
    return text


def glyphs(text: str, _rng: random.Random) -> str:
    text = text.replace('"', "\u201c", 3).replace("'", "\u2019", 5)
    return re.sub(r"\bfi", "\ufb01", text, count=4).replace(" ", "\u00a0", 3)


def renumber_contents(text: str, _rng: random.Random) -> str:
    return re.sub(r"(\.{4,}\s*)(\d+)", lambda m: m.group(1) + str(int(m.group(2)) + 1), text)


RENDERS: dict[str, Callable[[str, random.Random], str]] = {
    "rewrap": rewrap,
    "hyphens": hyphenate,
    "glyphs": glyphs,
    "contents": renumber_contents,
    # last when all are applied: a re-wrap after it would join a moved running header into
    # the prose, which no text layer does
    "page_breaks": move_page_breaks,
}


def worst(old: str, new: str) -> tuple[str, str]:
    """The comparison's worst severity, and that hunk's first reason and words."""
    hunks = compare(old, new).hunks
    if not hunks:
        return "none", ""
    h = max(hunks, key=lambda h: SEVERITIES.index(h.severity))
    words = (h.new or h.old or "")[:100].replace("\n", " ")
    return h.severity, f"{h.because[0] if h.because else ''} | {words}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--show", type=int, default=10, help="comparisons above low listed at most")
    args = ap.parse_args(argv)
    if not CORPUS.is_dir():
        print(f"corpus not found at {CORPUS}; nothing to re-render", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    counts: dict[str, Counter[str]] = {k: Counter() for k in (*RENDERS, "all")}
    above: list[str] = []
    for path in sorted(CORPUS.glob("*__*.txt")):
        if "reupload" in path.name:
            continue
        text = strip_header(path.read_text(encoding="utf-8"))
        rng = random.Random(f"{args.seed}:{path.name}")
        together = text
        for kind, render in RENDERS.items():
            one = render(text, rng)
            together = render(together, rng)
            sev, why = worst(text, one)
            counts[kind][sev] += 1
            if SEVERITIES.index(sev) > 1:
                above.append(f"- {path.stem} [{kind}] {sev}: {why}")
        sev, why = worst(text, together)
        counts["all"][sev] += 1
        if SEVERITIES.index(sev) > 1:
            above.append(f"- {path.stem} [all] {sev}: {why}")
    print(f"{'re-render':<12} " + " ".join(f"{s:>7}" for s in SEVERITIES) + "   none or low")
    for kind, c in counts.items():
        total = sum(c.values())
        ok = c["none"] + c["low"]
        print(f"{kind:<12} " + " ".join(f"{c[s]:>7}" for s in SEVERITIES)
              + f"   {ok}/{total} {ok / total:.2f}")
    print(f"target: none or low for every re-render ({time.perf_counter() - t0:.1f} s)")
    if above:
        print(f"\nabove low ({len(above)}):")
        print("\n".join(above[: args.show]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
