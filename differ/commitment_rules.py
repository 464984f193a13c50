"""Sentences that carry a modal but commit the author to no practice.

The commitment reader finds obligation words ("will", "committed to", "may", "we can"); the
coders' definition is narrower: a statement by the developer about *its own practice*. Excluded
are statements of values or purpose ("we are committed to developing AI responsibly"), hopes and
beliefs ("in the long term, we hope that our policy may offer insights"), descriptions of the
document itself ("The table below illustrates possible examples ..."), forecasts of what the
author will find ("we may find that most deployments need few new safeguards"), and sentences
whose only modal sits in a relative clause describing something else ("the scenarios we could
reasonably envision"). Each rule here names one such shape; it is applied after a modal was
found, so a sentence with no modal never reaches it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Protocol, TypeVar

from differ.gate import Gated, fold

_I = re.IGNORECASE

_VALUES = Gated(re.compile(
    r"\b(?:are|is|remain|remains|stay|stays)\s+(?:\w+\s+)?committed\s+to\s+(?:\w+ly\s+)?"
    r"(?:(?:developing|building|deploying|advancing|doing|refining|improving|pursuing|making|"
    r"being|continuing|ensuring|fostering|promoting|supporting|contributing)\b|"
    r"(?:the\s+)?(?:safe|responsible|beneficial|mission)\b)",
    _I,
))
"""A pledge of values: "committed to" a general activity rather than to a named practice."""
_PRACTICE_OBJECT = re.compile(
    r"\b(?:thresholds?|evaluat\w+|safeguards?|ASL-?\d|CCLs?|publish\w*|report\w*|test\w*|"
    r"assess\w+|security\s+(?:measures?|controls?|levels?|standards?)|disclos\w+|mitigat\w+|"
    r"capability\s+levels?|pause\w*|board|officer|review\w*|audit\w*|red[- ]team\w*|"
    r"monitor\w*|protections?|controls?|standards?|third[- ]part\w+|"
    r"external\s+(?:evaluat\w+|review\w*|audit\w*|test\w*|experts?)|government\w*|notify\w*|"
    r"deadlines?|within\s+\d+)\b",
    _I,
)
"""What turns a pledge into a practice: an evaluation, a safeguard, a level, a disclosure."""

_BELIEF = Gated(re.compile(
    r"\b(?:we|I)\s+(?:\w+\s+)?(?:hope|hopes|believe|believes|think|thinks|feel|"
    r"expect(?!\s+to\b)|anticipate|suspect|are\s+hopeful|are\s+optimistic)\b"
    r"|\b(?:that|which)\s+we\s+consider\s+(?:\w+\s+)?(?:important|critical|essential|crucial|"
    r"valuable|serious|significant|likely|plausible|most\s+\w+)\b",
    _I,
))
"""The author stating a belief or hope (the reader already drops one that opens a sentence)."""
_LEADING_PHRASE = re.compile(r"^(?:[^,;:.]{1,60},\s*)?$")
"""A belief that opens the sentence, perhaps after one short phrase ("In the long term, we
hope"). Later in a sentence a belief often qualifies what it is about ("the risks we think most
likely", "areas where we believe work is needed"), and the sentence may still bind."""
_SELF_MODAL = re.compile(
    r"\b(?:(?:we|I)\s+(?!believe|think|hope|feel|expect|anticipate|suspect)\w+|"
    r"(?:our|the)\s+\w+\s+(?:\w+\s+)?(?:will|must|shall|commits?|requires?|may))\b",
    _I,
)
"""The author acting before the belief: the belief qualifies a statement that stands."""
_CONSEQUENT_COMMITMENT = re.compile(
    r"[,;][^.]*?\b(?:we|our\s+\w+|the\s+\w+|this\s+\w+|policy|framework)\s+(?:\w+\s+)?"
    r"(?:will|must|shall|commit\s+to|prohibits?|requires?|permits?)\b",
    _I,
)
"""A belief that motivates a commitment ("Because we believe X, we will Y") still commits."""

_DOCUMENT_PART = (
    r"(?:table|tables|figure|figures|diagram|chart|graphic|section|sections|appendix|appendices|"
    r"annex|document|revision|version|update|examples?|list|paper|framework|overview|box)"
)
_DESCRIBES = (
    r"(?:illustrates?|shows?|summari[sz]es?|lists?|describes?|outlines?|presents?|provides?|"
    r"gives?|sets?\s+out|focus(?:es)?\s+on|contains?|depicts?|aims?\s+to|explains?|highlights?|"
    r"offers?|details?|is\s+intended|are\s+intended|is\s+meant|are\s+meant|includes?)"
)
_DOCUMENT_DESCRIPTION = Gated(re.compile(
    rf"^(?:(?:the|this|these|each|our)\s+(?:\w+\s+){{0,2}}?{_DOCUMENT_PART}"
    rf"(?:\s+of\s+(?:the\s+|this\s+|our\s+)?[\w-]+(?:\s+[\w-]+){{0,2}}?)?|"
    rf"(?:table|figure|appendix|annex|section|box)\s+[A-Z0-9][\w.]*)\s+"
    rf"(?:below\s+|above\s+|here\s+)?{_DESCRIBES}\b"
    rf"|^in\s+(?:this|the\s+following)\s+(?:section|appendix|document|part),?\s+we\s+"
    rf"(?:identify|describe|outline|present|summari[sz]e|explain|list|set\s+out|discuss)\b",
    _I,
))
"""A sentence about the document itself: what a table, figure or section shows."""
_ILLUSTRATIVE = re.compile(r"\b(?:illustrat\w+|examples?|possible|sample|potential)\b", _I)
_OWN_STRONG = re.compile(
    r"\b(?:we|I)\s+(?:(?!expect|believe|think|hope|anticipate)\w+\s+)?"
    r"(?:will|must|shall|commit\s+to)\b",
    _I,
)
"""The author binding itself ("we will apply"; "we expect will be needed" only forecasts)."""

_FIELD_ASPIRATION = Gated(re.compile(
    r"\b(?:we|I)\s+(?:\w+\s+)?(?:aim|hope|seek|strive|want|wish|intend)\s+to\s+(?:\w+ly\s+)?"
    r"(?:set|shape|influence|inform|advance|contribute\s+to|encourage|inspire|promote|foster|"
    r"establish|raise|help\s+(?:set|shape|establish))\s+(?:\w+\s+){0,3}?"
    r"(?:industry|field|standards?|norms?|regulation|ecosystem|public\s+dialogue|discourse|"
    r"community|others|best\s+practices?)\b",
    _I,
))
"""Purely aspirational about the field: "we aim to set a new industry standard"."""
_CORRELATIVE_FORECAST = Gated(re.compile(r"^as\s+[^,]{3,80},\s+so\s+(?:will|does|do|too)\b", _I))
""""As capabilities increase, so will the need for safeguards": a forecast, not a pledge."""

_ELSEWHERE = Gated(re.compile(
    r"\b(?:we\s+(?:will|shall)\s+(?:address|cover|handle|treat|deal\s+with|set\s+out)|"
    r"(?:will|shall)\s+be\s+(?:addressed|covered|handled|treated|dealt\s+with|set\s+out))"
    r"(?:\s+[\w-]+){0,3}?\s+(?:in|through|by)\s+(?:a\s+|our\s+)?(?:separate|other|companion|"
    r"dedicated)\s+(?:[\w-]+\s+)?(?:documents?|polic(?:y|ies)|frameworks?)\b",
    _I,
))
"""A pointer to another document ("we will address them through separate documents"): it says
where a matter is handled, a cross-reference, not what the author will do (codebook 5)."""
_ANY_STRONG = re.compile(r"\b(?:will|must|shall|commit(?:s|ted)?\s+to)\b", _I)
_CAPTIONS = Gated(re.compile(r"\b(?:Table|Figure|Fig\.|Exhibit)\s+\d+[.:]"))
"""Two captions in one sentence: a list of tables or figures that a layout ran together."""
_RATIONALE = Gated(re.compile(
    r"^(?:our|the)\s+(?:\w+\s+)?(?:rationale|reasoning|motivation|reasons?)\s+(?:for|behind)\b", _I
))
"""Why a rule changed or exists: an explanation, not the rule."""
_DESCRIPTIVE_WILL = Gated(re.compile(
    r"\bwill\s+(?:necessarily|inevitably|naturally|invariably|unavoidably)\b", _I
))
""""Risk assessment will necessarily involve X": what a task is like, not what is promised."""

_OTHERS_DUTY = Gated(re.compile(
    r"\b(?:(?:malicious|threat|bad|sophisticated|hostile|state|non-state)\s+actors?|attackers?|"
    r"adversar(?:y|ies)|criminals?|terrorists?|enterprises|businesses|regulators?)\s+"
    r"(?:\w+ly\s+)?(?:must|are\s+required|is\s+required|need\s+to|needs\s+to|have\s+to|has\s+to)\b",
    _I,
))
"""What someone else has to do ("a malicious actor must undergo a design process"): the risk
landscape or another party's obligations, not the author's practice."""
_FIELD_DUTY = Gated(re.compile(
    r"(?:^|[,;:]\s*)(?:(?:many|most|some|all|other|the|these|those|such|every|each|individual|"
    r"leading|frontier|AI|model|open-source)\s+){0,3}(?:developers?|companies|labs|industry|"
    r"researchers|organi[sz]ations|governments?|policymakers|providers|societ(?:y|ies)|"
    r"the\s+field|others|everyone)\s+(?:\w+ly\s+)?(?:must|shall|are\s+required|"
    r"is\s+required|need\s+to|needs\s+to|have\s+to|has\s+to)\b",
    _I,
))
"""A duty of the field at large ("many developers must consider ...", "the industry is
required to ..."): background about others, not the author's practice. "Our researchers must"
names the author's own staff and is not matched (the subject opens the sentence or a clause).
"Developers should ..." stays the advice it is (strength 1), so that a commitment moved into
recommendations to others is still seen moving."""
_IMPERSONAL_NORM = Gated(re.compile(
    r"\bit\s+is\s+(?:\w+\s+)?(?:important|essential|crucial|critical|necessary|vital|key)\s+to\b",
    _I,
))
"""A general maxim ("it is important to identify risks in context") binds no one in particular."""
_EXISTENTIAL = Gated(re.compile(r"^(?:\w+ly,?\s+)?there\s+(?:is|are|exists?)\b", _I))
""""There are fewer opportunities to mitigate ...": a description of the world."""
_OWN_SUBJECT = re.compile(
    r"\b(?:we|I|our\s+\w+|us)\b|\b[A-Z][\w-]+\s+(?:\w+ly\s+)?(?:will|must|shall|commits?)\b"
)

_EARLIER_VERSION = Gated(re.compile(
    r"^(?:[^,]{0,40},\s*)?(?:our|the|its|this)\s+(?:previous|prior|earlier|original|former|last|first)\s+"
    r"(?:\w+\s+){0,2}?(?:policy|framework|version|RSP|edition|iteration)\s+(?:\w+ly\s+)?"
    r"(?:committed|required|stated|said|specified|included|promised|set\s+out|had)\b",
    _I,
))
"""What an earlier version promised: a report of the past, not this version's commitment."""
_DISCLAIMED = Gated(re.compile(
    r"^(?:(?:but|however|yet|still|that\s+said|in\s+particular)\b,?\s*)?(?:[^,]{0,60},\s*)?"
    r"(?:we|I)\s+(?:cannot|can\s*not|can['’]t|do\s+not|don['’]t|are\s+not\s+able\s+to|"
    r"are\s+unable\s+to)\s+(?:\w+ly\s+){0,3}(?:and\s+\w+ly\s+)?(?:commit|guarantee|promise|"
    r"make\s+(?:any\s+)?guarantees|give|provide|predict|know|anticipate)\b",
    _I,
))
"""A sentence that says what the author will not promise ("we cannot commit to following
them unilaterally") disclaims; it is not a commitment of any strength."""
_CONSIDER_BELIEF = Gated(re.compile(
    r"\bwe\s+(?:\w+ly\s+)?consider\s+(?:it\s+|them\s+|this\s+)?(?:to\s+be\s+|as\s+)?"
    r"(?:an?\s+|the\s+)?(?:\w+\s+)?(?:important|critical|essential|crucial|valuable|"
    r"serious|significant|likely|unlikely|plausible|success|failure|priority|appropriate\s+"
    r"for\s+us)\b",
    _I,
))
""""that we consider to be a past success", "risks we consider important": an appraisal."""

_WEAK_WORDS = frozenset({"may", "might", "could", "can", "consider", "considers", "considering"})
_FORECAST_FIND = Gated(re.compile(
    r"\b(?:we|I)\s+(?:\w+\s+)?(?:may|might|could)\s+(?:\w+ly\s+)?(?:find|discover|learn|see|"
    r"observe|notice|realise|realize|encounter|end\s+up)\b",
    _I,
))
"""What the author expects to find out, not what it will do."""
_RELATIVE_WEAK = Gated(re.compile(
    r"\b(?!(?:and|but|then|so|if|when|where|once|unless|also|that|while|because|or)\b)"
    r"[a-z]\w*\s+we\s+(?:\w+ly\s+)?(?:could|can|might)\b",
    _I,
))
"""A weak modal in a relative clause ("the scenarios we could envision", "which we can")."""
_MAIN_WEAK = re.compile(
    r"(?:^|[,;:]\s*|\b(?i:and|but|then|so|if|when|where|once|unless|also|that)\s+)"
    r"(?:\w+\s+){0,2}?(?:[Ww]e|I|[A-Z][\w-]+|[Tt]he\s+\w+|[Oo]ur\s+\w+)\s+(?:\w+ly\s+)?"
    r"(?:also\s+)?(?i:may|might|could|can)\s+(?:\w+ly\s+)?(?:also\s+)?"
    r"(?!(?i:find|see|learn)\b)\w+"
)
"""A weak modal of the main clause: its subject opens the sentence or a clause."""
_BINDING = re.compile(r"\b(?:will|must|shall|commit\s+to)\b", _I)
"""A binding word elsewhere: the weak modal is not what the sentence rests on."""
_POLICY_WEAK = re.compile(r"\b(?:may|might|could)\s+(?:also\s+)?be\s+\w+(?:ed|en)\b", _I)


def not_a_commitment(text: str, strength: int, word: str) -> bool:
    """Whether a sentence the reader found a modal in (``strength``, ``word``) commits its
    author to nothing after all: a value, a hope, a description of the document, a forecast."""
    seen = fold(text)
    if _VALUES.search(text, seen) and not _PRACTICE_OBJECT.search(text):
        return True
    belief = _BELIEF.search(text, seen)
    if (
        belief
        and _LEADING_PHRASE.match(text[: belief.start()])
        and not _SELF_MODAL.search(text[: belief.start()])
        and not _CONSEQUENT_COMMITMENT.search(text, belief.end())
    ):
        return True
    if len(_CAPTIONS.finditer(text, seen)) >= 2 or _RATIONALE.search(text, seen):
        return True
    if _FIELD_ASPIRATION.search(text, seen) or _CORRELATIVE_FORECAST.search(text, seen):
        return True
    pointer = _ELSEWHERE.search(text, seen)
    if pointer and not _ANY_STRONG.search(text[: pointer.start()] + " " + text[pointer.end():]):
        return True
    if word == "will" and _DESCRIPTIVE_WILL.search(text, seen) and not _OWN_STRONG.search(text):
        return True
    if _EARLIER_VERSION.search(text, seen) or _DISCLAIMED.search(text, seen):
        return True
    if word.startswith("consider") and _CONSIDER_BELIEF.search(text, seen):
        return True
    if (_OTHERS_DUTY.search(text, seen) or _FIELD_DUTY.search(text, seen)) and not _OWN_STRONG.search(text):
        return True
    if _IMPERSONAL_NORM.search(text, seen) and not _OWN_SUBJECT.search(text):
        return True
    if word == "present tense" and _EXISTENTIAL.search(text, seen) and not _OWN_SUBJECT.search(text):
        return True
    if _DOCUMENT_DESCRIPTION.search(text, seen) and (
        _ILLUSTRATIVE.search(text) or not _OWN_STRONG.search(text)
    ):
        return True
    if strength == 2 and word in _WEAK_WORDS:
        if _FORECAST_FIND.search(text, seen):
            return True
        if _RELATIVE_WEAK.search(text, seen) and not (
            _BINDING.search(text) or _MAIN_WEAK.search(text) or _POLICY_WEAK.search(text)
        ):
            return True
    return False


# -- restatements -----------------------------------------------------------------------------


class _Quoted(Protocol):
    @property
    def section(self) -> str: ...

    @property
    def text(self) -> str: ...


Q = TypeVar("Q", bound=_Quoted)

_SUMMARY_SECTION = re.compile(
    r"\b(?:executive\s+summary|summary|overview|at\s+a\s+glance|in\s+brief|highlights|"
    r"key\s+(?:points|commitments)|tl;?dr)\b",
    _I,
)
_WORD = re.compile(r"[a-z0-9][a-z0-9+-]*")
_STOP = frozenset(
    "the and for that with this these those from into our are will its their any all such "
    "which who than then also have has been was were can may must should would could each "
    "other more most when where whether what there here they them not only both either".split()
)
RESTATED = 0.8
"""Share of a summary sentence's content words that a body commitment must contain for the
summary sentence to be the same commitment stated in advance."""


def _content(text: str) -> frozenset[str]:
    return frozenset(w for w in _WORD.findall(text.lower()) if len(w) > 2 and w not in _STOP)


@lru_cache(maxsize=1024)
def _in_summary(section: str) -> bool:
    """Whether a section path lies in a summary part: asked once per section, not per
    commitment."""
    return bool(_SUMMARY_SECTION.search(section))


def drop_restatements(items: Sequence[Q]) -> list[Q]:
    """``items`` without the commitments of a summary part that the body states again.

    A document that opens with an executive summary or overview makes each promise twice; the
    coders code the obligation once, where the document sets it out. A summary sentence most of
    whose content words stand in one commitment outside the summary is that commitment.
    """
    in_summary = [_in_summary(c.section) for c in items]
    if not any(in_summary):
        return list(items)
    body = [_content(c.text) for c, summary in zip(items, in_summary, strict=True) if not summary]
    out: list[Q] = []
    for c, summary in zip(items, in_summary, strict=True):
        if summary:
            words = _content(c.text)
            if len(words) >= 4 and any(
                len(words & other) >= RESTATED * len(words) for other in body
            ):
                continue
        out.append(c)
    return out
