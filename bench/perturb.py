"""Perturbation bench: controlled single edits to every corpus document, rated by ``compare``.

The revision pairs of ``calibrate.py`` test the classifier only on the wording of documents that
have a second version. This bench tests it on every corpus text, single-version ones included:
for each document it makes one edit at a time, of a known kind, and checks the rating.

* material edits (codebook sections 4-5: scope, threshold/trigger, actor, obligation strength,
  disclosure scope, consequence), each applied to a sentence the commitment extractor reads as a
  commitment: the modal weakened, a quantity changed, the scope narrowed, an exception added, a
  disclosure narrowed, the actor changed, the sentence deleted, a new commitment added. Passes
  when a high hunk covers the edited sentence.
* editorial edits (codebook section 11: labels and dates, layout, cross-references, wording that
  keeps the meaning): a paragraph re-wrapped, quotes flipped, a heading renumbered, a typo fixed
  outside the commitments, a "Last updated" date changed, a footnote marker renumbered, a
  background sentence reworded, a paragraph repeated as a text layer doubles a block at a page
  break. Passes when no hunk is rated above low.

Edits are chosen with a seeded generator, so a run is reproducible. Run:
``python bench/perturb.py [-n N] [--seed S] [--doc SUBSTRING] [--failures MAX]``
(N edits of each kind per document, default 3). Exits 2 when the corpus is absent.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from differ import DiffResult  # noqa: E402
from differ.commitments import commits  # noqa: E402
from differ.compare import compare  # noqa: E402
from differ.segment import Sentence, segment, strip_header  # noqa: E402

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
MATERIAL_TARGET = 0.95
EDITORIAL_TARGET = 1.0


@dataclass(frozen=True, slots=True)
class Edit:
    """One controlled edit: the texts to compare and where the edited sentence is in each."""

    kind: str
    material: bool
    old: str
    new: str
    sentence: str  # the sentence as edited (or as deleted), for the failure list
    old_span: tuple[int, int]  # where the edit is in ``old``; (0, 0) when it has no place there
    new_span: tuple[int, int]  # where the edit is in ``new``


@dataclass(frozen=True, slots=True)
class Outcome:
    edit: Edit
    passed: bool
    severity: str
    because: str


# -- sentence-level rewrites ---------------------------------------------------------------------

Rewrite = Callable[[str, random.Random], str | None]


def _sub_one(pattern: str, text: str, rng: random.Random,
             repl: Callable[[re.Match[str]], str], flags: int = 0) -> str | None:
    """``text`` with one (seeded) match of ``pattern`` replaced, or None when nothing matches."""
    matches = list(re.finditer(pattern, text, flags))
    if not matches:
        return None
    m = rng.choice(matches)
    out = repl(m)
    if out == m.group(0):
        return None
    return text[: m.start()] + out + text[m.end():]


def _keep_case(src: str, word: str) -> str:
    return word[:1].upper() + word[1:] if src[:1].isupper() else word


_WEAKER = {
    "will": ("may", "aim to"),
    "must": ("may", "should try to"),
    "shall": ("may",),
    "commit to": ("aim to", "consider"),
    "commits to": ("aims to", "considers"),
    "are committed to": ("hope to be able to",),
    "is committed to": ("hopes to be able to",),
    "require": ("encourage",),
    "requires": ("encourages",),
    "is required to": ("is encouraged to",),
    "are required to": ("are encouraged to",),
}


def weaken_modal(text: str, rng: random.Random) -> str | None:
    """The obligation softened: will/must/commit to -> may/aim to/consider."""
    pattern = r"\b(?:" + "|".join(sorted(map(re.escape, _WEAKER), key=len, reverse=True)) + r")\b"
    return _sub_one(pattern, text, rng,
                    lambda m: _keep_case(m.group(0), rng.choice(_WEAKER[m.group(0).lower()])),
                    re.IGNORECASE)


_WORD_NUMBERS = ("one two three four five six seven eight nine ten eleven twelve "
                 "fifteen twenty thirty").split()
_UNIT = (r"(?:%|x\b|×|-?fold\b|\s*(?:percent|per cent|days?|weeks?|months?|years?|hours?|times|"
         r"business days|calendar days|FLOPs?|people|experts|participants|employees|members|"
         r"tasks|samples|trials|runs|questions|domains|times))")


def change_number(text: str, rng: random.Random) -> str | None:
    """A threshold, cadence or quantity changed (30 days -> 90 days, 2x -> 4x, 6 months -> 12)."""
    def bump(m: re.Match[str]) -> str:
        num = m.group("n")
        if num.lower() in _WORD_NUMBERS:
            i = _WORD_NUMBERS.index(num.lower())
            new = _WORD_NUMBERS[(i + 2) % len(_WORD_NUMBERS)]
            return _keep_case(num, new) + m.group("u")
        value = float(num.replace(",", ""))
        factor = rng.choice((2, 3))
        new_value = value * factor
        shown = f"{new_value:g}" if "." in num else f"{int(new_value):,}" if "," in num else str(
            int(new_value))
        return shown + m.group("u")
    words = "|".join(_WORD_NUMBERS)
    pattern = (rf"(?P<n>\b\d[\d,]*(?:\.\d+)?|\b(?:{words})\b)(?P<u>{_UNIT})")
    return _sub_one(pattern, text, rng, bump, re.IGNORECASE)


def narrow_scope(text: str, rng: random.Random) -> str | None:
    """The scope narrowed: all/every/any -> some/certain; "models" -> "external models"."""
    options = [
        (r"\b(?:all|every|any|each)\b(?= [a-z])",
         lambda m: _keep_case(m.group(0), rng.choice(("some", "certain")))),
        (r"\b(?<!external )models\b", lambda m: "external models"),
    ]
    rng.shuffle(options)
    for pattern, repl in options:
        out = _sub_one(pattern, text, rng, repl, re.IGNORECASE)
        if out is not None:
            return out
    return None


_EXCEPTIONS = (
    ", unless leadership decides otherwise",
    ", except where doing so would delay a release",
    ", unless a competitor has already done so",
    ", except where commercially impractical",
)


def add_exception(text: str, rng: random.Random) -> str | None:
    """An exception clause added before the sentence's final stop."""
    m = re.search(r"[.;:]?[\"”’)]*\s*$", text)
    if m is None or len(text.split()) < 6:
        return None
    core = text[: m.start()].rstrip()
    if not core or core[-1] in ",;:":
        return None
    return core + rng.choice(_EXCEPTIONS) + "."


_NARROWER = [
    (r"\bpublicly (?:release|publish|share|disclose|report)\b", ("share internally",)),
    (r"\bpublish(?:es|ed)?\b", ("share internally", "share with select partners")),
    (r"\bmake (?:\w+ )?(?:public|publicly available)\b", ("share with select partners",)),
    (r"\bpublicly\b", ("internally",)),
    (r"\bdisclose\b", ("share internally",)),
    (r"\bthe public\b", ("select partners",)),
]


def narrow_disclosure(text: str, rng: random.Random) -> str | None:
    """A disclosure narrowed: publish/make public -> share internally / with select partners."""
    for pattern, words in _NARROWER:
        out = _sub_one(pattern, text, rng, lambda m, w=words: rng.choice(w), re.IGNORECASE)
        if out is not None:
            return out
    return None


_ACTORS = [
    (r"\b(?:the )?(?:Board of Directors|Board|board)\b", "management"),
    (r"\bapproval\b", "consultation"),
    (r"\bapprove\b", "be consulted on"),
    (r"\b(?:the )?(?:CEO|Chief Executive Officer)\b", "a designated employee"),
    (r"\b(?:the )?Responsible Scaling Officer\b", "a product manager"),
    (r"\bindependent (?:third[- ]part(?:y|ies)|experts?|reviewers?|auditors?)\b", "internal staff"),
    (r"\b(?:external|third[- ]party) (?:experts?|evaluators?|reviewers?|auditors?)\b",
     "internal staff"),
    (r"\b(?:the )?(?:Frontier Safety|Safety and Security|Safety Advisory) (?:Committee|Group|Council)\b",
     "the product team"),
]


def change_actor(text: str, rng: random.Random) -> str | None:
    """The deciding or overseeing actor changed: the Board -> management, approval -> consultation."""
    options = list(_ACTORS)
    rng.shuffle(options)
    for pattern, word in options:
        out = _sub_one(pattern, text, rng, lambda m, w=word: _keep_case(m.group(0), w))
        if out is not None:
            return out
    return None


_NEW_COMMITMENTS = (
    "We will publish the results of every dangerous-capability evaluation within 30 days.",
    "Before each deployment, we will require written approval from the Board.",
    "We will commission an independent audit of this framework every 12 months.",
    "We will not train a model beyond 10^26 FLOP without first implementing these safeguards.",
)

MATERIAL: dict[str, Rewrite] = {
    "modal_weakened": weaken_modal,
    "number_changed": change_number,
    "scope_narrowed": narrow_scope,
    "exception_added": add_exception,
    "disclosure_narrowed": narrow_disclosure,
    "actor_changed": change_actor,
}


# -- choosing sentences --------------------------------------------------------------------------


def _commitment_sentences(sentences: list[Sentence]) -> list[Sentence]:
    return [s for s in sentences if not s.heading and commits(s) and len(s.words) >= 5]


def _background_sentences(sentences: list[Sentence]) -> list[Sentence]:
    """Prose sentences that are not commitments (and share no paragraph with one)."""
    committed = {s.para for s in _commitment_sentences(sentences)}
    return [s for s in sentences
            if not s.heading and s.para not in committed and len(s.words) >= 8
            and not s.text.startswith(("-", "•", "●")) and re.search(r"[a-z]{4}", s.text)]


def _sample(items: list, n: int, rng: random.Random) -> list:
    return rng.sample(items, min(n, len(items))) if items else []


def _material_edits(text: str, sentences: list[Sentence], n: int,
                    rng: random.Random) -> list[Edit]:
    found: list[Edit] = []
    pool = _commitment_sentences(sentences)
    for kind, rewrite in MATERIAL.items():
        order = list(pool)
        rng.shuffle(order)
        made = 0
        for s in order:
            if made >= n:
                break
            raw = text[s.start:s.end]
            out = rewrite(raw, rng)
            if out is None:
                continue
            new = text[: s.start] + out + text[s.end:]
            found.append(Edit(kind, True, text, new, " ".join(out.split()),
                              (s.start, s.end), (s.start, s.start + len(out))))
            made += 1
    for s in _sample(pool, n, rng):
        new = text[: s.start] + text[s.end:]
        found.append(Edit("deleted", True, text, new, s.text, (s.start, s.end),
                          (0, 0)))
    categorised = [s for s in pool if s.section]
    for s in _sample(categorised, n, rng):
        added = rng.choice(_NEW_COMMITMENTS)
        new = text[: s.end] + " " + added + text[s.end:]
        found.append(Edit("added", True, text, new, added, (0, 0),
                          (s.end + 1, s.end + 1 + len(added))))
    return found


# -- editorial edits -----------------------------------------------------------------------------


def _paragraph_blocks(text: str) -> list[tuple[int, int]]:
    """(start, end) of runs of >= 2 long prose lines: paragraphs a renderer could re-wrap."""
    blocks = []
    pos = 0
    run_start = None
    run_lines = 0
    for line in text.split("\n") + [""]:
        prose = len(line) >= 40 and not line.lstrip().startswith(("#", "[[", "-", "•", "●", "|"))
        if prose:
            if run_start is None:
                run_start, run_lines = pos, 0
            run_lines += 1
        else:
            if run_start is not None and run_lines >= 2:
                blocks.append((run_start, pos - 1))
            run_start = None
        pos += len(line) + 1
    return blocks


def _rewrap(text: str, rng: random.Random) -> Edit | None:
    blocks = _paragraph_blocks(text)
    if not blocks:
        return None
    a, b = rng.choice(blocks)
    words = text[a:b].split()
    width = rng.choice((55, 65, 95))
    lines, cur = [], ""
    for w in words:
        if cur and len(cur) + 1 + len(w) > width:
            lines.append(cur)
            cur = w
        else:
            cur = f"{cur} {w}" if cur else w
    lines.append(cur)
    out = "\n".join(lines)
    return Edit("rewrap", False, text, text[:a] + out + text[b:], " ".join(words[:12]),
                (a, b), (a, a + len(out)))


def _flip_quotes(text: str, rng: random.Random) -> Edit | None:
    if any(q in text for q in "“”‘’"):
        new = (text.replace("“", '"').replace("”", '"').replace("‘", "'").replace("’", "'"))
    else:
        new = re.sub(r'"([^"\n]{1,80})"', "“\\1”", text).replace("'", "’")
    if new == text:
        return None
    return Edit("quotes", False, text, new, "(whole document)", (0, len(text)), (0, len(new)))


_NUMBERED_HEADING = re.compile(r"^(#{0,6}\s*)(\d{1,2})\.(\d{1,2})(\.?\s+[A-Z])", re.MULTILINE)


def _renumber_heading(text: str, rng: random.Random) -> Edit | None:
    matches = list(_NUMBERED_HEADING.finditer(text))
    if not matches:
        return None
    m = rng.choice(matches)
    minor = str(int(m.group(3)) + 1)
    out = f"{m.group(1)}{m.group(2)}.{minor}{m.group(4)}"
    line_end = text.find("\n", m.start())
    line_end = len(text) if line_end < 0 else line_end
    new = text[: m.start()] + out + text[m.end():]
    shown = new[m.start(): line_end + len(out) - len(m.group(0))]
    return Edit("heading_renumbered", False, text, new, shown.strip(), (m.start(), line_end),
                (m.start(), line_end + len(out) - len(m.group(0))))


def _fix_typo(text: str, sentences: list[Sentence], rng: random.Random) -> Edit | None:
    """A typo (two letters swapped in a long word) in a background sentence, then fixed."""
    for s in _sample(_background_sentences(sentences), 5, rng):
        raw = text[s.start:s.end]
        words = list(re.finditer(r"\b[a-z]{7,}\b", raw))
        if not words:
            continue
        w = rng.choice(words)
        i = rng.randrange(1, len(w.group(0)) - 2)
        word = w.group(0)
        typo = word[:i] + word[i + 1] + word[i] + word[i + 2:]
        if typo == word:
            continue
        old = text[: s.start + w.start()] + typo + text[s.start + w.end():]
        return Edit("typo_fixed", False, old, text, s.text, (s.start, s.end), (s.start, s.end))
    return None


_DATE_LINE = re.compile(
    r"^.*\b(?:last updated|updated|effective(?: date)?|date|published|version date)\b[^\n]{0,40}?"
    r"\b(?:19|20)\d\d\b.*$", re.IGNORECASE | re.MULTILINE)


def _change_date(text: str, rng: random.Random) -> Edit | None:
    lines = [m for m in _DATE_LINE.finditer(text) if len(m.group(0)) <= 80]
    if lines:
        m = rng.choice(lines)
        out = re.sub(r"\b((?:19|20)\d\d)\b", lambda y: str(int(y.group(1)) + 1), m.group(0),
                     count=1)
        new = text[: m.start()] + out + text[m.end():]
        return Edit("date_changed", False, text, new, out.strip(), (m.start(), m.end()),
                    (m.start(), m.start() + len(out)))
    old = "Last updated: January 15, 2025\n\n" + text
    new = "Last updated: March 2, 2025\n\n" + text
    return Edit("date_changed", False, old, new, "Last updated: March 2, 2025", (0, 30), (0, 27))


_FOOTNOTE = re.compile(r"(?<=[a-z][a-z][,.;:”\"’)])(\d{1,2})(?=\s)|(?<=[a-z]{4})(\d{1,2})(?=[\s,.;])")


def _renumber_footnote(text: str, rng: random.Random) -> Edit | None:
    matches = list(_FOOTNOTE.finditer(text))
    if not matches:
        return None
    m = rng.choice(matches)
    out = str(int(m.group(0)) + 1)
    new = text[: m.start()] + out + text[m.end():]
    a = text.rfind("\n", 0, m.start()) + 1
    b = text.find("\n", m.end())
    return Edit("footnote_renumbered", False, text, new, new[a:b if b > 0 else None].strip(),
                (m.start(), m.end()), (m.start(), m.start() + len(out)))


_REWORDINGS = [
    (r"\balso\b", "additionally"), (r"\bimportant\b", "significant"),
    (r"\bdescribes\b", "sets out"), (r"\boutlines\b", "describes"), (r"\bhelps\b", "assists"),
    (r"\bapproach\b", "methodology"), (r"\bvarious\b", "a range of"), (r"\bhowever\b", "yet"),
    (r"\bin order to\b", "to"), (r"\bcurrently\b", "at present"), (r"\bsuch as\b", "like"),
    (r"\bmany\b", "numerous"), (r"\bbelieve\b", "think"), (r"\bsignificant\b", "substantial"),
]


def _reword_background(text: str, sentences: list[Sentence],
                       rng: random.Random) -> Edit | None:
    for s in _sample(_background_sentences(sentences), 8, rng):
        raw = text[s.start:s.end]
        for pattern, word in rng.sample(_REWORDINGS, len(_REWORDINGS)):
            m = re.search(pattern, raw, re.IGNORECASE)
            if m:
                out = raw[: m.start()] + _keep_case(m.group(0), word) + raw[m.end():]
                new = text[: s.start] + out + text[s.end:]
                return Edit("background_reworded", False, text, new, " ".join(out.split()),
                            (s.start, s.end), (s.start, s.start + len(out)))
    return None


def _repeat_paragraph(text: str, rng: random.Random) -> Edit | None:
    """A prose paragraph written twice, as a PDF text layer doubles a block at a page break."""
    blocks = _paragraph_blocks(text)
    if not blocks:
        return None
    a, b = rng.choice(blocks)
    block = text[a:b]
    new = text[:b] + "\n\n" + block + text[b:]
    return Edit("paragraph_repeated", False, text, new, " ".join(block.split()[:12]),
                (b, b), (b + 2, b + 2 + len(block)))


def _editorial_edits(text: str, sentences: list[Sentence], n: int,
                     rng: random.Random) -> list[Edit]:
    makers: list[Callable[[], Edit | None]] = [
        lambda: _rewrap(text, rng),
        lambda: _flip_quotes(text, rng),
        lambda: _renumber_heading(text, rng),
        lambda: _fix_typo(text, sentences, rng),
        lambda: _change_date(text, rng),
        lambda: _renumber_footnote(text, rng),
        lambda: _reword_background(text, sentences, rng),
        lambda: _repeat_paragraph(text, rng),
    ]
    out: list[Edit] = []
    for i, make in enumerate(makers):
        seen: set[str] = set()
        tries = 0
        # the quote flip is one edit of the whole document: make it once
        wanted = 1 if i == 1 else n
        while len([e for e in out if e.kind == _EDITORIAL_KINDS[i]]) < wanted and tries < 3 * n:
            tries += 1
            edit = make()
            if edit is None:
                break
            if edit.new in seen:
                continue
            seen.add(edit.new)
            out.append(edit)
    return out


_EDITORIAL_KINDS = ("rewrap", "quotes", "heading_renumbered", "typo_fixed", "date_changed",
                    "footnote_renumbered", "background_reworded", "paragraph_repeated")


# -- judging -------------------------------------------------------------------------------------


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    if a == (0, 0) or b == (0, 0):
        return False
    return a[0] < b[1] and b[0] < a[1] or a[0] == b[0]


def judge(edit: Edit, result: DiffResult) -> Outcome:
    """Whether ``result`` rates ``edit`` as its kind requires, and the rating it gave."""
    if edit.material:
        covering = [h for h in result.hunks
                    if _overlaps(h.new_span, edit.new_span) or _overlaps(h.old_span, edit.old_span)]
        best = max(covering, key=lambda h: ("none", "low", "medium", "high").index(h.severity),
                   default=None)
        passed = best is not None and best.severity == "high"
        return Outcome(edit, passed, best.severity if best else "unchanged",
                       "; ".join(best.because) if best else "")
    worst = max(result.hunks, key=lambda h: ("none", "low", "medium", "high").index(h.severity),
                default=None)
    passed = result.severity in ("none", "low")
    return Outcome(edit, passed, result.severity,
                   "; ".join(worst.because) if worst is not None and not passed else "")


def document_edits(text: str, n: int, seed: int, name: str) -> list[Edit]:
    """The edits of one document: N of each kind, chosen by a generator seeded per document."""
    rng = random.Random(f"{seed}:{name}")
    sentences = segment(text)
    return (_material_edits(text, sentences, n, rng)
            + _editorial_edits(text, sentences, n, rng))


def run_document(text: str, n: int, seed: int, name: str) -> list[Outcome]:
    return [judge(e, compare(e.old, e.new)) for e in document_edits(text, n, seed, name)]


def _share(outcomes: list[Outcome]) -> str:
    if not outcomes:
        return "   -    "
    ok = sum(o.passed for o in outcomes)
    return f"{ok:>3}/{len(outcomes):<3} {ok / len(outcomes):.2f}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-n", type=int, default=3, help="edits of each kind per document")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--doc", default="", help="only documents whose file name contains this")
    ap.add_argument("--failures", type=int, default=200, help="failures listed at most")
    args = ap.parse_args(argv)
    if not CORPUS.is_dir():
        print(f"corpus not found at {CORPUS}; nothing to perturb", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    header = f"{'document':<52} {'material -> high':>16} {'editorial <= low':>16} {'secs':>5}"
    print(header)
    print("-" * len(header))
    everything: list[tuple[str, Outcome]] = []
    for path in sorted(CORPUS.glob("*__*.txt")):
        if args.doc and args.doc not in path.name:
            continue
        t1 = time.perf_counter()
        outcomes = run_document(strip_header(path.read_text(encoding="utf-8")), args.n,
                                args.seed, path.name)
        everything += [(path.name, o) for o in outcomes]
        mat = [o for o in outcomes if o.edit.material]
        edi = [o for o in outcomes if not o.edit.material]
        print(f"{path.name.removesuffix('.txt'):<52} {_share(mat):>16} {_share(edi):>16} "
              f"{time.perf_counter() - t1:>5.1f}")
    mat = [o for _, o in everything if o.edit.material]
    edi = [o for _, o in everything if not o.edit.material]
    print("-" * len(header))
    print(f"{'all documents':<52} {_share(mat):>16} {_share(edi):>16} "
          f"{time.perf_counter() - t0:>5.1f}")
    print(f"targets: material -> high >= {MATERIAL_TARGET:.2f}, editorial <= low "
          f"{EDITORIAL_TARGET:.2f}")
    by_kind: dict[str, list[Outcome]] = defaultdict(list)
    for _, o in everything:
        by_kind[o.edit.kind].append(o)
    print()
    print("by kind: " + ", ".join(f"{k} {_share(v).strip()}" for k, v in by_kind.items()))
    failures = [(d, o) for d, o in everything if not o.passed]
    if failures:
        print(f"\nfailures ({len(failures)}):")
    for doc, o in failures[: args.failures]:
        print(f"- {doc.removesuffix('.txt')} [{o.edit.kind}] got {o.severity}"
              f"{' because ' + o.because if o.because else ''}\n    {o.edit.sentence[:220]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
