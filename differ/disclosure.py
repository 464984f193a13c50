"""Was a change disclosed? Matching traced commitment changes against the provider's own account.

The human coders' rule (announcement status, one per material change):

* **ANN** — a reader of the account alone would know that *this* commitment changed in *this*
  direction: an account item names the commitment's object (its distinctive words or its
  numbers) and says how it moved (removed, replaced, added, "this was previously …").
* **ANN-P** — the account names the commitment, or the class it belongs to ("updated our
  threshold definitions"), but not the direction or substance.
* **SIL** — an account exists and does not identify the change, even at class level. Generic
  lines ("clarified language throughout", "a comprehensive rewrite") identify nothing.
* **NCL** — the provider published no account for the pair.

Two silent revision rates follow: *strict* counts ANN-P as silent (the reader could not learn
what happened), *lenient* counts it as announced.

Matching is lexical on purpose: an account either uses the words a reader would recognise the
commitment by, or it does not, and every verdict carries the account's words (``announced_by``)
so a reader can check it in seconds. Distinctiveness is weighted by how rare a word is among the
pair's commitments, so "model" or "safety" (everywhere) identify nothing while "distillation" or
"insiders" do.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

ANN, ANN_P, SIL, NCL = "ANN", "ANN-P", "SIL", "NCL"
CODES = (ANN, ANN_P, SIL, NCL)

_CHANGELOG_HEADING = re.compile(
    r"^#{1,6}\s*(?:[A-Z]\.?\s+|\d+(?:\.\d+)*\.?\s+)?(?:change\s*log|version\s+history|"
    r"revision\s+history|document\s+history|summary\s+of\s+(?:changes|revisions|updates)|"
    r"changes\s+(?:from|since)\s+(?:the\s+)?(?:previous|prior|last)\s+version|"
    r"what(?:'s|\s+has)?\s+changed|updates?\s+to\s+this\s+(?:policy|framework))\s*:?\s*$",
    re.I | re.M)
_HEADING = re.compile(r"^#{1,6}\s+(.*)$")
_MONTHS = ("january|february|march|april|may|june|july|august|september|october|november|"
           "december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec")
_ENTRY_HEADING = re.compile(
    rf"\b(?:{_MONTHS})\b|\b(?:19|20)\d\d\b|\bv(?:ersion)?\s*\d|\brsp[- ]\d|\bbeta\b", re.I)
_NONE_ACCOUNT = re.compile(r"^\s*(?:none|n/a|no (?:changelog|account))\b", re.I)
_SOURCE_HEADER = re.compile(r"^# SOURCE:.*$", re.M)
_META_LINE = re.compile(r"^(?:Source|Predecessor|Hyperlink target|Full post text|Text verbatim)\b",
                        re.I)
_FINISHED = re.compile(r"[.!?:;)\u201d\"]\s*$")
_PAGE_MARK = re.compile(r"^(?:\[\[page \d+\]\]|\d{1,3}|.{0,60}(?:Policy|Framework), [A-Z][\w ]+)$")
_ITEM_START = re.compile(r"^(?:[-*\u2022]|\d{1,2}[.)])\s")

_GENERIC = re.compile(
    r"\b(?:clarif\w*|minor|editorial|typo\w*|formatting|language|wording|readability|"
    r"comprehensive(?:ly)?|rewrite|rewritten|overhaul\w*|throughout|restructur\w*|"
    r"reorganiz\w*|reorganis\w*|streamlin\w*|various|several|general|numerous|"
    r"a number of|other|miscellaneous)\b", re.I)
_DIRECTION = re.compile(
    r"\b(?:remov\w*|replac\w*|no longer|instead|rather than|drop\w*|eliminat\w*|delet\w*|"
    r"add\w*|introduc\w*|new|expand\w*|broaden\w*|narrow\w*|reduc\w*|increas\w*|lower\w*|"
    r"rais\w*|less|more|fewer|moved?|moving|relocat\w*|separat\w*|previously|was|were|now|"
    r"extend\w*|shorten\w*|lengthen\w*|exclud\w*|includ\w*|deprioriti\w*|split|merg\w*|"
    r"establish\w*|requir\w*|commit\w*|longer|shorter|weaken\w*|strengthen\w*|authoriz\w*|"
    r"authoris\w*|formali[sz]\w*|grant\w*|allow\w*|permit\w*|empower\w*|gives?|mandat\w*|"
    r"obligat\w*|stop\w*|cease\w*|no\s+longer|tighten\w*|loosen\w*|relax\w*|"
    r"adjust\w*\s+(?:the|our)?\s*\w*\s*(?:to|from)|changed?\s+(?:from|to)|from\s+\S+\s+to)\b",
    re.I)
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9-]+")
_NUMBER_WORDS = {"one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
                 "seven": "7", "eight": "8", "nine": "9", "ten": "10", "twelve": "12",
                 "once": "1", "twice": "2", "single": "1", "annual": "12 month",
                 "annually": "12 month", "yearly": "12 month", "quarterly": "3 month",
                 "monthly": "1 month"}
_QTY = re.compile(r"(\d+(?:\.\d+)?)\s*-?\s*(%|x|×|percent|months?|weeks?|days?|hours?|years?)?", re.I)

STOPWORDS = frozenset("""
a about above after again against all also an and any are as at be because been before being
below between both but by can could did do does doing down during each few for from further
had has have having here how if in into is it its itself just may might more most must no nor
not now of off on once only or other our ours ourselves out over own same shall should so some
such than that the their them then there these they this those through to too under until up
upon very was we were what when where whether which while who whom why will with within would
you your us per via e.g i.e etc including include includes also well
model models ai system systems safety policy framework frameworks responsible scaling anthropic
openai google deepmind xai meta company companies developer developers ensure ensuring
commit commits committed commitment commitments intend aim expect consider recommend
encourage use used using make makes made take takes taken need needs needed relevant
appropriate approach approaches section sections document version versions update updates
updated describe described describes process processes new level levels
""".split())

CLASS_WORDS: dict[str, tuple[str, ...]] = {
    "EC1": ("scope", "domain", "categor", "risk", "capabilit", "cbrn", "cyber", "autonom",
            "persuasi", "track"),
    "EC2": ("threshold", "trigger", "cadence", "level", "checkpoint", "asl", "ccl", "critical",
            "high"),
    "EC3": ("evaluat", "test", "elicit", "red-team", "redteam", "method", "assessment",
            "benchmark", "uplift", "affirmative"),
    "EC4": ("third-part", "external", "independent", "audit", "government", "aisi", "expert",
            "review"),
    "EC5": ("publish", "public", "disclos", "report", "transparen", "share", "summar", "card",
            "notif"),
    "EC6": ("pause", "deploy", "restrict", "safeguard", "escalat", "decision", "halt",
            "mitigat"),
    "G": ("governance", "officer", "board", "council", "oversight", "noncomplian",
          "whistleblow", "accountab", "procedur", "rso", "sag"),
    "S": ("security", "weight", "insider", "access", "infosec", "threat model", "theft"),
    "M": ("safeguard", "mitigat", "deployment", "monitor", "misuse", "trusted user",
          "access control"),
}
"""Words by which an account names a *class* of commitments (codebook categories)."""

COVERAGE = 0.2
NAMING_WORDS = 12
"""How many of a commitment's most distinctive words stand for it when judging coverage."""
RARE_SHARE = 0.1
"""A word is rare when at most this share of the documents' paragraphs use it."""
"""Share of a commitment's distinctive weight (idf) an account item must repeat to name it."""


@dataclass(frozen=True)
class AccountItem:
    """One announcing unit of an account: a changelog entry's paragraph or a post's sentence."""

    text: str
    heading: str = ""


@dataclass(frozen=True)
class Disclosure:
    code: str  # ANN | ANN-P | SIL | NCL
    announced_by: str  # the account's words (empty for SIL / NCL)


@dataclass(frozen=True)
class SilentRate:
    strict: float | None
    lenient: float | None
    material: int
    silent: int  # counted silent under the strict rule (SIL + ANN-P)

    def to_json(self) -> dict[str, Any]:
        return {"strict": self.strict, "lenient": self.lenient, "material": self.material,
                "silent": self.silent}


# ---- finding the account ---------------------------------------------------------------------------

def in_changelog(heading: str, inside: bool) -> bool:
    """Whether the text under ``heading`` (a ``#`` heading line) belongs to the document's own
    changelog, given whether the text before it did.

    A changelog heading opens the section, entry headings (dates, version labels) keep it open,
    any other heading closes it. Its sentences describe revisions ("We updated the threshold
    ..."): they are the provider's account of a change, not commitments of the version."""
    if _CHANGELOG_HEADING.match(heading):
        return True
    h = _HEADING.match(heading)
    return inside and bool(h and _ENTRY_HEADING.search(h.group(1)))


def changelog_section(text: str) -> str | None:
    """The in-document changelog / version-history section, or None.

    It runs from its heading over the entry headings that follow (dates, version labels) and
    stops at the next heading of another kind (the next appendix)."""
    # The last one: a table of contents names the section before it starts.
    m = next(reversed(list(_CHANGELOG_HEADING.finditer(text))), None)
    if m is None:
        return None
    lines = text[m.end():].split("\n")
    kept: list[str] = []
    for line in lines:
        h = _HEADING.match(line)
        if h and not _ENTRY_HEADING.search(h.group(1)):
            break
        kept.append(line)
    body = "\n".join(kept).strip()
    return body[:60_000] or None


def changelog_entries(section: str) -> list[tuple[str, str]]:
    """(entry heading, entry body) pairs of a changelog section, in document order."""
    entries: list[tuple[str, list[str]]] = [("", [])]
    for line in section.split("\n"):
        h = _HEADING.match(line)
        if h and _ENTRY_HEADING.search(h.group(1)):
            entries.append((h.group(1).strip(), []))
        else:
            entries[-1][1].append(line)
    return [(head, "\n".join(body).strip()) for head, body in entries
            if head or "\n".join(body).strip()]


def new_entries(old_section: str | None, new_section: str | None) -> str | None:
    """What the newer changelog says that the older one did not: the account of *this* pair.

    A document's changelog lists every revision; only the entries added since the previous
    version describe this one (older entries would otherwise "announce" old changes)."""
    if not new_section:
        return None
    old_heads = {_norm(h) for h, _ in changelog_entries(old_section or "")}
    old_bodies = {_norm(b) for _, b in changelog_entries(old_section or "")}
    fresh = [f"## {h}\n{b}" if h else b for h, b in changelog_entries(new_section)
             if not (h and _norm(h) in old_heads) and _norm(b) not in old_bodies]
    text = "\n\n".join(fresh).strip()
    return text or None


def account_for_pair(old_text: str, new_text: str, external: Sequence[str] = ()) -> str | None:
    """The provider's account of one version pair: the new in-document changelog entries plus
    any external account texts (a `changelog` source, an announcement). None: no account."""
    parts = [p for p in (new_entries(changelog_section(old_text), changelog_section(new_text)),
                         *external) if p and not is_empty_account(p)]
    return "\n\n".join(parts) if parts else None


def is_empty_account(text: str | None) -> bool:
    """True for no text, or an account file that says the provider published none ("NONE.")."""
    if text is None:
        return True
    body = _SOURCE_HEADER.sub("", text).strip()
    return not body or bool(_NONE_ACCOUNT.match(body))


def account_items(text: str) -> list[AccountItem]:
    """Split an account into items: paragraphs (a changelog entry's labelled paragraph reads as
    one announcement; a numbered or bulleted line starts a new one), long paragraphs into pairs
    of sentences. Headings are kept as the context of the items under them; running footers and
    other fragments too short to announce anything are dropped."""
    text = _SOURCE_HEADER.sub("", text)
    items: list[AccountItem] = []
    heading = ""
    para: list[str] = []

    def flush() -> None:
        body = " ".join(" ".join(para).split())
        para.clear()
        if len(body) < 40 or len(body.split()) < 6:
            return  # a label, a running footer: too short to announce anything
        if len(body) <= 700:
            items.append(AccountItem(body, heading))
            return
        sentences = re.split(r"(?<=[.!?])\s+(?=[A-Z\u201c\"(])", body)
        for i in range(0, len(sentences), 2):
            items.append(AccountItem(" ".join(sentences[i:i + 2]), heading))

    for line in text.split("\n"):
        stripped = line.strip()
        h = _HEADING.match(stripped)
        if h:
            flush()
            heading = h.group(1).strip()
            continue
        if stripped.startswith("```") or _META_LINE.match(stripped) or _PAGE_MARK.match(stripped):
            flush()
            continue
        if not stripped:
            # PDF text breaks paragraphs at page ends: a blank line only ends an item when
            # the sentence before it is finished.
            if para and (_FINISHED.search(para[-1]) or len(" ".join(para).split()) <= 8):
                flush()  # a finished sentence, or a short label line
            continue
        if _ITEM_START.match(stripped):
            flush()
        para.append(stripped)
    flush()
    return items


# ---- matching -------------------------------------------------------------------------------------------

def _norm(text: str) -> str:
    return " ".join(text.lower().split())


def stem(word: str) -> str:
    """Crude, deterministic: the first six letters of a lower-cased word (evaluation, evaluate,
    evaluations → "evalua"; safeguards → "safegu"). Accounts paraphrase; prefixes survive."""
    w = word.lower().strip("-")
    if len(w) > 3 and w.endswith("s") and not w.endswith("ss"):
        w = w[:-1]
    return w[:6]


def terms(text: str) -> set[str]:
    return {stem(w) for w in _WORD.findall(text) if w.lower() not in STOPWORDS and len(w) > 2}


def quantities(text: str) -> set[str]:
    """Numbers with their unit, normalised ("three months" → "3 month", "4x" → "4 x")."""
    t = text.lower()
    for word, digit in _NUMBER_WORDS.items():
        t = re.sub(rf"\b{word}\b", digit, t)
    out = set()
    for m in _QTY.finditer(t):
        num, unit = m.group(1), (m.group(2) or "").rstrip("s")
        if not unit and len(num) == 4 and num.startswith(("19", "20")):
            continue  # a year
        if not unit and num in ("1", "2", "3"):
            continue  # list numbering, "ASL-2" is a term already
        unit = {"×": "x", "percent": "%"}.get(unit, unit)
        out.add(f"{num} {unit}".strip())
    return out


def _commitment_text(side: Any) -> str:
    if side is None:
        return ""
    if isinstance(side, dict):
        return str(side.get("text", ""))
    return str(getattr(side, "text", ""))


def _attr(side: Any, name: str, default: Any = "") -> Any:
    if side is None:
        return default
    if isinstance(side, dict):
        return side.get(name, default)
    return getattr(side, name, default)


@dataclass(frozen=True)
class _Change:
    outcome: str
    codebook: str
    category: str
    categories: tuple[str, ...]
    terms: frozenset[str]
    changed_terms: frozenset[str]
    quantities: frozenset[str]


def _change_view(traced: Any) -> _Change:
    old, new = traced.old, traced.new
    old_t, new_t = terms(_commitment_text(old)), terms(_commitment_text(new))
    side = new if new is not None else old
    changed = (old_t ^ new_t) if old is not None and new is not None else (old_t | new_t)
    qty = quantities(_commitment_text(old)) ^ quantities(_commitment_text(new)) \
        if old is not None and new is not None else \
        quantities(_commitment_text(old)) | quantities(_commitment_text(new))
    return _Change(outcome=traced.outcome, codebook=str(_attr(side, "codebook", "")),
                   category=str(_attr(side, "category", "")),
                   categories=tuple(str(c) for c in _attr(side, "categories", ()) or ()),
                   terms=frozenset(old_t | new_t),
                   changed_terms=frozenset(changed), quantities=frozenset(qty))


def _idf(changes: Sequence[_Change], universe: Iterable[set[str]]) -> tuple[dict[str, float],
                                                                           set[str]]:
    """Each word's rarity weight, and the words rare enough to identify something (used by at
    most RARE_SHARE of the paragraphs — and by at least three in a short document)."""
    docs = list(universe) or [c.terms for c in changes]
    n = max(len(docs), 1)
    df: Counter[str] = Counter(t for d in docs for t in d)
    limit = max(3.0, RARE_SHARE * n)
    return ({t: math.log((n + 1) / (k + 0.5)) for t, k in df.items()},
            {t for t, k in df.items() if k <= limit})


CATEGORY_CODES = {"thresholds": "EC2", "evaluations": "EC3", "publication": "EC5",
                  "mitigations": "M", "response": "EC6", "governance": "G", "scope": "EC1",
                  "alignment": "EC1"}


def _class_named(item_terms_text: str, change: _Change) -> bool:
    """Does the item name the class the commitment belongs to (its codebook code, or any of
    its lexicon categories)?"""
    codes = {change.codebook, *(CATEGORY_CODES.get(c, "") for c in
                                (change.category, *change.categories))}
    low = item_terms_text.lower()
    return any(w in low for code in codes for w in CLASS_WORDS.get(code, ()))


def universe_of(*texts: str) -> list[str]:
    """The documents' paragraphs: the background against which a word's rarity is judged."""
    return [p for t in texts for p in re.split(r"\n\s*\n|\n(?=#)", t) if p.strip()]


def classify(traced: Sequence[Any], account: str | None,
             universe: Sequence[str] = ()) -> list[Disclosure]:
    """One Disclosure per traced commitment (non-material ones get SIL with no words, and are
    not counted by :func:`silent_rate`).

    ``universe``: the paragraphs of both documents (:func:`universe_of`), so a word's rarity is
    judged against the whole texts: "ASL-3" in a document that says it on every page names
    nothing, "distillation" does. An item names a commitment when it covers a good share of the
    commitment's distinctive words (``coverage``) with at least two rare ones, or its changed
    number; it announces the change when it also says how it moved."""
    if is_empty_account(account):
        return [Disclosure(NCL, "") for _ in traced]
    items = account_items(account or "")
    item_terms = [terms(i.heading + " " + i.text) for i in items]
    item_qty = [quantities(i.text) for i in items]
    views = [_change_view(t) for t in traced]
    idf, rare = _idf(views, (terms(u) for u in universe))
    out = []
    for t, view in zip(traced, views, strict=True):
        if not getattr(t, "material", t.outcome != "R"):
            out.append(Disclosure(SIL, ""))
            continue
        # A long commitment elaborates its object: an item that names it need not repeat
        # every detail, so the share is taken of its most distinctive words only.
        total = sum(sorted((idf.get(w, 0.0) for w in view.terms), reverse=True)[:NAMING_WORDS]) \
            or 1.0
        best: tuple[float, int] | None = None
        partial: tuple[float, int] | None = None
        for k, item in enumerate(items):
            shared = view.terms & item_terms[k]
            rare_shared = [w for w in shared if w in rare]
            coverage = sum(idf.get(w, 0.0) for w in shared) / total
            qty_hit = bool(view.quantities & item_qty[k])
            names_it = (coverage >= COVERAGE and len(rare_shared) >= 2) or (
                (qty_hit or coverage >= 2.5 * COVERAGE) and len(rare_shared) >= 1)
            if names_it:
                moved = view.changed_terms & item_terms[k]
                directional = bool(_DIRECTION.search(item.text)) and (
                    qty_hit or bool(moved) or view.outcome in "AXL")
                if directional and (best is None or coverage > best[0]):
                    best = (coverage, k)
                elif partial is None or coverage > partial[0]:
                    partial = (coverage, k)
            elif (partial is None and coverage >= COVERAGE / 2 and rare_shared
                  and not _GENERIC.search(item.text)
                  and _class_named(item.heading + " " + item.text, view)):
                partial = (0.0, k)
        if best is not None:
            out.append(Disclosure(ANN, _quote(items[best[1]])))
        elif partial is not None:
            out.append(Disclosure(ANN_P, _quote(items[partial[1]])))
        else:
            out.append(Disclosure(SIL, ""))
    return out


def _quote(item: AccountItem) -> str:
    text = item.text
    return text if len(text) <= 400 else text[:397].rstrip() + "…"


def silent_rate(traced: Sequence[Any], disclosures: Sequence[Disclosure]) -> SilentRate:
    """SRR over the material changes: strict (ANN-P silent) and lenient (ANN-P announced).
    Undefined (None) when there is no account (NCL) or nothing material."""
    return rate_of_codes([d.code for t, d in zip(traced, disclosures, strict=True)
                          if getattr(t, "material", t.outcome != "R")])


def rate_of_codes(codes: Sequence[str]) -> SilentRate:
    """SRR from the announcement codes of a pair's material changes."""
    if not codes or NCL in codes:
        return SilentRate(None, None, len(codes), 0)
    sil = sum(c == SIL for c in codes)
    part = sum(c == ANN_P for c in codes)
    n = len(codes)
    return SilentRate(round((sil + part) / n, 3), round(sil / n, 3), n, sil + part)


def pooled_rate(rates: Iterable[tuple[int, int, int]]) -> SilentRate:
    """Pool (material, SIL, ANN-P) counts of several pairs (a company's record); pairs with no
    changelog are left out, as the metric is undefined for them."""
    n = sil = part = 0
    for m, s, p in rates:
        n, sil, part = n + m, sil + s, part + p
    if n == 0:
        return SilentRate(None, None, 0, 0)
    return SilentRate(round((sil + part) / n, 3), round(sil / n, 3), n, sil + part)
