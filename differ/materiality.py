"""Whether a reworded commitment changed what it binds: the coders' six materiality dimensions.

One judgement, used both when a commitment is traced to its counterpart in the next version and
when the classifier rates a changed hunk, so a ledger entry and an alert never disagree about the
same words. A change is material when it alters at least one of

1. scope — which capabilities, risk domains, models or deployments are covered;
2. threshold or trigger — the level, timing, cadence or quantity at which something is required;
3. actor — who conducts, verifies or must be given access (third parties, named bodies);
4. obligation strength — the modal force (must / will / commit / present tense > intend / aim /
   expect > may / could / consider > recommend / encourage);
5. disclosure scope — what is published, to whom, when;
6. consequence — what a result obligates, or the carve-outs under which it can be deferred.

Rewording with the same force and the same objects is not material: will ↔ commit to ↔ present
tense, "release" ↔ "deployment", labels and dates, cross-references, and changes to illustrative
examples ("e.g.", "such as") whose rule is unchanged.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from differ.segment import normalize_chars

DIMENSIONS: dict[int, str] = {
    1: "scope",
    2: "threshold/trigger",
    3: "actor",
    4: "obligation strength",
    5: "disclosure scope",
    6: "consequence",
}

ILLUSTRATIVE = re.compile(
    r"\((?:e\.g\.|for example|such as|for instance|i\.e\.|like\s)[^)]*\)|"
    r"(?:\b(?:e\.g\.|for example|such as|for instance)|(?:(?<=, )|(?<=[a-z]s ))like\b"
    r"(?<!(?:looks|seems|feels) like))"
    r"(?:(?!,?\s*\b(?:unless|except|other\s+than|provided\s+that)\b)[^.;:()])*",
    re.IGNORECASE,
)
"""Illustrative enumerations; one not in parentheses runs to the next stop or to an exception
clause after it ("e.g. rate limits, unless ..."), which qualifies the rule, not the examples.
"like" introduces examples after a comma or a plural ("risks, like ...", "methods like web
searches"), as "such as" does."""
_ANCHOR = re.compile(r"\((?:e\.g\.,?\s*)?[^)]*?\d[^)]*\)", re.IGNORECASE)
"""A parenthesised quantitative anchor: "(e.g. 2x)", "(defined as 4x or more)"."""

_DURATION = re.compile(
    r"\b(\d+(?:\.\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|"
    r"eighteen|twenty|thirty|sixty|ninety)[- ](hours?|days?|weeks?|months?|quarters?|years?)\b",
    re.IGNORECASE,
)
_CADENCE_WORD = {
    "daily": 1.0,
    "weekly": 7.0,
    "monthly": 30.0,
    "quarterly": 91.0,
    "biannually": 182.0,
    "annually": 365.0,
    "yearly": 365.0,
}
_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "eighteen": 18,
    "twenty": 20, "thirty": 30, "sixty": 60, "ninety": 90,
}
_UNIT_DAYS = {"hour": 1 / 24, "day": 1, "week": 7, "month": 30, "quarter": 91, "year": 365}

_LEVEL = re.compile(
    r"\b(?:ASL-?[0-9N](?:\+1)?|CBRN-[0-9]|AI\s+R&D-[0-9]|SL-?[0-9]|Level\s+[0-9]+\+?|"
    r"(?:uplift|autonomy|acceleration|automation|manipulation|reasoning)\s+level\s+[0-9]+\+?|"
    r"tier\s+[0-9]+)(?![\w+])|\+(?=\s|$)",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)*(?:\s?%|x\b|\s?percent\b)?|\$\s?\d[\d,]*")
_PLACE_BEFORE = re.compile(
    r"\b(?:table|tables|section|sections|sec|appendix|annex|figure|fig|footnote|note|page|pages|"
    r"step|part|item|chapter|version|v|no|§)\.?\s*$",
    re.IGNORECASE,
)
"""A number after these words names a place in the document, not a quantity ("Table 2")."""
_MONTH = re.compile(
    r"\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b", re.IGNORECASE
)
_YEAR = re.compile(r"^(?:19|20)\d\d$")
_FOOTNOTE = re.compile(r"[A-Za-z][,;:)\]”’\"']$")
"""A number right after a word's closing punctuation, without a space, is a footnote marker."""
CARVE_OUT = re.compile(
    r"\b(?:unless|except(?:\s+(?:where|when|if|for))?|other\s+than|provided\s+that|"
    r"as\s+long\s+as|so\s+long\s+as|ordinarily\s+not|will\s+(?:generally|ordinarily|typically)\s+"
    r"not|need\s+not|not\s+(?:be\s+)?required|may\s+(?:be\s+)?(?:adjust\w*|waiv\w*|relax\w*|"
    r"defer\w*|suspend\w*|override\w*|modif\w*)|if\s+(?:another|a\s+competitor|other)\s+"
    r"(?:\w+\s+){0,3}(?:developer|company|lab|provider)s?|without\s+comparable\s+safeguards|"
    r"marginal\s+(?:risk|increase)|in\s+exceptional\s+circumstances|at\s+our\s+discretion|"
    r"already\s+(?:public|publicly\s+available)|where\s+(?:necessary|deemed\s+necessary)|"
    r"if\s+deemed\s+necessary)\b",
    re.IGNORECASE,
)
_SCOPE_WIDE = re.compile(
    r"\b(?:all|any|every|each)\s+(?:of\s+(?:our|the)\s+)?(?:\w+\s+)?(?:models?|deployments?|"
    r"releases?|systems?|launches|risks?|domains?)\b|\binternal(?:ly)?\s+(?:and|or)\s+external\w*\b|"
    r"\bat\s+or\s+above\b|\bor\s+(?:more|higher|above)\b|\bincluding\b",
    re.IGNORECASE,
)
_SCOPE_NARROW = re.compile(
    r"\b(?:only|solely|external\s+deployments?|externally\s+deployed|public(?:ly)?\s+"
    r"(?:released|deployed|available)|general(?:ly)?\s+availab\w+|frontier\s+models?\s+only|"
    r"exclusively|(?:strictly\s+)?above\s+(?:the\s+|a\s+|an\s+)?(?:[\w-]+\s+){0,2}(?:thresholds?|levels?|CCLs?|"
    r"capabilit\w*)|exceeding|significantly\s+more\s+capable|"
    r"(?:external(?:ly\s+deployed)?|certain|select(?:ed)?|specific|particular|designated)\s+"
    r"(?:frontier\s+|AI\s+|foundation\s+)?(?:models?|systems?|deployments?|releases?))\b",
    re.IGNORECASE,
)
_DOMAIN = re.compile(
    r"\b(?:CBRN|biolog\w*|chemical|nuclear|radiological|cyber\w*|autonom\w+|AI\s+R&D|ML\s+R&D|"
    r"persuasion|manipulation|self-replication|self-improvement|misalign\w*|deceptive\s+alignment|"
    r"instrumental\s+reasoning|sabotage|loss\s+of\s+control|internal\s+(?:deployment|use)|"
    r"external\s+deployment|fine-tun\w+|distill\w+|quantiz\w+|open[- ]weights?)\b",
    re.IGNORECASE,
)
_JUNIOR = (
    r"(?i:(?:team|product|project|program(?:me)?|engineering|line|research)\s+(?:leads?|leaders?|"
    r"managers?)|(?:product|engineering|development|launch|business)\s+teams?)"
)
"""Roles of the company's own line staff: a team lead, a product manager, the product team. A
decision handed to one of them has left the officers and named bodies that held it."""
_ACTOR = re.compile(
    r"\b(?:third[- ]part(?:y|ies)|external\s+(?:\w+\s+)?(?:evaluat\w+|test\w*|experts?|assessors?|"
    r"red[- ]team\w*|review\w*|parties|auditors?)|independent\s+(?:\w+\s+)?(?:evaluat\w+|"
    r"review\w*|test\w*|experts?|auditors?|audits?)|AISIs?|AI\s+(?:Safety|Security)\s+Institutes?|"
    r"CAISI|auditors?|government\s+(?:access|testing|partners?)|"
    r"(?:separate|dedicated|internal)\s+(?:\w+\s+)?(?:reviewers?|evaluators?|red[- ]team\w*)|"
    r"(?:internal|in-house)\s+(?:\w+\s+)?(?:teams?|groups?|staff|functions?|auditors?)|"
    r"external\s+(?:\w+\s+)?(?:firms?|organi[sz]ations?|bodies)|"
    r"Responsible\s+Scaling\s+Officer|RSO|Safety\s+Advisory\s+Group|SAG|Long-?Term\s+Benefit\s+"
    r"Trust|LTBT|Board(?:\s+of\s+Directors)?|(?<=[Tt]he\s)board(?:\s+of\s+directors)?|C[A-Z]{1,3}O|"
    r"(?:Heads?|Directors?|(?:Senior\s+)?Vice\s+Presidents?|VPs?)\s+of\s+(?:the\s+)?[A-Z][\w&-]*"
    r"(?:\s+(?:and\s+|&\s+)?[A-Z][\w&-]*){0,3}|President|Chief(?:\s+[A-Z][\w-]*){1,3}|"
    r"General\s+Counsel|" + _JUNIOR + r"|(?!(?:The|Our|Its|Their|This|That|Each|A|An)\s)"
    r"[A-Z][\w-]*(?:\s+[A-Z][\w-]*){0,4}\s+"
    r"(?:Council|Committee|Trust|Panel)|appropriate\s+governance\s+function|red[- ]team(?:ers|s)?)\b",
)
_ABBREVIATION = re.compile(r"(?<=\w)\s+\([A-Z][\w&-]*(?:\s+[A-Z][\w&-]*)?\)")
"""A short name defined in parentheses right after the full one: "the Board of Directors
(Board)", "the Responsible Scaling Officer (RSO)"."""
_APPROVES = re.compile(
    r"\b(?:approv\w*|sign[- ]?off|consent|authori[sz]ation|veto)\s+(?:of|by|from)\s+",
    re.IGNORECASE,
)
"""Words after which the bodies named hold a decision: "with the approval of the Trust"."""
_APPROVES_AFTER = re.compile(
    r"(?:\s*\([^()]{1,12}\)|\))?\s+(?:must\s+|will\s+|shall\s+|to\s+)?(?:approves?|sign\s+off|"
    r"authori[sz]es?|vetoe?s?)\b",
    re.IGNORECASE,
)
"""Words after a body (and its abbreviation) that give it the decision: "the Board approves",
"the Responsible Scaling Officer (RSO) will approve"."""
_CONSULTED = re.compile(
    r"\b(?:(?:in|after)\s+consultation\s+with|consult(?:s|ed|ing)?(?:\s+with)?|"
    r"(?:input|advice|feedback|views)\s+(?:of|from)|advised\s+by)\s+",
    re.IGNORECASE,
)
"""Words after which the bodies named only advise on a decision: "in consultation with"."""
_ROLE_SPAN_END = re.compile(
    r"[,;.:()]|\s(?:[Aa]nd|[Oo]r)\s+(?!the\b|our\b|its\b|their\b|other\b|with\b)(?=[a-z])|"
    r"\s(?:to|before|after|when|if|we|that|which|who|on|about|in|for)\b"
)
"""Where the list of bodies after a role word ends: punctuation or the next clause ("and obtain")."""
_ROLE_RANK = {"approves": 2, "consulted": 1, "named": 0}
_DISCLOSE = re.compile(
    r"\b(?:publish\w*|publicly|make\s+(?:\w+\s+){0,6}?public(?:ly\s+available)?|"
    r"public\s+(?:\w+\s+)?(?:reports?|summar\w+|documents?|disclosures?|versions?|page|"
    r"statements?|updates?|cards?)|disclos\w+|share\w*\b[^.;]{0,160}?\bwith\b|(?:notif\w+|inform\w*|alert\w*)\s+the\s+public|notif\w+|(?:make|makes|made)\s+(?:\w+\s+){0,8}?available\s+(?:(?:up)?on\s+request|to)|available\s+(?:up)?on\s+request|"
    r"report\w*\s+(?:\w+\s+){0,8}?(?:to|as\s+required\s+by)\s+(?:\w+\s+)?(?:regulat\w+|"
    r"government\w*|authorit\w+|the\s+public|AISI)|system\s+cards?|model\s+cards?|"
    r"transparency|unredacted|redact\w*|share\w*\s+(?:\w+\s+){0,2}?internally|"
    r"(?:circulat|distribut)\w*\s+internally)\b",
    re.IGNORECASE,
)
_DOCUMENT = re.compile(
    r"\b(?:[A-Z][\w-]*\s+){1,3}(?:Reports?|Cards?|Scorecards?|Summar(?:y|ies)|Roadmaps?)\b"
)
"""A named document a commitment publishes or shares ("Capability Report", "System Card"):
which one is disclosed is the disclosure's object."""
_CONSEQUENCE = re.compile(
    r"\b(?:paus\w+|halt\w*|not\s+(?:to\s+)?(?:deploy|train|proceed|release|continue)|"
    r"stop\s+\w+|de-?deploy\w*|restrict\w*|delay\w*|escalat\w+|until\b)",
    re.IGNORECASE,
)

_STRENGTH_STRONG = re.compile(
    r"\b(?:will(?!\s+(?:aim|seek|strive|try|attempt|consider|likely|probably|generally|ordinarily"
    r"|typically))|must|shall|commit(?:s|ted)?\s+to|(?:is|are)\s+committed\s+to|require[sd]?|"
    r"cannot|won['’]t)\b",
    re.IGNORECASE,
)
_STRENGTH_MEDIUM = re.compile(
    r"\b(?:intends?\s+to|aims?\s+to|expects?\s+to|plans?\s+to|strives?\s+to|seeks?\s+to|"
    r"hopes?\s+to|will\s+(?:aim|seek|strive|try|attempt)|endeavou?rs?\s+to|"
    r"(?:is|are)\s+expected\s+to|would\s+like\s+to)\b",
    re.IGNORECASE,
)
_STRENGTH_WEAK = re.compile(
    r"\b(?:may(?!\s+\d)|might|could|consider\w*|where\s+(?:possible|feasible|appropriate|practical)|"
    r"as\s+appropriate|if\s+(?:feasible|appropriate))\b",
    re.IGNORECASE,
)
_USUALLY = re.compile(
    r"\b(?:will|must|shall|we|it|they|is|are|to)\s+(?:also\s+)?(?:typically|usually|generally|"
    r"normally|ordinarily)\b(?!\s+(?:capable|available|accepted|applicable|not)\b)",
    re.IGNORECASE,
)
"""A frequency hedge on the obligation ("we will usually", "it is generally"): the rule admits
exceptions it does not name."""
_STRENGTH_ADVICE = re.compile(r"\b(?:recommend\w*|encourage\w*|should|ought\s+to)\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Judgement:
    """The dimensions that moved between two wordings, which way, and the words that moved."""

    dims: tuple[int, ...]
    direction: str  # "strengthened" | "weakened" | "mixed" | "" (not material)
    because: str

    @property
    def material(self) -> bool:
        return bool(self.dims)


NOT_MATERIAL = Judgement((), "", "")


def _clean(text: str) -> str:
    """One space between words, NFKC, straight quotes, "4×" read as "4x"."""
    return " ".join(re.sub(r"(?<=\d)\s?×", "x", normalize_chars(text)).split())


def without_examples(text: str) -> str:
    """``text`` with its illustrative enumerations removed ("e.g.", "such as", "for example").

    A parenthesised example that carries a number ("(e.g. 2x)") is a quantitative anchor, not an
    illustration; it stays.
    """
    def keep_anchor(m: re.Match[str]) -> str:
        return m.group(0) if re.search(r"\d", m.group(0)) else " "

    return ILLUSTRATIVE.sub(keep_anchor, text)


_ASIDE = re.compile(r"\((?:we|I|it|this|these|they|that)\s[^()]{3,}\)", re.IGNORECASE)
"""A parenthesised remark with its own subject ("(we expect to iterate on the list)"): a
statement of its own beside the commitment, not a qualifier of its obligation ("(where
possible)" has no subject and still hedges)."""


def modal_strength(text: str) -> tuple[int, str]:
    """The obligation rung of a wording (4 strong or present tense, 3, 2, 1) and its word.

    The weakest qualifier wins when several are present ("we will, where possible, ..." is 2):
    it is what a reader can rely on. A parenthesised aside with its own subject is not read.
    """
    t = _clean(text)
    outside = _ASIDE.sub(" ", t)
    if outside.strip():
        t = outside
    weak = _STRENGTH_WEAK.search(t)
    medium = _STRENGTH_MEDIUM.search(t)
    strong = _STRENGTH_STRONG.search(t)
    advice = _STRENGTH_ADVICE.search(t)
    if advice and not strong and not medium and not weak:
        return 1, advice.group(0).lower()
    if weak and (not strong or _hedges(t, weak)):
        return 2, weak.group(0).lower()
    if medium:
        return 3, medium.group(0).lower()
    if strong:
        return 4, strong.group(0).lower()
    return 4, "present tense"


_SUBORDINATE = re.compile(r"\b(?:if|when|whether|that|which|who|where)\b[^,;]*$", re.IGNORECASE)
"""A clause opened before a word and still running: its modal describes what the clause is
about ("models that will pose risks"), it does not bind the author."""


def _weaker_word(text: str) -> re.Match[str] | None:
    for pattern in (_STRENGTH_WEAK, _STRENGTH_MEDIUM, _STRENGTH_ADVICE):
        if m := pattern.search(text):
            return m
    return None


@lru_cache(maxsize=256)
def _replaced_words(old: str, new: str) -> tuple[
        tuple[str, ...], tuple[str, ...], tuple[tuple[int, int, int, int], ...]]:
    """Both wordings' words, and the spans (old ``i1:i2``, new ``j1:j2``) where one run of words
    replaced another, aligned once for every reader of a word swapped in place (punctuation
    and case aside)."""
    a, b = old.split(), new.split()
    sm = difflib.SequenceMatcher(None, [w.lower().strip(",;:.()") for w in a],
                                 [w.lower().strip(",;:.()") for w in b], autojunk=False)
    spans = tuple((i1, i2, j1, j2) for op, i1, i2, j1, j2 in sm.get_opcodes() if op == "replace")
    return tuple(a), tuple(b), spans


def _modal_swapped(old: str, new: str) -> tuple[int, int, str] | None:
    """A binding word replaced in place by a weaker one, or the reverse, where the sentence's
    rung reads the same because another binding word stays elsewhere in it.

    "we will instead require X" → "we will instead encourage X", "levels that must be achieved"
    → "that should be achieved", "Legal will oversee the process ... updates are required" →
    "Legal may oversee ...": the duty replaced is weaker (codebook 5.4: must / will > may >
    recommend / encourage) though "will" or "required" still stands in the sentence. A modal
    inside a clause that describes ("models that will pose risks" → "that may pose") moves no
    duty of the author's; "which must" right after its noun still requires.
    """
    a, b, spans = _replaced_words(old, new)
    for i1, i2, j1, j2 in spans:
        gone, come = " ".join(a[i1:i2]), " ".join(b[j1:j2])
        before = " ".join(a[:i1])
        strong_o, strong_n = _STRENGTH_STRONG.search(gone), _STRENGTH_STRONG.search(come)
        duty = (strong_o or strong_n)
        if _SUBORDINATE.search(before) and not (
                duty and re.match(r"must|shall", duty.group(0), re.IGNORECASE)
                and re.search(r"\b(?:that|which)$", before, re.IGNORECASE)):
            # "safeguards, which must be achieved before ..." still requires them.
            continue
        if strong_o and not strong_n and (weaker := _weaker_word(come)):
            return (4, -1, f"'{strong_o.group(0).lower()}' → '{weaker.group(0).lower()}'")
        if strong_n and not strong_o and (weaker := _weaker_word(gone)):
            return (4, 1, f"'{weaker.group(0).lower()}' → '{strong_n.group(0).lower()}'")
    return None


def _hedges(text: str, weak: re.Match[str]) -> bool:
    """Whether a weak word qualifies the obligation itself, not a clause inside it.

    "we will notify the AISI if a model may pose ..." binds (the "may" describes the model);
    "we may notify" and "we will, where possible, notify" do not bind fully.
    """
    word = weak.group(0).lower()
    if word.startswith("where") or word.startswith("as ") or word.startswith("if "):
        return True
    before = text[: weak.start()]
    return bool(re.search(r"\b(?:we|I|[A-Z][\w-]+|[a-z]+[A-Z][\w-]*)\s+(?:\w+\s+)?$", before)) and not re.search(
        r"\b(?:if|when|whether|that|which|where)\b[^,;]*$", before, re.IGNORECASE
    )


def _durations(text: str) -> list[float]:
    out: list[float] = []
    for m in _DURATION.finditer(text):
        num = m.group(1).lower()
        n = float(_NUMBER_WORDS.get(num, 0) or (num if num.replace(".", "").isdigit() else 0))
        unit = m.group(2).lower().rstrip("s")
        out.append(n * _UNIT_DAYS.get(unit, 1))
    for word, days in _CADENCE_WORD.items():
        if re.search(rf"\b{word}\b", text, re.IGNORECASE):
            out.append(days)
    return out


def _count(pattern: re.Pattern[str], text: str) -> int:
    return sum(1 for _ in pattern.finditer(text))


def _set(pattern: re.Pattern[str], text: str) -> set[str]:
    return {" ".join(m.group(0).lower().split()) for m in pattern.finditer(text)}


def _quantities(text: str) -> set[str]:
    """Numbers that are quantities: not years (a date is a label, not a threshold)."""
    out = set()
    for m in _NUMBER.finditer(text):
        q = " ".join(m.group(0).lower().split())
        before, after = text[max(0, m.start() - 12): m.start()], text[m.end(): m.end() + 1]
        if (
            _YEAR.match(q)
            or q.count(".") >= 2  # an outline number, "2.1.2"
            or _PLACE_BEFORE.search(before)
            or (before.endswith("(") and after == ")")  # a list marker, "(1)"
            or _MONTH.match(text, m.end())  # a date, "14 May"
            or _FOOTNOTE.search(before)  # a footnote marker glued to a word, "employees,12"
        ):
            continue
        out.add(q)
    return out


_LABEL = re.compile(
    r"^\s*(?:(?P<num>\(?(?:\d+(?:\.\d+)*|[a-z]|[ivx]+)[.)]\s+|\d+(?:\.\d+)+\s+)|"
    r"(?P<name>[^:.;!?]{1,80}?):(?:\s+|(?=[A-Z][a-z]))(?=\S))",
)
"""A label in front of a commitment: a heading number ("2.1 ", "(a) ") or a short name ending
in a colon ("CBRN-3: ", "Published: ")."""
_CLAUSE = re.compile(
    r"\b(?:we|our|us|will|must|shall|should|may|might|could|can|would|is|are|was|were|be|"
    r"have|has|if|when|that|which|commit\w*|aim\w*|intend\w*)\b",
    re.IGNORECASE,
)
"""Words of a clause: a span before a colon that holds one is part of the sentence, not a
label ("we will do two things: ...")."""


def _label(text: str) -> tuple[str, str]:
    """``text`` split into its leading label (or "") and the commitment after it."""
    m = _LABEL.match(text)
    if not m:
        return "", text
    name = m.group("name")
    if name is not None and (len(name.split()) > 8 or _CLAUSE.search(name)):
        return "", text
    return m.group(0).strip(), text[m.end():]


def without_labels(old: str, new: str) -> tuple[str, str]:
    """Both wordings without the labels in front of them, unless the labels themselves carry
    different levels.

    Adding, removing or renaming a label ("CBRN-3:", "Published:", a heading number) changes
    no obligation (a label is a name, not a rule); a label whose level changed on both sides
    ("CBRN-3:" → "CBRN-4:") renames the threshold the sentence defines, so it stays in. A
    level that only one label names is a name given to the same threshold.
    """
    lo, ro = _label(old)
    ln, rn = _label(new)
    if not lo and not ln:
        return old, new
    lv_o, lv_n = _set(_LEVEL, lo), _set(_LEVEL, ln)
    if lv_o and lv_n and lv_o != lv_n and not label_renamed(lo, ln):
        return old, new
    return ro, rn


_NAME_WORD = re.compile(r"[a-z]{3,}")


def label_renamed(old: str, new: str) -> bool:
    """Whether two run-in labels name the same threshold in other words.

    Only one of them carries a level number ("CBRN-3:" → "Chemical and biological weapons:"),
    or both carry the same numbers under names that share a word or say nothing but the
    ladder ("CBRN-3:" → "CBRN Tier 3:", "Level 2:" → "Tier 2:"). Another number ("CBRN-4:")
    or another domain with the same number ("Cyber-3:") is another threshold; words that make
    a clause ("we", "will", "must", …) are no label.
    """
    if _CLAUSE.search(old) or _CLAUSE.search(new):
        return False  # "We will:" → "We may:" is a lead-in whose modal moved, not a label
    d_o = set(re.findall(r"\d+", old))
    d_n = set(re.findall(r"\d+", new))
    if not d_o or not d_n:
        return True
    if d_o != d_n:
        return False
    w_o = set(_NAME_WORD.findall(old.lower())) - {"level", "tier"}
    w_n = set(_NAME_WORD.findall(new.lower())) - {"level", "tier"}
    return not w_o or not w_n or bool(w_o & w_n)


def _quote(items: set[str]) -> str:
    return ", ".join(f"'{w}'" for w in sorted(items)) if items else "''"


_TIMING = re.compile(
    r"\b(?:immediately|without\s+(?:undue\s+)?delay|promptly|as\s+soon\s+as\s+"
    r"(?:possible|practicable|feasible|reasonably\s+practicable)|before|prior\s+to|ahead\s+of|"
    r"in\s+advance\s+of|at\s+the\s+time\s+of|during|upon|after|following|subsequent\s+to)\b",
    re.IGNORECASE,
)
_TIMING_RANK = {
    "immediately": 3, "without delay": 3, "without undue delay": 2, "promptly": 2,
    "as soon as possible": 2, "as soon as practicable": 1, "as soon as feasible": 1,
    "as soon as reasonably practicable": 1,
    "before": 3, "prior to": 3, "ahead of": 3, "in advance of": 3,
    "at the time of": 2, "during": 2, "upon": 2,
    "after": 1, "following": 1, "subsequent to": 1,
}
"""When an obligation falls due, earliest first: "before deployment" → "after deployment" or
"immediately" → "promptly" moves the trigger later; words of one rank are synonyms."""


def _timing_move(old: str, new: str) -> tuple[int, str] | None:
    """(+1 earlier / -1 later, words) when the commitment's timing words moved rank."""
    def words(text: str) -> set[str]:
        return {" ".join(m.group(0).lower().split()) for m in _TIMING.finditer(text)}

    t_o, t_n = words(old), words(new)
    gone, come = t_o - t_n, t_n - t_o
    if not gone or not come:
        return None
    r_gone = max(_TIMING_RANK[w] for w in gone)
    r_come = max(_TIMING_RANK[w] for w in come)
    if r_gone == r_come:
        return None
    return (1 if r_come > r_gone else -1,
            f"timing {_quote(gone)} → {_quote(come)}")


_POPULATION: tuple[tuple[re.Pattern[str], str, int], ...] = tuple(
    (re.compile(rf"\b(?:{words})\b", re.IGNORECASE), canon, rank) for words, canon, rank in (
        (r"novices?(?:\s+actors?)?|non-?experts?|lay\s*(?:people|persons?)|laypeople|amateurs?|"
         r"(?:low|un)-?skill(?:ed)?\s+(?:actors?|individuals|people)|unsophisticated\s+actors?|"
         r"(?:individuals|people|actors|groups)\s+(?:or\s+groups\s+)?with\s+(?:only\s+)?basic\s+"
         r"(?:technical\s+|scientific\s+|STEM\s+)?(?:backgrounds?|knowledge|skills?|training)",
         "novices", 0),
        (r"moderately[- ]resourced", "moderately resourced", 1),
        (r"(?:well|highly|significantly|extremely)[- ]resourced|state-level\s+resourc\w+",
         "well-resourced", 2),
        (r"non-state\s+(?:actors?|attackers?|adversar(?:y|ies)|groups?|threats?)|terrorists?"
         r"(?:\s+groups?)?|criminal\s+(?:groups?|organi[sz]ations?)", "non-state actors", 1),
        (r"(?<![\w-])(?:state\s+(?:programs?|programmes?|actors?|attackers?|adversar(?:y|ies)|"
         r"threats?|weapons\s+programs?)|nation[- ]states?|state-sponsored\s+\w+)",
         "state programmes", 2),
        (r"(?<![\w-])(?<!external\s)(?<!independent\s)(?<!outside\s)(?:experts?|expert\s+(?:actors?|teams?|scientists?)|PhD-level\s+\w+|"
         r"specialists?|(?:individuals|people|actors)\s+with\s+(?:relevant\s+|domain\s+)?"
         r"expertise)", "experts", 2),
    )
)
"""Who a capability threshold is about, by how capable they already are: 0 novices and people
with basic backgrounds, 1 moderately resourced or non-state actors, 2 experts, well-resourced
actors and state programmes. Words of one class are synonyms ("novices" ↔ "non-experts");
each class is its own term, so "moderately resourced state programs" holds two. External or
independent experts are evaluators (actors), not a threshold's population."""
_DEFINES_THRESHOLD = re.compile(
    r"\b(?:uplift\w*|thresholds?|capabilit(?:y|ies)|CCLs?|ability\s+to|able\s+to|enabl\w+|"
    r"tripwires?|red\s+lines?)\b|" + _LEVEL.pattern,
    re.IGNORECASE,
)
"""Words of a threshold or capability-level definition: what a model could do, for whom."""


def _populations(text: str) -> tuple[Counter[str], dict[str, tuple[int, str]]]:
    """How many times ``text`` names each population class, and each class's rank and the
    words that first named it."""
    counts: Counter[str] = Counter()
    words: dict[str, tuple[int, str]] = {}
    taken: list[tuple[int, int]] = []
    for pattern, canon, rank in _POPULATION:
        for m in pattern.finditer(text):
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue  # "non-experts" is not also "experts"
            taken.append(m.span())
            counts[canon] += 1
            words.setdefault(canon, (rank, " ".join(m.group(0).lower().split())))
    return counts, words


def _without_populations(text: str) -> str:
    """``text`` with the populations it names taken out ("novices", "individuals with basic
    technical backgrounds"): their words say who a threshold is about, not how much of a class
    a commitment covers."""
    for pattern, _, _ in _POPULATION:
        text = pattern.sub(" ", text)
    return text


def _population_moved(old: str, new: str) -> tuple[int, int, str] | None:
    """A threshold's population replaced by another of a different capacity ("could uplift
    novices" → "could uplift experts", "a moderately resourced group" → "a well-resourced
    group"): the same capability measured against other actors is another threshold (codebook:
    threshold/trigger). Raising the population's capacity climbs the ladder the frameworks use
    (basic backgrounds at CBRN-3, state programmes at CBRN-4), so it triggers later: weakened;
    lowering it is strengthened. A population named on one side only is left alone."""
    (co, wo), (cn, wn) = _populations(old), _populations(new)
    # Counted: "novices" → "experts" beside experts named elsewhere still swaps one for the other.
    gone = {k: wo[k] for k in co - cn}
    come = {k: wn[k] for k in cn - co}
    if not gone or not come:
        return None
    r_gone, r_come = max(r for r, _ in gone.values()), max(r for r, _ in come.values())
    sign = -1 if r_come > r_gone else 1 if r_come < r_gone else 0
    return (2, sign, f"population {_quote({w for _, w in gone.values()})} → "
                     f"{_quote({w for _, w in come.values()})}")


_HEAD = re.compile(
    r"(?:actors?|individuals?|people|persons?|groups?|experts?|specialists?|novices?|"
    r"programs?|programmes?|attackers?|adversar(?:y|ies)|organi[sz]ations?|terrorists?|"
    r"hackers?|scientists?)$",
    re.IGNORECASE,
)
"""Nouns that name whom a threshold is about ("state programs", "low-resourced actors")."""
_CAPACITY = re.compile(
    r"\b(?:(?:(?P<rlow>low|lower|under|poorly|minimally|modestly|moderately|medium|mid|less|"
    r"lightly)|"
    r"well|highly|significantly|extremely|heavily|better|more|sufficiently|adequately)[- ])?"
    r"(?P<resource>resourced|funded|financed|equipped)\b|"
    r"\b(?P<rlow2>low[- ]resource|resource[- ](?:constrained|limited|poor))\b|"
    r"\b(?P<rhigh>resource[- ]rich|state[- ]level)\b|"
    r"\b(?P<slow>(?:low|un|semi|less|lesser)[- ]?skill(?:ed)?|unsophisticated|inexperienced|"
    r"untrained|moderately[- ]skill(?:ed)?|basic|novice|amateur|non-?expert|"
    r"(?:low|bottom)[- ]tier|entry[- ]level|undergraduate(?:[- ]level)?)\b|"
    r"\b(?P<shigh>(?:(?:highly|well|more)[- ])?skill(?:ed)?|sophisticated|"
    r"experienced|(?:highly|well)[- ]trained|(?:top|high|first)[- ]tier|elite|world[- ]class|"
    r"leading|advanced|expert(?:[- ]level)?|professional|seasoned|specialist|"
    r"(?:PhD|doctoral|graduate)[- ]level)\b|"
    r"\b(?P<stlow>non[- ]state)\b|"
    r"\b(?P<sthigh>state(?:[- ](?:sponsored|backed|affiliated|run))?|nation[- ]state)\b",
    re.IGNORECASE,
)
"""Words that grade a population by its resources, skill or standing (state or non-state):
each match is one of these families at its low or its high end. "such", "relevant" or "these"
grade nothing."""
_WITH_CAPACITY = re.compile(
    r"^(?:,\s*)?(?:with|having|who\s+(?:have|possess))\s+(?P<words>(?:[\w-]+\s+){0,4}?)"
    r"(?P<noun>backgrounds?|knowledge|skills?|training|expertise|resources|experience|funding|"
    r"degrees?|education)\b",
    re.IGNORECASE,
)
"""A postmodifier that grades a population: "individuals with basic technical backgrounds"."""
_LOW_AMOUNT = re.compile(
    r"\b(?:only|some|limited|little|no|minimal|moderate|basic|introductory|undergraduate)\b",
    re.IGNORECASE,
)
_NOT_PREMODIFIER = frozenset(
    "the a an to of for by in on from with that which who whom and or as at than their its our "
    "such these those any all some many most even help helps uplift assist enable enables "
    "provide provides can could may might will would allow allows".split()
)


def _graded_populations(text: str) -> list[tuple[str, frozenset[str], str]]:
    """Each population ``text`` names, as (head noun, the families and ends of the qualifiers
    that grade it, its words): "moderately resourced state programs" is ("program",
    {"resource-low", "standing-high"}, ...)."""
    words = text.split()
    out: list[tuple[str, frozenset[str], str]] = []
    for i, raw in enumerate(words):
        token = raw.strip("“”\"'(),;:.")
        if not _HEAD.match(token):
            continue
        start = i
        while start > 0 and i - start < 4:
            prev = words[start - 1]
            if prev[-1:] in ",;:.)" or prev.lower().strip("“\"'(") in _NOT_PREMODIFIER:
                break
            start -= 1
        grades = {_grade(m) for m in _CAPACITY.finditer(" ".join(words[start:i]))}
        phrase = words[start:i + 1]
        if raw[-1:] not in ",;:.)" and (post := _WITH_CAPACITY.match(" ".join(words[i + 1:i + 8]))):
            low = _LOW_AMOUNT.search(post.group("words"))
            noun = post.group("noun").lower()
            family = "resource" if noun in ("resources", "funding") else "skill"
            grades.add(f"{family}-{'low' if low else 'high'}")
            phrase = words[start:i + 1] + post.group(0).split()
        head = re.sub(r"(?<!s)s$", "", re.sub(r"ies$", "y", token.lower()))
        head = head.replace("programme", "program")
        out.append((head, frozenset(grades), " ".join(phrase).strip("“”\"'(),;:.")))
    return out


def _grade(m: re.Match[str]) -> str:
    """The family and end of one qualifier match of ``_CAPACITY``."""
    if m.group("resource"):
        return "resource-low" if m.group("rlow") else "resource-high"
    group = m.lastgroup or ""
    return {"rlow2": "resource-low", "rhigh": "resource-high", "slow": "skill-low",
            "shigh": "skill-high", "stlow": "standing-low", "sthigh": "standing-high"}[group]


def _population_requalified(old: str, new: str) -> tuple[int, int, str] | None:
    """A threshold's population graded on one side and not the other ("moderately resourced
    state programs" → "state programs", "experts" → "top-tier experts", "individuals with basic
    technical backgrounds" → "individuals"): the same noun, other actors, so another threshold
    (codebook: threshold/trigger, and the scope of who is covered). A qualifier that raises the
    bar (added at the high end, dropped at the low end) triggers later: weakened; the reverse
    is strengthened. Qualifiers that grade nothing ("such", "relevant") are not read."""
    po, pn = _graded_populations(old), _graded_populations(new)
    heads_o, heads_n = {h for h, _, _ in po}, {h for h, _, _ in pn}
    pairs_o = Counter((h, g) for h, gs, _ in po for g in gs)
    pairs_n = Counter((h, g) for h, gs, _ in pn for g in gs)
    gone = {k for k in pairs_o - pairs_n if k[0] in heads_n}
    come = {k for k in pairs_n - pairs_o if k[0] in heads_o}
    if not gone and not come:
        return None
    raised = sum(g.endswith("-high") for _, g in come) + sum(g.endswith("-low") for _, g in gone)
    lowered = sum(g.endswith("-low") for _, g in come) + sum(g.endswith("-high") for _, g in gone)
    sign = -1 if raised > lowered else 1 if lowered > raised else 0
    heads = {h for h, _ in gone | come}
    was = {p for h, gs, p in po if h in heads and any((h, g) in gone for g in gs)} or {
        p for h, _, p in po if h in heads}
    now = {p for h, gs, p in pn if h in heads and any((h, g) in come for g in gs)} or {
        p for h, _, p in pn if h in heads}
    verb = "dropped" if not come else "added" if not gone else "changed"
    return (2, sign, f"population qualifier {verb}: {_quote(was)} → {_quote(now)}")


_ITEM = r"(?:[A-Za-z][\w-]*\s+){0,3}[A-Za-z][\w-]*"
_ENUMERATION = re.compile(rf"{_ITEM}(?:\s*,\s*{_ITEM}){{2,}},?\s+(?:and|or)\s+{_ITEM}")
_ARTICLE = re.compile(r"^(?:the|a|an|our|its|their|any|all)\s+", re.IGNORECASE)


def _enumerated(text: str) -> frozenset[str]:
    """The items of the comma lists of four or more items in ``text``, lowercased."""
    items: set[str] = set()
    for m in _ENUMERATION.finditer(text):
        for part in re.split(r"\s*,\s*|,?\s+(?:and|or)\s+", m.group(0)):
            part = _ARTICLE.sub("", part.strip().lower())
            if part:
                items.add(part)
    return frozenset(items)


def _holds_word(low: str, word: str) -> bool:
    """Whether lowercased ``low`` has ``word`` as a whole word: a list item whose head word
    still stands was kept, however the list around it was reordered or reworded."""
    return re.search(rf"\b{re.escape(word)}\b", low) is not None


def _dropped_items(old: str, new: str) -> set[str]:
    """The items of a list of four or more in ``old`` whose head word ``new`` no longer has,
    when they are at least half of the list (a reordered or re-punctuated list loses none)."""
    items = _enumerated(old)
    if len(items) < 4:
        return set()
    low = new.lower()
    gone = {" ".join(i.split()[-2:]) for i in items if not _holds_word(low, i.split()[-1])}
    return gone if len(gone) * 2 >= len(items) else set()


_SCOPE_LIST = re.compile(
    r"\b(?<!may\s)(?<!might\s)(?<!could\s)(?<!can\s)"
    r"(?:including(?:\s+but\s+not\s+limited\s+to)?|includes?|comprising|comprises?|"
    r"consist(?:s|ing)?\s+of|composed\s+of|made\s+up\s+of|draw(?:s|ing)?\s+(?:up)?on|"
    r"drew\s+on|drawn\s+from)\b:?\s*(?P<items>[^.:()]+)",
    re.IGNORECASE,
)
"""A scope-defining enumeration (codebook 11.2): the list after "including", "comprising",
"consists of" or "draws on" is what the commitment covers. "may include" introduces examples,
and the examples after "e.g." or "such as" are cut before this is read."""
_ITEM_TAIL = re.compile(
    r"\s+(?:as|where|when|if)\s+(?:appropriate|relevant|necessary|applicable|possible|needed)"
    r"\b.*$",
    re.IGNORECASE,
)
"""A hedge after the last item ("post-market monitoring as appropriate") is no part of it."""
_NOT_HEAD = frozenset(
    "etc others more other appropriate relevant necessary applicable possible needed".split())


def _scope_items(text: str) -> tuple[list[str], set[str]]:
    """The items of the scope-defining enumerations of ``text`` (lists of two or more), and
    the introducing words of every such list or single item, by stem ("draw", "incl").

    Items are split at semicolons when the list uses them (an item may hold commas), else at
    commas; the last at "and" or "or"."""
    items: list[str] = []
    intros: set[str] = set()
    for m in _SCOPE_LIST.finditer(text):
        body = m.group("items")
        parts = body.split(";") if ";" in body else re.split(r",|\s+(?:and|or|and/or)\s+", body)
        found = [p for p in (_ITEM_TAIL.sub("", re.sub(r"^\s*(?:and|or)\s+", "", q)).strip()
                             for q in parts) if _item_head(p)]
        intros.add(m.group(0)[:4].lower().replace("drew", "draw"))
        if len(found) >= 2:
            items.extend(found)
    return items, intros


def _item_head(item: str) -> str:
    """The last content word of a list item ("results of post-mitigation testing" → "testing")."""
    words = [w for w in re.findall(r"[A-Za-z][\w-]*", item.lower()) if w not in _NOT_HEAD]
    return words[-1] if words else ""


def _missing(items: list[str], other: str) -> list[str]:
    """The items whose head word ``other`` does not hold, each by its last three words."""
    low = other.lower()
    return [" ".join(i.split()[-3:]) for i in items if not _holds_word(low, _item_head(i))]


def _enumeration_moved(old: str, new: str, old_all: str, new_all: str
                       ) -> tuple[int, int, str] | None:
    """A scope-defining enumeration shortened, removed or lengthened (codebook 11.2, example
    G: "draws on incidents, post-mitigation testing, escalation statistics and threat models"
    → "draws on post-market monitoring"): what the commitment lists is what it covers, so
    fewer items narrow its scope and more broaden it. The lists are read in the rule texts
    (``old``, ``new``: examples cut); an item whose head word still stands anywhere in the other
    whole wording (``old_all``, ``new_all``), even among its examples, was kept (reordered,
    repunctuated, reworded around its head, or an example the other side introduces with a
    word not read as one)."""
    items_o, intro_o = _scope_items(old)
    items_n, intro_n = _scope_items(new)
    if len(items_n) < len(items_o) and (gone := _missing(items_o, new_all)):
        what = "shortened" if intro_o & intro_n else "removed"
        return (1, -1, f"scope-defining enumeration {what} (narrowed): "
                       f"{_quote(set(gone))} dropped")
    if len(items_n) > len(items_o) and (come := _missing(items_n, old_all)):
        return (1, 1, f"scope-defining enumeration lengthened (broadened): "
                      f"{_quote(set(come))} added")
    return None


def judge(old: str, new: str, strengths: tuple[tuple[int, str], tuple[int, str]] | None = None) -> Judgement:
    """The materiality of rewording ``old`` as ``new`` (both one commitment's words).

    Each dimension moves toward greater or lesser obligation; when both directions are present
    the direction is "weakened" with "mixed" noted, the conservative call reviewers expect.
    ``strengths`` gives the two wordings' (rung, word) when the caller already knows them (a
    traced commitment does); otherwise they are read from the words.
    """
    o, n = without_labels(_clean(old), _clean(new))
    if o == n:
        return NOT_MATERIAL
    o_rule, n_rule = without_examples(o), without_examples(n)
    moves: list[tuple[int, int, str]] = []  # (dim, +1 stronger / -1 weaker, words)

    (so, wo), (sn, wn) = strengths or (modal_strength(o_rule), modal_strength(n_rule))
    if so != sn:
        moves.append((4, 1 if sn > so else -1, f"'{wo}' → '{wn}'"))
    else:
        # On one rung, "will always" → "will typically" still lets the author skip a case.
        us_o, us_n = _count(_USUALLY, o_rule), _count(_USUALLY, n_rule)
        if us_o != us_n:
            moves.append((4, -1 if us_n > us_o else 1, f"qualified "
                          f"{_quote(_set(_USUALLY, n_rule if us_n > us_o else o_rule))} "
                          f"{'added' if us_n > us_o else 'dropped'}"))
        elif swap := _modal_swapped(o_rule, n_rule):
            moves.append(swap)

    # 2 threshold / trigger: levels, numbers, durations and cadences, quantitative anchors.
    lv_o, lv_n = _set(_LEVEL, o_rule), _set(_LEVEL, n_rule)
    num_o = _quantities(o_rule) - _digits_of(lv_o)
    num_n = _quantities(n_rule) - _digits_of(lv_n)
    dur_o, dur_n = _durations(o_rule), _durations(n_rule)
    if lv_o != lv_n:
        moves.append((2, _level_sign(lv_o - lv_n, lv_n - lv_o, o_rule, n_rule),
                      f"level {_quote(lv_o - lv_n)} → {_quote(lv_n - lv_o)}"))
    elif dur_o and dur_n and sorted(dur_o) != sorted(dur_n):
        longer = max(dur_n) > max(dur_o) or min(dur_n) > min(dur_o)
        moves.append((2, -1 if longer else 1,
                      f"cadence {'lengthened' if longer else 'shortened'}: "
                      f"{_quote(_set(_DURATION, o_rule) or {'…'})} → {_quote(_set(_DURATION, n_rule) or {'…'})}"))
    elif num_o != num_n:
        gone, come = num_o - num_n, num_n - num_o
        if gone and not come:
            anchor = _ANCHOR.search(o_rule)
            what = f"quantitative anchor {anchor.group(0)!r} dropped" if anchor else (
                f"quantity {_quote(gone)} dropped")
            moves.append((2, -1, what))
        elif come and not gone:
            moves.append((2, 1, f"quantity {_quote(come)} added"))
        else:
            moves.append((2, -1, f"quantity {_quote(gone)} → {_quote(come)}"))
    else:
        th_o, th_n = _thresholds_named(o_rule), _thresholds_named(n_rule)
        if th_o and th_n and th_o != th_n:
            moves.append((2, 0, f"threshold {_quote(th_o - th_n)} → {_quote(th_n - th_o)}"))
    if not any(d == 2 for d, _, _ in moves) and (
            _DEFINES_THRESHOLD.search(_clean(old)) and _DEFINES_THRESHOLD.search(_clean(new))):
        if population := (_population_moved(o_rule, n_rule)
                          or _population_requalified(o_rule, n_rule)):
            moves.append(population)

    if not any(d == 2 for d, _, _ in moves):
        timing = _timing_move(o_rule, n_rule)
        if timing is not None:
            moves.append((2, *timing))

    # 6 consequence: carve-outs, exceptions and suspension conditions.
    co_o, co_n = _set(CARVE_OUT, o_rule), _set(CARVE_OUT, n_rule)
    if co_n - co_o:
        moves.append((6, -1, f"carve-out added {_quote(co_n - co_o)}"))
    elif co_o - co_n:
        moves.append((6, 1, f"carve-out removed {_quote(co_o - co_n)}"))
    elif co_o:
        # The same word, one more time: "... unless the reporter chooses to, unless leadership
        # decides otherwise" adds a second exception.
        n_o, n_n = _count(CARVE_OUT, o_rule), _count(CARVE_OUT, n_rule)
        if n_n != n_o:
            moves.append((6, -1 if n_n > n_o else 1,
                          f"carve-out {'added' if n_n > n_o else 'removed'} {_quote(co_n)}"))
    cq_o, cq_n = _set(_CONSEQUENCE, o_rule), _set(_CONSEQUENCE, n_rule)
    if cq_o - cq_n and not cq_n:
        moves.append((6, -1, f"consequence dropped {_quote(cq_o - cq_n)}"))
    elif cq_n - cq_o and not cq_o:
        moves.append((6, 1, f"consequence added {_quote(cq_n - cq_o)}"))

    # 1 scope: covered domains and model classes, wide and narrow qualifiers.
    dm_o, dm_n = _set(_DOMAIN, o_rule), _set(_DOMAIN, n_rule)
    wide_o, wide_n = _set(_SCOPE_WIDE, o_rule), _set(_SCOPE_WIDE, n_rule)
    nar_o, nar_n = _narrowing(o_rule), _narrowing(n_rule)
    if dm_o - dm_n and not dm_n - dm_o:
        moves.append((1, -1, f"scope lost {_quote(dm_o - dm_n)}"))
    elif dm_n - dm_o and not dm_o - dm_n:
        moves.append((1, 1, f"scope gained {_quote(dm_n - dm_o)}"))
    elif dm_o != dm_n:
        moves.append((1, -1, f"scope {_quote(dm_o - dm_n)} → {_quote(dm_n - dm_o)}"))
    elif enumeration := _enumeration_moved(o_rule, n_rule, o, n):
        moves.append(enumeration)
    elif (nar_n - nar_o) or (wide_o - wide_n and not wide_n - wide_o):
        moves.append((1, -1, f"scope narrowed {_quote((nar_n - nar_o) | (wide_o - wide_n))}"))
    elif (nar_o - nar_n) or (wide_n - wide_o and not wide_o - wide_n):
        moves.append((1, 1, f"scope broadened {_quote((nar_o - nar_n) | (wide_n - wide_o))}"))
    elif gone_items := _dropped_items(o_rule, n_rule):
        # What the commitment lists is what it covers (codebook 11.2: the examples were cut
        # above): a list of four or more that loses half of its items covers less, and says
        # less that anyone can check (codebook example G).
        moves.append((1, -1, f"enumeration shortened: {_quote(gone_items)} dropped"))
    else:
        # "any differences" and "the differences" cover the same: a general rule already
        # speaks of all of its class, so only a quantifier of another extent moves the scope.
        # Counted, not only collected: "for each report ..., in some circumstances" → "for
        # certain reports ..., in some circumstances" narrows a second class to "some".
        # "individuals with basic technical backgrounds" names who, not how much is covered.
        qo, qn = _quantifiers(_without_populations(o_rule)), _quantifiers(
            _without_populations(n_rule))
        del qo["all"], qn["all"]
        if qo != qn:
            moves.append((1, 0, f"quantifier {_quote(set(qo - qn))} → {_quote(set(qn - qo))}"))

    # 3 actor: third parties and named bodies; an abbreviation defined in parentheses is the
    # name before it, not a second body ("our Board of Directors (Board)" → "our Management
    # (Board)" names another body).
    ac_o = _set(_ACTOR, _ABBREVIATION.sub("", o_rule))
    ac_n = _set(_ACTOR, _ABBREVIATION.sub("", n_rule))
    ac_o, ac_n = _same_actors(ac_o, ac_n)
    if ac_o != ac_n:
        gone, come = ac_o - ac_n, ac_n - ac_o
        sign = -1 if gone and (not come or "appropriate governance function" in come) else 1
        if gone and come and _independence(gone) != _independence(come):
            # An outside party replaced by the company's own people, or the reverse: less or
            # more third-party involvement (codebook 4).
            sign = 1 if _independence(come) > _independence(gone) else -1
        elif gone and come and "appropriate governance function" not in come:
            sign = 0  # one body for another as far from the company ("the Board" → "the CEO")
        moves.append((3, sign, f"actor {_quote(gone)} → {_quote(come)}"))
    else:
        role = (_role_moved(o_rule, n_rule, ac_o & ac_n) or _say_moved(o_rule, n_rule)
                or _actor_swapped(o_rule, n_rule))
        if role:
            moves.append(role)

    # 5 disclosure scope.
    ds_o, ds_n = _set(_DISCLOSE, o_rule), _set(_DISCLOSE, n_rule)
    gone_d, come_d = _disclosure_kinds(ds_o) - _disclosure_kinds(ds_n), _disclosure_kinds(
        ds_n) - _disclosure_kinds(ds_o)
    audience = _audience_moved(ds_o - ds_n, ds_n - ds_o)
    if audience:
        moves.append(audience)
    elif gone_d and not come_d:
        moves.append((5, -1, f"disclosure dropped {_quote(ds_o - ds_n)}"))
    elif come_d and not gone_d:
        moves.append((5, 1, f"disclosure added {_quote(ds_n - ds_o)}"))
    elif ds_o and ds_n:
        doc_o, doc_n = _documents(o_rule), _documents(n_rule)
        if doc_o != doc_n:
            sign = 1 if doc_n > doc_o else -1 if doc_o > doc_n else 0
            moves.append((5, sign, f"disclosed document {_quote(doc_o - doc_n)} → "
                                   f"{_quote(doc_n - doc_o)}"))

    if not moves:
        return NOT_MATERIAL
    signs = {s for _, s, _ in moves}
    # 0: a dimension changed without a direction (one disclosed document swapped for another).
    direction = "mixed" if len(signs) > 1 or signs == {0} else (
        "strengthened" if 1 in signs else "weakened")
    dims = tuple(sorted({d for d, _, _ in moves}))
    because = "; ".join(f"{d} {DIMENSIONS[d]}: {w}" for d, _, w in moves)
    return Judgement(dims, direction, because)


_REQUIRED_STANDARD = r"(?:\s+[\w-]+){0,2}?\s+(?:standards?|safeguards|protections|measures)\b"


def _level_sign(gone: set[str], come: set[str], old: str, new: str) -> int:
    """Which way one level replaced by another of its ladder moves the obligation.

    A level that names what must be in place ("the ASL-4 Security Standard is required") binds
    more when it rises; a level that names when something is required (a capability threshold)
    binds more when it falls. Anything else (a level added, dropped, or from another ladder) is
    read as the weaker reading, the conservative call.
    """
    if len(gone) != 1 or len(come) != 1:
        return -1
    (g,), (c,) = gone, come
    mg, mc = re.match(r"(.*?)(\d+)$", g), re.match(r"(.*?)(\d+)$", c)
    if not mg or not mc or mg.group(1) != mc.group(1) or mg.group(2) == mc.group(2):
        return -1
    higher = int(mc.group(2)) > int(mg.group(2))

    def required(level: str, text: str) -> bool:
        return bool(re.search(re.escape(level) + _REQUIRED_STANDARD, text, re.IGNORECASE))

    if required(g, old) and required(c, new):
        return 1 if higher else -1
    return -1 if higher else 1


_ONLY = frozenset({"only", "solely", "exclusively"})


def _narrowing(text: str) -> set[str]:
    """The qualifiers narrowing ``text``'s scope, "solely" and "exclusively" read as "only"."""
    return {"only" if t in _ONLY else t for t in _set(_SCOPE_NARROW, text)}


_AUDIENCE_RANK = {"internal": 0, "parties": 1, "public": 2}
"""How widely a disclosure reaches: staff only, named parties or authorities, everyone."""


def _audience_moved(gone: set[str], come: set[str]) -> tuple[int, int, str] | None:
    """A disclosure whose words were replaced by words reaching a wider or narrower audience.

    "publish" → "share with select partners" or "share internally" narrows who learns it, even
    where another disclosure word stays in the sentence ("following the report's publication").
    """
    lost = [_AUDIENCE_RANK[k] for k in _disclosure_kinds(gone) if k in _AUDIENCE_RANK]
    got = [_AUDIENCE_RANK[k] for k in _disclosure_kinds(come) if k in _AUDIENCE_RANK]
    if not lost or not got or max(lost) == max(got):
        return None
    sign = 1 if max(got) > max(lost) else -1
    return (5, sign, f"disclosure {'broadened' if sign > 0 else 'narrowed'} "
                     f"{_quote(gone)} → {_quote(come)}")


def _disclosure_kinds(terms: set[str]) -> set[str]:
    """Who learns it: the public (publish, public reports, cards), authorities or named parties
    (notify, share with, report to, available on request), or redaction. "publish" → "release
    publicly" keeps the kind. A term led by its verb ("share ... with", "make ... available on
    request") reaches whom the verb says, whatever document it names on the way ("share a
    transparency report with our investors" is not a publication)."""
    return {_disclosure_kind(t) for t in terms}


def _disclosure_kind(term: str) -> str:
    if re.search(r"internally", term):
        return "internal"
    if re.search(r"\bthe\s+public\b", term):
        return "public"
    if re.match(r"(?:share|report|notif|inform|alert|make|made|available)", term) and not re.search(
            r"public(?:ly)?(?:\s+available)?$", term):
        return "parties"
    if re.search(r"publish|public|system\s+card|model\s+card|transparen", term):
        return "public"
    if re.search(r"redact", term):
        return "redaction"
    return "parties"


_NAMED_THRESHOLD = re.compile(
    r"\b((?:[\w-]+\s+){1,2})(?:thresholds?|trigger\s+points?|tripwires?|red\s+lines?)\b",
    re.IGNORECASE,
)
_NOT_A_NAME = frozenset(
    "the a an our its their this that these those each every any all such relevant "
    "applicable same other specific new existing".split()
)


def _thresholds_named(text: str) -> set[str]:
    """What the thresholds of ``text`` are thresholds *of* ("catastrophic outcome threshold"):
    naming a different threshold changes the trigger even when no number moved."""
    out = set()
    for m in _NAMED_THRESHOLD.finditer(text):
        words = [w.lower() for w in m.group(1).split() if w.lower() not in _NOT_A_NAME]
        if words:
            out.add(" ".join(words))
    return out


def _initials(term: str) -> str:
    return "".join(w[0] for w in re.split(r"[\s-]+", term) if w and w not in ("of", "the", "and"))


def _roles(text: str, actors: set[str]) -> dict[str, int]:
    """How much say each of ``actors`` has over what ``text`` commits to: 2 it approves (a
    decision needs it), 1 it is consulted (it advises), 0 it is only named (told, given
    reports)."""
    found = {a: 0 for a in actors}

    def bodies(span: str) -> set[str]:
        return _canon_actors(_set(_ACTOR, span), actors)

    for pattern, rank in ((_APPROVES, 2), (_CONSULTED, 1)):
        for m in pattern.finditer(text):
            rest = text[m.end():m.end() + 80]
            end = _ROLE_SPAN_END.search(rest)
            for a in bodies(rest[: end.start()] if end else rest):
                found[a] = max(found.get(a, 0), rank)
    for m in _ACTOR.finditer(text):
        if _APPROVES_AFTER.match(text, m.end()):
            for a in bodies(m.group(0)):
                found[a] = 2
    return found


def _role_moved(old: str, new: str, actors: set[str]) -> tuple[int, int, str] | None:
    """A body named on both sides whose say over the decision changed ("in consultation with
    the Trust" → "with the approval of the Trust"): the actor dimension, stronger when a body
    gains the decision, weaker when it loses it."""
    if not actors:
        return None
    ro, rn = _roles(old, actors), _roles(new, actors)
    names = {v: k for k, v in _ROLE_RANK.items()}
    moved = sorted(a for a in actors if ro.get(a, 0) != rn.get(a, 0))
    if not moved:
        return None
    signs = {1 if rn.get(a, 0) > ro.get(a, 0) else -1 for a in moved}
    sign = -1 if -1 in signs else 1
    words = ", ".join(f"'{a}' {names[ro.get(a, 0)]} → {names[rn.get(a, 0)]}" for a in moved)
    return (3, sign, f"actor role {words}")


_DECIDES = re.compile(r"\b(?:approv\w*|sign[- ]?off|authori[sz]\w*|veto\w*|consent)\b",
                     re.IGNORECASE)
_ADVISES = re.compile(r"\b(?:consult\w*|advice|advis\w+|input|feedback)\b", re.IGNORECASE)


def _say_moved(old: str, new: str) -> tuple[int, int, str] | None:
    """A decision turned into advice, or advice into a decision, with no body named nearby.

    "submitted for approval" → "submitted for consultation": whoever was to decide now only
    advises (codebook actor dimension), though the sentence names no one.
    """
    dec_o, dec_n = _set(_DECIDES, old), _set(_DECIDES, new)
    adv_o, adv_n = _set(_ADVISES, old), _set(_ADVISES, new)
    if dec_o - dec_n and not dec_n - dec_o and adv_n - adv_o:
        return (3, -1, f"decision {_quote(dec_o - dec_n)} → advice {_quote(adv_n - adv_o)}")
    if dec_n - dec_o and not dec_o - dec_n and adv_o - adv_n:
        return (3, 1, f"advice {_quote(adv_o - adv_n)} → decision {_quote(dec_n - dec_o)}")
    return None


_PRONOUN = re.compile(r"^(?:it|its|it['’]s|they|them|their|theirs|this|that|these|those|who|"
                      r"which|whom|whose|the|a|an|of|and|or|to)$", re.IGNORECASE)


def _mentions(text: str) -> Counter[str]:
    """How many times ``text`` names each body, by its canonical name."""
    found = [" ".join(m.group(0).lower().split())
             for m in _ACTOR.finditer(_ABBREVIATION.sub("", text))]
    full = {_FULL_NAMES.get(t, t) for t in found if " " in t or "-" in t}

    def name(t: str) -> str:
        t = _FULL_NAMES.get(t, t)
        return next((f for f in full if " " not in t and _initials(f) == t), t)

    return Counter(name(_role_name(t)) for t in found)


def _only_pronouns(tokens: tuple[str, ...]) -> bool:
    """Whether ``tokens`` only refer back ("its", "the", "them"): the same body, no other."""
    return all(_PRONOUN.match(w.strip(",;:.()’'s")) for w in tokens)


def _words_of(tokens: tuple[str, ...]) -> str:
    return " ".join(t.strip(",;:.()") for t in tokens).lower()


def _actor_swapped(old: str, new: str) -> tuple[int, int, str] | None:
    """A body named in one place replaced there by words that name none, or the reverse, while
    the sentence names that body elsewhere too ("... presented to the committee of the board and
    to the board of the subsidiary" → "... and to management of the subsidiary").

    The sets of bodies named are the same on both sides, yet one of the places that gave a body
    a part now gives it to someone else (codebook 5.3): the body is named fewer times. A body
    moved to another place in a reworded sentence is named as often as before. A pronoun for the same body ("the
    Board's approval" → "its approval") is no other actor.
    """
    a, b, spans = _replaced_words(old, new)
    mentions_o = _mentions(old)
    mentions_n = _mentions(new)
    for i1, i2, j1, j2 in spans:
        # one word of context each side: "the board" is a body, "board" alone may not be
        seg_o = " ".join(a[max(0, i1 - 1):i2 + 1])
        seg_n = " ".join(b[max(0, j1 - 1):j2 + 1])
        got_o = _set(_ACTOR, _ABBREVIATION.sub("", seg_o))
        got_n = _set(_ACTOR, _ABBREVIATION.sub("", seg_n))
        got_o, got_n = _same_actors(got_o, got_n)
        if got_o == got_n:
            continue
        if (got_o and not got_n and any(mentions_o[t] > mentions_n[t] for t in got_o)
                and not _only_pronouns(b[j1:j2])):
            return (3, -1, f"actor {_quote(got_o)} → {_quote({_words_of(b[j1:j2])})}")
        if (got_n and not got_o and any(mentions_n[t] > mentions_o[t] for t in got_n)
                and not _only_pronouns(a[i1:i2])):
            return (3, 1, f"actor {_quote({_words_of(a[i1:i2])})} → {_quote(got_n)}")
    return None


_OUTSIDE = re.compile(r"third|external|independent|aisi|institute|auditor|audit$|government")
_IN_HOUSE = re.compile(r"^(?:internal|in-house)\b|^" + _JUNIOR + "$")


def _independence(actors: set[str]) -> int:
    """How far from the company the most independent of ``actors`` stands: 2 an outside party
    (third party, external or independent body, an institute, a government), 1 a named body or
    officer (the Board, the RSO, a Chief Scientist, a Head of Security, a council), 0 its own
    teams or line staff (an internal team, a team lead, a product manager)."""
    def rank(a: str) -> int:
        if _IN_HOUSE.match(a):
            return 0
        return 2 if _OUTSIDE.search(a) else 1
    return max((rank(a) for a in actors), default=0)


def _canon_actors(found: set[str], known: set[str]) -> set[str]:
    """``found`` named as in ``known`` (the actors both wordings share, canonical)."""
    out = set()
    for t in found:
        t = _role_name(t)
        out.add(next((k for k in known if k == t or (" " not in t and _initials(k) == t)), t))
    return out & known


_FULL_NAMES = {"board of directors": "board"}
"""Names of one body, long and short: "the Board of Directors" is "the Board"."""


_ROLE_FORMS = (
    (re.compile(r"\b(managers?|leads?|teams?|heads?|directors?|officers?|vps?)\b"),
     lambda m: m.group(1).rstrip("s") if m.group(1) != "vps" else "vp"),
    (re.compile(r"\bleaders?\b"), lambda m: "lead"),
    (re.compile(r"^((?:head|director|vp|vice president)s? of) the "), lambda m: m.group(1) + " "),
    (re.compile(r"^((?:head|director|vp|vice president) of .+?) (?:team|function|department|"
                r"group|division)$"), lambda m: m.group(1)),
)
"""Forms of one role's name: one holder or several ("product managers"), "team leader" for
"team lead", "the Head of the Security Team" for "the Head of Security"."""


def _role_name(term: str) -> str:
    """``term`` in the one form of its role's name (a body's long name is its short one, and
    British spelling is American: "organisations" is "organizations")."""
    term = term.replace("isation", "ization")
    term = _FULL_NAMES.get(term, term)
    for pattern, form in _ROLE_FORMS:
        term = pattern.sub(form, term)
    return term


def _same_actors(old: set[str], new: set[str]) -> tuple[set[str], set[str]]:
    """Both actor sets with an acronym read as the body it abbreviates ("RSO" is the
    "Responsible Scaling Officer", "LTBT" the "Long-Term Benefit Trust"): introducing or
    dropping an abbreviation changes no actor; nor does the long or short name of one body,
    nor its British or American spelling ("organisations", "organizations"), nor one role named
    in the singular or plural ("product manager", "product managers")."""
    old, new = {_role_name(t) for t in old}, {_role_name(t) for t in new}
    full = {_FULL_NAMES.get(t, t) for t in old | new if " " in t or "-" in t}

    def canon(terms: set[str]) -> set[str]:
        out = set()
        for t in terms:
            t = _FULL_NAMES.get(t, t)
            name = next((f for f in full if " " not in t and _initials(f) == t), t)
            out.add(name)
        return out

    return canon(old), canon(new)


_QUANTIFIER = re.compile(
    r"\b(all|every|each|any|most|many|numerous|some|certain|few|basic|no)\s+(?!longer\b|later\b|more\b|"
    r"less\b|doubt\b|matter\b)(?=[a-z])",
    re.IGNORECASE,
)
_QUANTIFIER_CLASS = {"all": "all", "every": "all", "each": "all", "any": "all", "most": "most",
                     "many": "most", "numerous": "most", "some": "some", "certain": "some", "few": "some",
                     "basic": "basic", "no": "no"}


_SUPERLATIVE = re.compile(
    r"most\s+(?:important|likely|concerning|capable|powerful|relevant|advanced|severe|"
    r"significant|critical|immediate|effective|sophisticated|dangerous|substantial|serious|"
    r"salient|pressing|urgent|notable|prominent|common|promising|plausible)\b",
    re.IGNORECASE,
)
""""the most capable models" ranks; it does not say how many are covered."""


def _quantifiers(text: str) -> Counter[str]:
    """How much of a class a commitment covers ("all", "most", "some", "basic" risk), each
    time it says so: one class for words of one meaning, so "each" ↔ "every" moves nothing,
    "most" → "basic" does."""
    return Counter(_QUANTIFIER_CLASS[m.group(1).lower()] for m in _QUANTIFIER.finditer(text)
                   if not _SUPERLATIVE.match(text, m.start()))


def _documents(text: str) -> set[str]:
    """The named documents of ``text``, lowercased, without a leading article or pronoun."""
    out = set()
    for m in _DOCUMENT.finditer(text):
        words = m.group(0).split()
        while words and words[0].lower() in ("the", "our", "a", "an", "its", "each", "every"):
            words = words[1:]
        if len(words) >= 2:
            out.add(" ".join(words).lower().rstrip("s"))
    return out


def _digits_of(levels: set[str]) -> set[str]:
    return {m.group(0) for lv in levels for m in re.finditer(r"\d+(?:\.\d+)?", lv)}
