"""What a version of a framework promises: its commitments, one per distinct obligation.

A *commitment* is a statement by the developer about its own practice (the human coders'
definition): any strength of modal ("will", "must", "commit to", "aim to", "may"), the
descriptive present of a policy ("we conduct X before deployment", "evaluations are run"), and
the definitions of thresholds and capability levels ("CBRN uplift level 1: can be used to ...").
Descriptions of the risk landscape, beliefs and forecasts ("we believe", "models will become"),
reports of past actions and headings are not commitments.

A paragraph often states one obligation and then elaborates it; the coders count the obligation
once. So consecutive commitment sentences of one paragraph that fall in the same primary category
are one commitment, quoted by its first sentence. Exact duplicates (a paragraph repeated by a
page reflow) are one commitment too.

Everything here is derived from the extracted text alone, deterministic, and cheap enough to
run on every stored version (``extract_commitments`` on a 70 KB framework takes a few tens of
milliseconds).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from differ.commitment_rules import drop_restatements, not_a_commitment
from differ.disclosure import in_changelog
from differ.gate import Gated, fold
from differ.lexicon import category_unions, load_lexicon
from differ.lexicon import text_categories as lexicon_categories
from differ.model import seoul_for
from differ.segment import Sentence, normalize_chars, segment

MAX_WORDS = 80
"""Quoted text is cut at this many words (the coders' form holds ≤ 80 words verbatim)."""

CATEGORY_ORDER: tuple[str, ...] = (
    "response",
    "publication",
    "thresholds",
    "evaluations",
    "mitigations",
    "governance",
    "alignment",
    "scope",
)
"""Which category is primary when a sentence touches several: the most specific obligation
first (what a result obligates, what is disclosed, what level triggers it) before the broad ones."""

# -- obligation strength --------------------------------------------------------------------------

_PROHIBITED = (
    r"(?:deployed|released|used|trained|shared|published|developed|made\s+available|"
    r"open-sourced|distributed|launched|accessed|fine-tuned|provided|offered|scaled)"
)
"""What a policy forbids with "may not be": an act on a model, not a state of the world."""

_STRONG = re.compile(
    r"\b(?:will|must|shall|commit(?:s|ted)?\s+to|are\s+committed\s+to|is\s+committed\s+to|"
    r"(?:we|they)['’]ll|won['’]t|cannot|require[sd]?|(?:is|are|be)\s+(?:\w+\s+)?required|"
    r"it\s+is\s+(?:our|its|the\s+company['’]s|\w+['’]s)\s+policy\s+(?:to|that|not)|"
    r"our\s+policy\s+is\s+(?:to|that|not)|"
    rf"may\s+not\s+be\s+(?:\w+ly\s+)?{_PROHIBITED})\b",
    re.IGNORECASE,
)
"""The binding words. "It is our policy to ..." binds as "we will" does; "models may not be
released unless ..." forbids (the deontic "may not", read only before an act the author
controls: "mitigations may not be sufficient" only doubts)."""
_MEDIUM = re.compile(
    r"\b(?:intends?\s+to|aims?\s+to|expects?\s+to|plans?\s+to|strives?\s+to|seeks?\s+to|"
    r"hopes?\s+to|endeavou?rs?\s+to|will\s+(?:aim|seek|strive|endeavou?r|try|attempt)|"
    r"working\s+(?:towards?|to)|goal\s+is\s+to|aspire\s+to)\b",
    re.IGNORECASE,
)
_WEAK = re.compile(
    r"\b(?:may(?!\s+\d)|might|could|consider(?:s|ing)?|will\s+consider|where\s+(?:possible|feasible|"
    r"appropriate|practical)|as\s+appropriate|if\s+(?:feasible|appropriate))\b",
    re.IGNORECASE,
)
_ADVICE = re.compile(
    r"\b(?:recommends?|recommended|encourages?|encouraged|should|ought\s+to|urge)\b", re.IGNORECASE
)
_FORECAST_AFTER_WILL = re.compile(
    r"\bwill\s+(?:likely|probably|possibly|perhaps|almost\s+certainly|become|arise|emerge|evolve|"
    r"change|occur|happen|increase|improve|continue\s+to\s+(?:grow|improve|advance|increase)|exist|"
    r"be\s+(?:very\s+|more\s+|most\s+|particularly\s+|especially\s+|increasingly\s+)?(?:important|"
    r"useful|hard|difficult|challenging|necessary|critical|crucial|helpful|valuable|essential|"
    r"possible|impossible|likely|unlikely))\b",
    re.IGNORECASE,
)
_BELIEF = re.compile(
    r"^(?:[^,;:]{0,60}?\b)?(?:we|I|[A-Z][\w-]+)\s+(?:\w+\s+)?(?:believes?|thinks?|hopes?|expects?\s+that|"
    r"anticipate|predict|suspect|worry|fear|recogni[sz]e|acknowledge|know|feel|judge|assume)\b"
    r"|\b(?:it\s+is|it['’]s)\s+(?:possible|likely|unlikely|plausible)\b"
    r"|\bin\s+the\s+future\b[^.]*\bwill\s+(?:be|have)\b",
    re.IGNORECASE,
)
_COMPANY = (
    r"(?:anthropic|openai|google(?:\s+deepmind)?|deepmind|gdm|xai|amazon|aws|nvidia|cohere|g42|"
    r"meta|microsoft|mistral(?:\s+ai)?|naver|samsung|tii|ibm|inflection(?:\s+ai)?|zhipu(?:\s+ai)?)"
)
"""Developers whose frameworks are read (the Seoul Frontier AI Safety Commitments signatories
among them), named as the author."""
_BODY = (
    r"(?:team|teams|company|staff|process|processes|policy|framework|procedures?|evaluations?|"
    r"board|leadership|council|committee|officer|group|function|organi[sz]ation|department|"
    r"cent(?:er|re)|unit|office|division|personnel|employees|engineers|researchers|"
    r"scientist|head|director|executive|lead)"
)
"""A body of the author's that acts for it ("our Frontier Red Team", "Amazon's safety committee")."""
# _SELF also names the author's officers and line roles by title ("the Chief Scientist", "the
# Head of Security", "the CSO", "a team lead", "the product team"): who holds a decision is
# what an actor change moves, so their practices are read as the author's.
_SELF = (
    rf"(?:we|our\s+(?:[\w-]+\s+){{0,3}}?{_BODY}|"
    rf"{_COMPANY}(?:['’]s\s+(?:[\w&-]+\s+){{0,3}}?{_BODY})?|"
    rf"the\s+(?:[\w&-]+\s+){{0,3}}?{_BODY}\s+(?:at|of|within)\s+{_COMPANY}|"
    r"the\s+(?-i:(?:[A-Z][\w&-]*\s+){1,4})(?:committee|council|board|officer)|"
    r"(?:the|a|an|each)\s+(?:(?-i:(?:Chief|Heads?\s+of)(?:\s+[A-Z][\w&-]*){1,3}|C[A-Z]{1,3}O)|"
    r"(?:team|product|project|program(?:me)?|engineering)\s+(?:leads?|managers?)|"
    r"product\s+teams?)(?:\s+\([A-Z][\w&-]*\))?|"
    r"the\s+company|the\s+(?:responsible\s+scaling\s+officer|rso|ceo|board|sag|"
    r"safety\s+advisory\s+group|frontier\s+(?:ai\s+)?safety\s+(?:committee|council)))"
)
_PRESENT_VERBS = (
    r"(?:conduct|perform|run|evaluate|test|assess|maintain|implement|appl(?:y|ies)|publish|share|"
    r"notif(?:y|ies)|review|use|utili[sz]e|monitor|restrict|limit|provide|treat|track|measure|"
    r"employ|enforce|report|document|update|designate|retain|engage|partner|require|deploy|"
    r"release|train|prohibit|consult|escalate|ensure|red-team|audit|log|store|"
    r"protect|secure|grant|give|offer|make|invest|operate|identif(?:y|ies)|verif(?:y|ies)|"
    r"validate|determine|prepare|produce|submit|inform|brief|adopt|follow|establish|develop|"
    r"collect|solicit|investigate|prioriti[sz]e|pause|halt|stop|delay|commission|invite|allow|"
    r"permit|coordinate|collaborate|work|seek|refrain|remove|reject|decline|prevent|mitigate|"
    r"respond|gather|consider|carr(?:y|ies)\s+out|undertake|leverage|align|place|"
    r"categori[sz]e|classif(?:y|ies)|focus|filter|screen|vet|encrypt|scan|inspect|"
    r"examine|analy[sz]e|benchmark|stress-test|subject|isolate|block|flag|rate|score|include|"
    r"approve|oversee|authori[sz]e|sign\s+off)"
)
_MANNER = (
    r"(?!(?:mainly|mostly|largely|primarily|partly|likely|probably|possibly|potentially|"
    r"hopefully|ideally|eventually)\b)\w+ly"
)
"""An adverb of manner or frequency between the author and its verb ("Cohere consistently
reviews", "we rigorously monitor"); not one that hedges or describes ("NVIDIA mainly
provides", "we eventually release")."""
_PRESENT = re.compile(
    rf"(?:^|[,;:]\s+|\bthen\s+|\band\s+)(?:[^.;:]{{0,0}}){_SELF}\s+(?:(?:also|then|further|"
    rf"therefore|thus|still|first|{_MANNER})\s+){{0,2}}(?:{_PRESENT_VERBS}(?:s|es)?|"
    r"ha(?:ve|s)\s+(?:\w+ly\s+)?(?:established|designated|appointed|put\s+in\s+place|set\s+up|"
    r"adopted))\b",
    re.IGNORECASE,
)
_PASSIVE = re.compile(
    r"\b(?:is|are)\s+(?:(?:also|then|always|first|further|still|\w+ly)\s+){0,2}(?:conducted|"
    r"performed|run|evaluated|tested|reviewed|applied|implemented|published|shared|reported|"
    r"assessed|monitored|restricted|documented|required|prohibited|escalated|notified|logged|"
    r"audited|red-teamed|approved|overseen|carried\s+out|subject\s+to|made\s+available|provided|"
    r"updated|maintained|enforced|tracked|measured|identified|investigated|mitigated|verified|"
    r"validated|examined|inspected|scanned|screened|vetted|encrypted|stored|retained|granted|"
    r"controlled|governed|protected|secured|isolated|segmented|"
    r"gated|limited\s+to|delegated|trained|stress-tested|benchmarked|undertaken|tasked\s+with|"
    r"responsible\s+for(?!\s*:)|used\s+to\s+(?:evaluate|assess|test|align|detect|monitor|filter|"
    r"identify|determine|measure|mitigate|block|protect))\b"
    r"|\b(?:is|are)\s+(?:not\s+|never\s+|only\s+)?(?:\w+ly\s+)?(?:deployed|released|launched|"
    r"trained|open-sourced|made\s+available|scaled)\s+(?:[\w-]+\s+){0,3}?(?:without|until|unless|"
    r"before|after|once|prior\s+to|only)\b"
    r"|\b(?:undergo(?:es)?|pass(?:es)?\s+through)\b",
    re.IGNORECASE,
)
"""The passive of a practice ("models are evaluated before deployment", "access is granted only
to vetted staff", "regressions are investigated and mitigated"), and "every model undergoes a
review", which names the same practice from the object's side. Deployment and release are
practices only under their condition ("no model is deployed without approval", "models are not
released until ..."): "our models are deployed worldwide by customers" describes."""
_EMBEDDED_PASSIVE = re.compile(
    r"\b(?:how|whether|what|why)\s+[^,;:]*$|"
    r"\b(?:should|would|could|might|may|can|must|will|that|which|who)\s+$|"
    r"^(?:many|some|most|other|several|few|various)\b",
    re.IGNORECASE,
)
"""Before a passive: it sits in a clause about a question ("flexibility in how thresholds are
evaluated") or a relative clause ("thresholds that are used to determine a category": the
sentence is about the thresholds), or after a modal that already gave the sentence its
strength ("should undergo"), or its subject is models at large ("many models are deployed
before ...": the world, not the author's practice)."""
_PASSIVE_SUBJECT = re.compile(
    r"\b(?:evaluations?|assessments?|tests?|testing|reviews?|reports?|models?|results?|safeguards?|"
    r"mitigations?|measures?|decisions?|deployments?|access|weights|findings|policy|framework|"
    r"incidents?|red-teaming|controls?|cards?|changes?|updates?|data|datasets?|regressions?|"
    r"vulnerabilit(?:y|ies)|risks?|checkpoints?|authority|approvals?|personnel|staff|employees|"
    r"the\s+\w+)\b",
    re.IGNORECASE,
)

# -- definitions of thresholds and capability levels ----------------------------------------------

_LEVEL = re.compile(
    r"\b(?:ASL-?[0-9N](?:\+1)?|CBRN(?:-[0-9])?|AI\s+R&D-[0-9]|(?:uplift|autonomy|acceleration|"
    r"automation|manipulation|cyber|reasoning)\s+(?:uplift\s+)?level\s+[0-9]+\+?|Level\s+[0-9]+\+?|"
    r"CCLs?|critical\s+capability\s+levels?|capability\s+thresholds?|risk\s+thresholds?|"
    r"(?:High|Critical)(?:\s+(?:capability|risk|threshold))?|tier\s+[0-9]+|alert\s+thresholds?|"
    r"red\s+lines?|checkpoint)\b"
)
_DEFINES = re.compile(
    r"\b(?:is\s+defined\s+as|are\s+defined\s+as|defined\s+as|refers?\s+to|means|consists?\s+of|"
    r"the\s+ability\s+to|ability\s+of|capable\s+of|(?:can|could)\s+(?:be\s+used\s+to\s+)?"
    r"(?:significantly|meaningfully|substantially|materially|fully|autonomously|provide|enable|"
    r"assist|uplift|automate|accelerate|cause|conduct|execute|develop|perform|replicate|carry|"
    r"facilitate|influence)|"
    r"corresponds?\s+to|is\s+reached\s+when|reaches\s+\w+\s+when|would\s+(?:be\s+)?(?:able\s+to|"
    r"indicate|enable|provide|allow|significantly|substantially|meaningfully)|"
    r"sufficient\s+to|at\s+or\s+above)\b",
    re.IGNORECASE,
)
_SPECULATIVE = re.compile(
    r"\b(?:could\s+be\s+that|might|perhaps|guess|speculative|we\s+think|possibly|may\s+be)\b",
    re.IGNORECASE
)
"""A level described as a guess is not yet a definition ("a related criterion could be that")."""
_LABEL_DEFINES = re.compile(
    r"\b(?:can|could|would)\s+(?:\w+ly\s+)?(?:help|give|allow|make|let)\b", re.IGNORECASE
)
"""Under a threshold heading, after a label ("Cyber offense: a model that could help a novice
..."), the looser verbs of capability define the level too; in running prose they describe."""
_OPENING_BELIEF = re.compile(
    r"^(?:[^,;:]{0,60}?,\s*)?(?:we|I)\s+(?:\w+\s+)?(?:believe|think|recogni[sz]e|acknowledge|"
    r"expect|anticipate|know|fear|worry|suspect)\b",
    re.IGNORECASE,
)
"""A sentence that opens with the author's belief ("Without safeguards, we recognize that models
could ...") describes a risk; it does not define a level, whatever words it shares with one."""
_LABEL_COLON = re.compile(r"^[^.:]{2,60}:\s+\S")
_THRESHOLD_LABEL = re.compile(
    r"\b(?:thresholds?|critical\s+capabilit(?:y|ies)|capability\s+levels?|CCLs?|red\s+lines?)\b",
    re.IGNORECASE,
)
"""A run-in label that names a threshold ("Chemical weapons threshold: the ability to ..."):
the line defines one wherever it stands, as it would under a threshold heading."""

# -- exclusions -----------------------------------------------------------------------------------

_TOC = re.compile(r"\.{4,}|…{2,}")
_NON_NORMATIVE_SECTION = re.compile(
    r"\b(?:acknowledge?ments?|references|bibliography|works\s+cited|endnotes|contributors|"
    r"about\s+the\s+authors|change\s*log|version\s+history|revision\s+history|glossary|"
    r"table\s+of\s+contents|contents|tasks|example\s+tasks?|examples?|illustrative\s+\w+|"
    r"case\s+stud(?:y|ies))\b",
    re.IGNORECASE,
)
_PAST_REPORT = re.compile(
    rf"^(?:in\s+\w+\s+\d{{4}},?\s+)?(?:we|{_COMPANY})\s+(?:previously\s+|first\s+)?"
    r"(?:released|published|evaluated|tested|launched|announced|introduced|updated|made|added|"
    r"replaced|adjusted|changed|removed|found|observed|learned|developed|began|started)\b",
    re.IGNORECASE,
)
_RECOMMENDATION_SECTION = re.compile(
    r"\b(?:recommendations?|industry[- ]wide|for\s+(?:the\s+)?industry|other\s+developers|"
    r"policymakers|call\s+to\s+action)\b",
    re.IGNORECASE,
)
_QUESTION = re.compile(r"\?\s*$")
_EXAMPLE_OPENER = re.compile(r"^(?:for\s+example|for\s+instance|e\.g\.)[,:]?\s", re.IGNORECASE)
_FOOTNOTE_LINE = re.compile(
    r"^(?:\d{1,2}\s+[A-Z“\"]|\d{1,2}(?=[A-Z][a-z])|Note:|\d{1,2}\s+Note\b|\(\d{1,2}\)\s+[A-Z])")
"""A footnote or note: "3 CBRN refers to ...", "Note: ..." — it explains, it does not bind.
("12When ...": the marker glued to its text by a lost space.)"""
_TERM_DEFINITION = re.compile(
    r"\b(?:we\s+use\s+(?:the\s+|this\s+|these\s+)?(?:terms?|words?|phrases?)|(?:the\s+)?terms?\s+[\"“][^\"”]+[\"”]\s+"
    r"(?:refers?|means)|we\s+refer\s+to|\bto\s+refer\s+to\b|we\s+mean\b|by\s+[\"“][^\"”]+[\"”]\s*,?\s*we\s+mean)",
    re.IGNORECASE,
)
_ASPIRATIONAL_SECTION = re.compile(
    r"\b(?:future\s+work|looking\s+ahead|open\s+questions|next\s+steps|areas\s+for\s+further)\b",
    re.IGNORECASE,
)
_POLICY_MAY = re.compile(
    r"\b(?:safeguards?|mitigations?|evaluations?|assessments?|monitoring|response\s+plans?|"
    r"deployments?|access|security\s+(?:levels?|controls?|measures?)|safety\s+cases?|"
    r"this\s+(?:policy|framework)|the\s+(?:policy|framework))\s+(?:\w+\s+)?(?:may|might|could)\s+"
    r"(?:also\s+)?be\s+(?:\w+ly\s+)?(?:applied|updated|adjusted|implemented|conducted|run|used|"
    r"paused|restricted|supplemented|required|shared|published|expanded|extended|revised|"
    r"modified|changed|waived|reduced|relaxed|deferred|tailored)\b",
    re.IGNORECASE,
)

_LOWER_MARKER = re.compile(r"^(?:[ivx]{1,4}|[a-z])[.)]\s+[A-Z]")
"""A lowercase list marker before a capitalised item ("i. External audits: ...", "b) We ..."):
an item, not the lowercase tail of a sentence a page break cut."""
_ITEM = re.compile(
    r"^\s*(?:[●•▪◦○■□➢►–*]|-\s|\(?[a-z]\)\s|\(?[ivx]{1,4}\)\s|\(?\d{1,2}[.)]\s|"
    r"\(?\d{1,2}\)(?=[^\W\d_])|[a-z]\.\s)"
)
"""A list item's opening marker. A number in parentheses may run into the item's first word
("(1)model-independent information"), as a text layer joins them; a number with a full stop
may not ("1.5x" is no item)."""
_PLAN_SECTION = re.compile(
    r"\b(?:plans?|phases?|phased|roadmap|implementation|timeline|milestones?|responsibilit(?:y|ies)|"
    r"duties|actions|commitments|practices|requirements|procedures?|protocols?)\b",
    re.IGNORECASE,
)
"""Parts whose list items are the author's own to-do list: a plan, its phases, a role's duties."""
_IMPERATIVE_ITEM = re.compile(
    r"^\s*(?:[●•▪◦○■□➢►–*]|-|\(?[a-z]\)|\(?[ivx]{1,4}[.)]|\(?\d{1,2}[.)]|[a-z]\.)\s*"
    r"(?i:(?:Conduct|Perform|Evaluate|Assess|Implement|Apply|Publish|Maintain|Establish|Define|"
    r"Develop|Deploy|Ensure|Restrict|Notify|Share|Engage|Provide|Require|Prohibit|Integrate|"
    r"Expand|Red-team|Verify|Validate|Identify|Investigate|Escalate|Document|Track|Measure|"
    r"Designate|Retain|Enforce|Encrypt|Commission|Invite|Pause|Halt|Delay|Adopt|Prepare|"
    r"Produce|Submit|Inform|Consult|Undertake|Carry\s+out|Mitigate|Prevent|Protect|Update)\b"
    r"|(?:Monitor|Review|Test|Report|Audit|Release|Train|Limit|Run|Stop|Use)\s+(?=(?:a|an|the|"
    r"all|each|every|our|its|any|their|this|these|such|new|regular|routine|annual|frontier)\s))"
    r"(?!\s*:)"
)
"""A list item that is an instruction the author gives itself ("● Publish an annual
transparency report", "● Conduct routine capability assessments", or in lower case, as many
lists are written: "● publish an annual report"): a plan's items bind as "we will" does. Verbs that are as often nouns at an item's start ("Review of past reports",
"Monitor AI supervises ...") count only before a determiner."""
_LEAD_IN = re.compile(r"(?:\bthe\s+following\b[^.:]*\.?|:)\s*$", re.IGNORECASE)
"""A sentence that introduces a list: "... the following security themes.", "... procedure:"."""


def _opens_list(text: str) -> bool:
    """Whether ``text`` introduces a list (``_LEAD_IN``). The pattern scans the whole sentence;
    it can only match one holding a colon or "following", which a substring test finds first."""
    return (":" in text or "following" in fold(text)) and bool(_LEAD_IN.search(text))
_OWN_SUBJECT = re.compile(rf"\b{_SELF}\b|\bus\b", re.IGNORECASE)
"""The author (or one of its bodies) named as the one acting."""
_ELABORATION = re.compile(
    r"^(?:this|these|that|such|it|in\s+particular|specifically|in\s+other\s+words|that\s+is|"
    r"to\s+do\s+so|to\s+this\s+end|for\s+example|for\s+instance|as\s+part\s+of\s+this|"
    r"in\s+doing\s+so|here|thus|accordingly|in\s+practice|concretely)\b",
    re.IGNORECASE,
)
"""An opener that continues the previous sentence's obligation rather than stating a new one."""

# -- quantities -----------------------------------------------------------------------------------

_NUMBER_WORD = (
    r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|eighteen|twenty|"
    r"thirty|sixty|ninety|\d+(?:\.\d+)?)"
)
_QUANTITY = re.compile(
    r"\bASL-?[0-9N](?:\+1)?\b|\bCBRN-[0-9]\b|\bAI\s+R&D-[0-9]\b|\bSL-?[0-9]\b|"
    r"\b(?:uplift|autonomy|acceleration|automation|manipulation|cyber|reasoning)\s+(?:uplift\s+)?"
    r"level\s+[0-9]+\+?|\bLevel\s+[0-9]+\+?|\bCCLs?\b|\b(?:High|Critical)(?=\s+(?:capability|"
    r"risk|threshold|in|level))|\btier\s+[0-9]+\b|"
    r"\b\d+(?:\.\d+)?\s?%|\b\d+(?:\.\d+)?\s?percent\b|"
    r"\b\d+(?:\.\d+)?x\b|\b(?:double|twice|triple|half)\b|"
    rf"\bevery\s+(?:{_NUMBER_WORD}\s+)?(?:hours?|days?|weeks?|months?|quarters?|years?)\b|"
    r"\b(?:annually|quarterly|monthly|weekly|daily|yearly|biannually|"
    r"at\s+least\s+(?:once\s+)?(?:a|per|every)\s+(?:year|quarter|month|week))\b|"
    rf"\b{_NUMBER_WORD}[- ](?:hours?|days?|weeks?|months?|years?|business\s+days)\b|"
    r"\$\s?\d[\d,]*(?:\.\d+)?(?:\s?(?:k|m|million|billion))?\b|"
    r"\b10\^?\d+\s*(?:FLOPs?|operations)\b|\b\d+(?:\.\d+)?e\d+\s*FLOPs?\b",
    re.IGNORECASE,
)

_QUANTITY_WORDS = ("asl", "ccl", "high", "critical", "double", "twice", "triple", "half", "every",
                   "annual", "quarter", "month", "week", "daily", "year", "hour", "day")
_DIGIT = re.compile(r"\d")
"""A digit or one of these words (in the folded text): something every `_QUANTITY` match
contains, a cheap test that rules most sentences out."""

# -- codebook -------------------------------------------------------------------------------------

_THIRD_PARTY = re.compile(
    r"\b(?:third[- ]part(?:y|ies)|external\s+(?:\w+\s+)?(?:evaluat\w+|test\w*|experts?|assessors?|"
    r"red[- ]team\w*|review\w*|parties|auditors?)|AISIs?|AI\s+(?:Safety|Security)\s+Institutes?|"
    r"independent\s+(?:\w+\s+)?(?:evaluat\w+|review\w*|test\w*|experts?|auditors?)|"
    r"government\s+(?:access|testing|partners?)|CAISI|auditors?)\b",
    re.IGNORECASE,
)
_TRIGGER = re.compile(
    r"\b(?:effective\s+compute|cadence|every\s+\w+\s+(?:months?|weeks?)|before\s+(?:each\s+|any\s+)?"
    r"(?:deployment|release|training)|pre-deployment|prior\s+to\s+(?:deployment|release)|"
    r"threshold|trigger\w*|when\s+a\s+model|whenever|periodic\w*|at\s+least)\b",
    re.IGNORECASE,
)
_RESULT_CONDITION = re.compile(
    r"\b(?:if|once|when|whenever|where|until|unless)\b[^.;]{0,120}?\b(?:evaluat\w+|assess\w+|"
    r"test\w*|threshold|CCL|reach\w*|cross\w*|exceed\w*|determin\w+|show\w*|indicat\w+|"
    r"High|Critical|ASL-?\d|capabilit\w+|results?)\b",
    re.IGNORECASE,
)
_SECURITY = re.compile(
    r"\b(?:security|weights?|exfiltrat\w+|insider|theft|access\s+controls?|infosec|RAND|SL-?\d|"
    r"containment)\b",
    re.IGNORECASE,
)
_DOMAINS = re.compile(
    r"\b(?:CBRN|biolog\w+|chemical|nuclear|radiological|cyber\w*|autonom\w+|AI\s+R&D|persuasion|"
    r"manipulation|self-replication|self-improvement|misalign\w+|risk\s+domains?|tracked\s+"
    r"categor\w+)\b",
    re.IGNORECASE,
)

# Keyword gates (differ.gate) for the patterns that most sentences do not match: the gate is
# derived from the pattern itself, so it stays right when a pattern changes.
_G_BELIEF = Gated(_BELIEF)
_G_STRONG = Gated(_STRONG)
_G_MEDIUM = Gated(_MEDIUM)
_G_WEAK = Gated(_WEAK)
_G_ADVICE = Gated(_ADVICE)
_G_TERM_DEFINITION = Gated(_TERM_DEFINITION)
_G_TOC = Gated(_TOC)
_G_LEVEL = Gated(_LEVEL)
_G_SPECULATIVE = Gated(_SPECULATIVE)
_G_POLICY_MAY = Gated(_POLICY_MAY)
_G_PAST_REPORT = Gated(_PAST_REPORT)
_G_RESULT_CONDITION = Gated(_RESULT_CONDITION)
_G_THIRD_PARTY = Gated(_THIRD_PARTY)
_G_TRIGGER = Gated(_TRIGGER)
_G_SECURITY = Gated(_SECURITY)
_G_DOMAINS = Gated(_DOMAINS)
_G_PRESENT = Gated(_PRESENT)
_G_PASSIVE = Gated(_PASSIVE)
_G_HEDGE = Gated(re.compile(
    r"\bwhere\s+(?:possible|feasible|appropriate|practical)|\bas\s+appropriate\b|"
    r"\bif\s+(?:feasible|appropriate)\b", re.IGNORECASE))
"""A hedge inside an otherwise strong sentence ("we will, where possible, ...")."""


@cache
def _rx(pattern: str) -> re.Pattern[str]:
    """A case-insensitive pattern, compiled once."""
    return re.compile(pattern, re.IGNORECASE)


_NORM = re.compile(r"[^\w+%]+", re.UNICODE)


def normalise(text: str) -> str:
    """Lowercase letters, digits, "+" and "%" only: what a re-render never changes.

    "+" and "%" stay because "Level 2" and "Level 2+" are different levels.
    """
    return _NORM.sub("", normalize_chars(text).lower())


def commitment_id(section: str, text: str) -> str:
    """The stable content id: equal for the same words in the same section in any version."""
    return _commitment_id(_section_key(section), normalise(text))


@lru_cache(maxsize=1024)
def _section_key(section: str) -> str:
    parts = [normalise(p) for p in section.split(" > ")] if section else [""]
    return " > ".join(parts)


def _commitment_id(section_key: str, normalised_text: str) -> str:
    key = section_key + "\n" + normalised_text
    return "c" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:10]


@dataclass(frozen=True)
class Commitment:
    """One commitment of one version, with what the coders record about it."""

    id: str
    text: str
    section: str
    category: str
    categories: tuple[str, ...]
    codebook: str
    seoul: tuple[str, ...]
    strength: int
    strength_word: str
    quantities: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        """The shape stored and printed by ``framewatch commitments --format json``."""
        return {
            "id": self.id,
            "text": self.text,
            "section": self.section,
            "category": self.category,
            "categories": list(self.categories),
            "codebook": self.codebook,
            "seoul": list(self.seoul),
            "strength": self.strength,
            "strength_word": self.strength_word,
            "quantities": list(self.quantities),
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Commitment:
        """Rebuild from ``to_json`` output; missing optional keys take neutral defaults."""
        categories = tuple(d.get("categories", ()) or (d.get("category", "governance"),))
        return cls(
            id=str(d["id"]),
            text=str(d.get("text", "")),
            section=str(d.get("section", "")),
            category=str(d.get("category", categories[0] if categories else "governance")),
            categories=categories,
            codebook=str(d.get("codebook", "G")),
            seoul=tuple(d.get("seoul", seoul_for(categories))),
            strength=int(d.get("strength", 4)),
            strength_word=str(d.get("strength_word", "")),
            quantities=tuple(d.get("quantities", ())),
        )

    @property
    def binding(self) -> bool:
        """A self-commitment (strength 2–4), not a recommendation to others."""
        return self.strength >= 2


# -- strength -------------------------------------------------------------------------------------


def _clean(text: str) -> str:
    return " ".join(normalize_chars(text).split())


def strength_of(text: str, *, in_recommendations: bool = False) -> tuple[int, str] | None:
    """(strength, word) of a sentence that commits its author, or None when it commits nobody.

    Ordered scale (codebook): 4 must / will / shall / commit to / present-tense policy; 3 intend /
    aim / expect / plan; 2 may / could / consider / where possible; 1 recommend / encourage /
    should (advice to others, not a self-commitment). A hedge inside an otherwise strong sentence
    ("we will, where possible, ...") lowers it: the weakest qualifier on the obligation is what a
    reader can rely on. Beliefs, forecasts and past events return None.
    """
    return _strength(_clean(text), in_recommendations)


def _strength(t: str, in_recommendations: bool, seen: str | None = None) -> tuple[int, str] | None:
    """:func:`strength_of` of a cleaned sentence (``seen``: its :func:`fold`)."""
    if seen is None:
        seen = fold(t)
    if _QUESTION.search(t) or _G_PAST_REPORT.search(t, seen):
        return None
    if _G_BELIEF.search(t, seen):
        main = _main_clause_after_belief(t)
        return None if main is None else _strength(main, in_recommendations)
    strong = _first_strong(t, seen)
    medium = _G_MEDIUM.search(t, seen)
    # the hedge and advice words are only looked for once a rule reads them
    if in_recommendations:
        advice = _G_ADVICE.search(t, seen)
        if (advice or strong) and not _rx(r"\bwe\s+will\b").search(t):
            word = (advice or strong).group(0)  # type: ignore[union-attr]
            return 1, word.lower()
    if medium and not (
        medium.group(0).lower().startswith("will")
        or _rx(rf"(?:{_SELF}|\bwho)\s+(?:\w+\s+){{0,2}}$").search(t[: medium.start()])
        or _rx(r"(?:^|[,;:]\s*)$").search(t[: medium.start()])
    ):
        medium = None
    if medium and (not strong or medium.start() <= strong.start() + 12):
        return 3, medium.group(0).lower()
    if strong:
        hedge = _G_HEDGE.search(t, seen)
        if hedge:
            return 2, hedge.group(0).lower()
        return 4, strong.group(0).lower()
    present = _G_PRESENT.search(t, seen)
    if present and not _rx(r"\s*(?:no|not|nothing)\b").match(t, present.end()):
        return 4, "present tense"
    weak = _G_WEAK.search(t, seen)
    advice = _G_ADVICE.search(t, seen)
    if weak and _rx(rf"\b{_SELF}\s+(?:\w+\s+)?(?:may|might|could|can|consider)\b").search(t):
        return 2, weak.group(0).lower()
    if weak and _G_POLICY_MAY.search(t, seen):
        return 2, weak.group(0).lower()
    if advice and _rx(r"\b(?:we|I)\s+(?:\w+\s+)?(?:recommend|encourage|urge)").search(t):
        return 1, advice.group(0).lower()
    if advice and _rx(r"\b(?:developers?|companies|labs|industry|governments?|policymakers|the\s+field)\s+"
        r"(?:\w+\s+)?(?:should|ought)").search(t):
        return 1, advice.group(0).lower()
    if not weak:
        for passive in _G_PASSIVE.finditer(t, seen):
            before = t[: passive.start()]
            if _PASSIVE_SUBJECT.search(before) and not _EMBEDDED_PASSIVE.search(before):
                return 4, "present tense"
    return None


_PREDICTING_SUBJECT = re.compile(
    r"\b(?:models?|AI|systems?|capabilities|risks?|attackers?|adversar\w+|actors?|this|it|they|"
    r"that|which|there|these|those|what|technology|progress|future|field|world|society|"
    r"researchers|people|others|competitors|developers)\s+(?:(?:\w+ly|also|then|only|soon|"
    r"still|not|already|eventually)\s+)?$",
    re.IGNORECASE,
)
_PASSIVE_DUTY = re.compile(
    r"\bwill\s+(?:also\s+)?(?:be\s+)?(?:required|subject|evaluated|tested|assessed|reviewed|"
    r"published|shared|reported|applied|implemented|deployed|conducted|restricted|paused|notified|"
    r"treated|considered|audited|updated|given|provided|logged|monitored|stored)\b",
    re.IGNORECASE,
)
_EFFECT_VERB = re.compile(
    r"\bwill\s+(?:also\s+)?(?:help|allow|enable|let|make\s+it|keep\s+being|already|serve|result|"
    r"depend|vary|differ|remain\s+(?:uncertain|unclear|possible))\b",
    re.IGNORECASE,
)
_BELIEF_CUE = re.compile(
    r"\b(?:believes?|think|thinks|hope|hopes|expect\s+that|expects\s+that|anticipate|anticipates|"
    r"do\s+not\s+expect|don['’]t\s+expect|"
    r"guess|predict|predicts|suspect|likely\s+that|possible\s+that)\b",
    re.IGNORECASE,
)


_CONDITION_OPENER = re.compile(r"\b(?:if|when|whenever|once|unless|where)\b[^,]*$", re.IGNORECASE)
"""A belief inside a condition ("if we have grounds to believe that X, we will Y"): the "will"
after it is the consequence the author binds itself to, not part of the belief."""


_MOTIVATING_BELIEF = re.compile(
    r"^(?:(?:because|since|as|given\s+that)\s+(?:we|I)\s+(?:\w+\s+)?|"
    r"(?:if|when|whenever|once|where|unless)\s+(?:we|I)\s+(?:[\w-]+\s+){0,4}?)"
    r"(?:believe|think|expect|anticipate|know|recogni[sz]e|acknowledge|judge|feel)\b[^.;:]*?,\s*"
    rf"(?=(?:{_SELF}|I)\s)",
    re.IGNORECASE,
)
"""A belief given as the reason for what follows ("Because we believe X, we will Y") or as its
condition ("If we have grounds to believe X, we will Y"): the main clause binds."""


def _main_clause_after_belief(t: str) -> str | None:
    """The main clause of a sentence whose belief only motivates it ("Because we believe X,
    we will Y" → "we will Y"), or None when the belief is what the sentence states."""
    m = _MOTIVATING_BELIEF.match(t)
    return t[m.end():] if m else None


def _first_strong(t: str, seen: str) -> re.Match[str] | None:
    """The first binding modal that is not a forecast ("will likely", "will become").

    A "will" binds the author when its subject is the author, a body of the author's, or a
    policy object ("the Scorecard will be updated"); it predicts when its subject is the world
    ("AI systems will", "which will", "this will help") or when a belief opens the clause
    ("Anthropic believes that they will", "our guess is that ASL-4 will").
    """
    for m in _G_STRONG.finditer(t, seen):
        word = m.group(0).lower()
        before = t[: m.start()]
        if word.startswith("will") or word.endswith("ll"):
            if _FORECAST_AFTER_WILL.match(t, m.start()) or _EFFECT_VERB.match(t, m.start()):
                continue
            clause = re.split(r"[.;:]", before)[-1]
            cue = _BELIEF_CUE.search(clause)
            if cue and not (_CONDITION_OPENER.search(clause[: cue.start()])
                            and "," in clause[cue.end():]):
                continue
            if _PREDICTING_SUBJECT.search(before) and not _PASSIVE_DUTY.match(t, m.start()):
                continue
        if word.startswith(("is ", "are ", "be ")) and _rx(r"\b(?:would|could|might)\s+$").search(
            before
        ):
            continue  # "would be required" conditions or predicts
        if word.startswith("require") and not _rx(
            r"(?<!\bthat\s)(?<!\bwhich\s)\b(?:we|I|policy|framework|this)\s+(?:\w+\s+)?require"
        ).search(t[: m.end()]) and not _rx(
            r"require[sd]?\s+(?:that|us|all|each|every|both)\b"
        ).search(t[m.start():]):
            continue
        if word == "cannot" and not _rx(rf"\b{_SELF}\s+cannot\b").search(t):
            continue
        return m
    return None


def is_definition(text: str, section: str) -> bool:
    """A threshold or capability-level definition ("CBRN-4: The ability to ...")."""
    t = _clean(text)
    return _is_definition(t, fold(t), section)


def _is_definition(t: str, seen: str, section: str) -> bool:
    if _OPENING_BELIEF.match(t):
        return False
    level = _G_LEVEL.search(t, seen)
    if not level:
        label = _LABEL_COLON.match(t)
        return bool(
            label
            and (_rx(r"threshold|capabilit|level|CCL|red\s+line").search(section)
                 or _THRESHOLD_LABEL.search(label.group(0)))
            and (_DEFINES.search(t) or _LABEL_DEFINES.search(t))
        )
    if _G_SPECULATIVE.search(t, seen):
        return False
    if _DEFINES.search(t):
        return True
    return bool(_LABEL_COLON.match(t) and level.start() < 40 and len(t.split()) >= 8)


# -- categories and codebook ----------------------------------------------------------------------


def text_categories(text: str) -> set[str]:
    """The lexicon categories whose rules match ``text`` (the classifier's own judgement)."""
    return lexicon_categories([text])


@lru_cache(maxsize=4096)
def _section_categories(section: str) -> frozenset[str]:
    return frozenset(text_categories(section)) if section else frozenset()


@cache
def _gated_unions() -> tuple[tuple[str, Gated, tuple[Gated, ...]], ...]:
    """The lexicon's category alternations (as :func:`text_categories` searches them), gated,
    each with its rules' patterns gated one by one: an alternation can only match where one of
    its patterns can, and its gate alone lets through many sentences none of them can."""
    rules: dict[str, list[Gated]] = {}
    for rule in load_lexicon().rules:
        rules.setdefault(rule.category, []).extend(
            Gated(re.compile(p.pattern, re.IGNORECASE)) for p in rule.patterns)
    return tuple((cat, Gated(union), tuple(rules.get(cat, ())))
                 for cat, union in category_unions(load_lexicon()))


def _own_categories(t: str, seen: str) -> set[str]:
    """:func:`text_categories` of one sentence (``seen``: its :func:`fold`)."""
    return {cat for cat, union, rules in _gated_unions()
            if union.possible(seen) and any(r.possible(seen) for r in rules)
            and union.pattern.search(t)}


def categorise(text: str, section: str) -> tuple[str, tuple[str, ...]]:
    """(primary, all) categories of a commitment: its own words first, then its section's."""
    return _categorise(text, fold(text), section)


def _categorise(text: str, seen: str, section: str) -> tuple[str, tuple[str, ...]]:
    own = _own_categories(text, seen)
    from_section = set(_section_categories(section))
    pool = own or from_section
    if not pool:
        return "governance", ("governance",)
    primary = next(c for c in CATEGORY_ORDER if c in pool)
    allc = tuple(c for c in CATEGORY_ORDER if c in own | from_section)
    return primary, allc


def codebook_code(text: str, category: str, categories: tuple[str, ...], *, definition: bool) -> str:
    """The coders' EC1–EC6 / G / S / M code, with the stratum rule.

    A security, governance or mitigation commitment expressed as the consequence of an
    evaluation result ("once evaluations show X, we will implement ASL-3 security") is EC6.
    """
    t = _clean(text)
    return _codebook(t, fold(t), category, categories, definition=definition)


def _codebook(t: str, seen: str, category: str, categories: tuple[str, ...], *,
              definition: bool) -> str:
    conditional = bool(_G_RESULT_CONDITION.search(t, seen))
    if definition or category == "thresholds":
        return "EC2"
    if category == "response":
        return "EC6"
    if category == "publication":
        return "EC5"
    if category in ("mitigations", "governance") and conditional:
        return "EC6"
    if category == "evaluations":
        if _G_THIRD_PARTY.search(t, seen):
            return "EC4"
        if _G_TRIGGER.search(t, seen):
            return "EC2"
        return "EC3"
    if category == "mitigations":
        return "S" if _G_SECURITY.search(t, seen) else "M"
    if category == "governance":
        return "EC4" if _G_THIRD_PARTY.search(t, seen) else "G"
    if category in ("scope", "alignment"):
        if "evaluations" in categories or _G_DOMAINS.search(t, seen):
            return "EC1"
        return "M" if category == "alignment" else "EC1"
    return "G"


def quantities_of(text: str) -> tuple[str, ...]:
    """Levels, percentages, multipliers, durations and cadences named, in order, deduplicated."""
    clean = _clean(text)
    return _quantities(clean, fold(clean))


def _quantities(clean: str, seen: str) -> tuple[str, ...]:
    out: list[str] = []
    if not (any(w in seen for w in _QUANTITY_WORDS) or _DIGIT.search(clean)):
        return ()  # many sentences name no quantity; the full pattern is the costly part
    for m in _QUANTITY.finditer(clean):
        q = " ".join(m.group(0).split())
        if q not in out:
            out.append(q)
    return tuple(out)


def cut_words(text: str, limit: int = MAX_WORDS) -> str:
    """``text`` with at most ``limit`` words, cut at a word boundary with "…"."""
    words = text.split()
    if len(words) <= limit:
        return " ".join(words)
    return " ".join(words[:limit]) + "…"


# -- extraction -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Candidate:
    sentence: Sentence
    section: str
    strength: int
    word: str
    definition: bool
    category: str
    categories: tuple[str, ...]
    text: str  # the sentence cleaned (``_clean``)


def _candidate(s: Sentence) -> _Candidate | None:
    if s.heading:
        return None
    found = _judge_sentence(s.text, s.section)
    return None if found is None else _Candidate(s, *found)


@lru_cache(maxsize=1024)
def _section_reading(section_path: tuple[str, ...]) -> tuple[str, bool, bool]:
    """(section, excluded, in recommendations) of a section path: judged once per section,
    not once per sentence."""
    section = " > ".join(section_path)
    excluded = bool(section and (
        _NON_NORMATIVE_SECTION.search(section.split(" > ")[-1])
        or _ASPIRATIONAL_SECTION.search(section)
    ))
    in_rec = bool(section and _RECOMMENDATION_SECTION.search(section))
    return section, excluded, in_rec


@lru_cache(maxsize=16384)
def _judge_sentence(
    raw: str, section_path: tuple[str, ...]
) -> tuple[str, int, str, bool, str, tuple[str, ...], str] | None:
    """(section, strength, word, definition, category, categories, cleaned text) of a
    commitment, or None.

    Cached: consecutive versions share almost all their sentences, and the classifier asks
    about the same sentences the ledger extracts."""
    text = _clean(raw)
    if text[:1].islower() and not _LOWER_MARKER.match(text):
        return None  # the tail of a sentence a page break cut, not a statement
    words = text.split()
    if len(words) < 5:
        return None
    seen = fold(text)
    if (
        _G_TOC.search(text, seen)
        or _FOOTNOTE_LINE.match(text)
        or _G_TERM_DEFINITION.search(text, seen)
        or _EXAMPLE_OPENER.match(text)  # an illustration of a rule, not a rule
    ):
        return None
    section, excluded, in_rec = _section_reading(section_path)
    if excluded:
        return None
    found = _strength(text, in_rec, seen)
    if found is not None and not_a_commitment(text, *found):
        found = None  # a value, hope or description of the document: it may still define a level
    definition = False
    if (
        found is None
        and _is_definition(text, seen, section)
        and not not_a_commitment(text, 4, "defines")
    ):
        found = (4, "defines")
        definition = True
    if found is None and _IMPERATIVE_ITEM.match(text) and _PLAN_SECTION.search(section):
        found = (1 if in_rec else 4, "imperative")
    if found is None:
        return None
    category, categories = _categorise(text, seen, section)
    if definition:
        category = "thresholds"
        categories = ("thresholds", *(c for c in categories if c != "thresholds"))
    return section, found[0], found[1], definition, category, categories, text


_MADE_COMMITMENT = re.compile(r"\s+(?:a\s+|the\s+)?(?:[\w-]+\s+)?commitments?\b", re.IGNORECASE)
"""After "we made": a commitment given, which still stands, not an event recounted."""


@lru_cache(maxsize=16384)
def asserts_nothing(raw: str) -> bool:
    """Whether a sentence in which a modal was found commits its author to nothing on the
    codebook's reading: a past event or belief recounted, a forecast, a description of the
    document or of a revision, a value, another actor's duty, an example.

    Only the reader's judgements of what a sentence *says* count here, not its structural
    filters (a footnote, a fragment cut by a page break, a short item still bind)."""
    text = _clean(raw)
    seen = fold(text)
    if _EXAMPLE_OPENER.match(text):
        return True
    if _QUESTION.search(text) or (
        _G_BELIEF.search(text, seen) and _main_clause_after_belief(text) is None
    ):
        return True
    past = _G_PAST_REPORT.search(text, seen)
    if past and not _MADE_COMMITMENT.match(text, past.end()):
        return True  # "In 2023 we released our policy, a commitment not to ...": history
    found = _strength(text, False, seen)
    if found is None:
        # Every modal a "will" that only forecasts or states an effect ("will depend on",
        # "will result in", "will likely"): no one is bound.
        wills = list(_G_STRONG.finditer(text, seen))
        return bool(wills) and all(
            m.group(0).lower() == "will"
            and (_FORECAST_AFTER_WILL.match(text, m.start()) or _EFFECT_VERB.match(text, m.start()))
            for m in wills
        )
    return not_a_commitment(text, *found)


def is_recommendation_section(section: str) -> bool:
    """A part that recommends to others ("Recommendations for Industry") rather than binds."""
    return bool(section and _RECOMMENDATION_SECTION.search(section))


_LIST_LEAD = re.compile(r"(?:\bthe\s+following\b[^.:]*\.?|:)\s*\d{0,2}\s*$", re.IGNORECASE)
"""A sentence that opens a list: "... the following measures.", "... meets five criteria:3"
(a footnote marker may follow the colon)."""


_BARE_MARKER = re.compile(r"^\s*(?:[●•▪◦○■□➢►–*-]|\(?(?:\d{1,2}|[a-z]|[ivx]{1,4})[.)])\s*$")
"""A list marker the segmentation keeps as its own token ("1.", "(b)", "•")."""


def enumerations(sentences: list[Sentence]) -> tuple[dict[int, Sentence], bool]:
    """The list items among ``sentences`` that a commitment introduces, each (by ``id``) with
    that commitment; and whether a list item opens ``sentences`` (its lead-in, if any, would
    come before them).

    "We treat a capability as tracked if it meets five criteria:" followed by "1. Plausible:
    ..." — the items are the operative content of the commitment (codebook enumeration rule):
    each binds as the lead-in does, modal or not. An item runs over its paragraph; a list ends
    at a heading, a new section or a paragraph that is no item.
    """
    out: dict[int, Sentence] = {}
    lead: Sentence | None = None
    item_para = -1
    opens_with_item = False
    first = True
    for s in sentences:
        if s.heading:
            lead, first = None, False
            continue
        is_item = bool(_ITEM.match(s.text) or _BARE_MARKER.match(s.text))
        if first:
            opens_with_item, first = is_item, False
        if lead is not None and s.section == lead.section and (is_item or s.para == item_para):
            out[id(s)] = lead
            item_para = s.para
            continue
        if lead is not None and s.para == lead.para and not is_item:
            continue  # the lead-in's own paragraph goes on
        lead = s if _LIST_LEAD.search(s.text) and commits(s) else None
        item_para = -1
    return out, opens_with_item


def commits(s: Sentence) -> bool:
    """Whether a segmented sentence is a commitment by the definitions above."""
    return _candidate(s) is not None


def commitment_word(s: Sentence) -> str:
    """The word that makes ``s`` a commitment ("will", "present tense", "defines"), or ""."""
    cand = _candidate(s)
    return cand.word if cand else ""


def extract_commitments(text: str) -> list[Commitment]:
    """The commitments of one version's extracted text, in document order.

    Headings ("#"), bullets ("- ") and paragraphs are read through the differ's segmentation, so
    page furniture, running headers and table-of-contents lines never become commitments.
    """
    out: list[Commitment] = []
    seen: set[str] = set()
    seen_text: set[str] = set()
    prev: _Candidate | None = None
    lead_in: _Candidate | None = None  # a commitment introducing a list ("the following:")
    item_para = -1  # the paragraph of the list's last bulleted item, once it has one
    changelog = False  # inside the document's own version history: it reports, it binds nothing
    for s in segment(text):
        if s.heading:
            lead_in, item_para = None, -1
            changelog = in_changelog(s.text, changelog)
            continue
        if changelog:
            continue
        is_item = bool(_ITEM.match(s.text))
        if lead_in is not None and not is_item and item_para >= 0 and s.para != item_para:
            lead_in = None  # a paragraph after the bulleted items: the list is over
        if lead_in is not None and (is_item or not _OWN_SUBJECT.search(s.text)):
            # An enumeration under a commitment ("we commit to the following security themes")
            # is that commitment's operative content: the list is what is committed to, one
            # commitment (codebook enumeration rule). Its items are bullets or, where a PDF lost
            # the bullets, impersonal requirements ("Storage of weights must be centralized").
            if is_item:
                item_para = s.para  # an item's further sentences share its paragraph
            continue
        cand = _candidate(s)
        if cand is None:
            if len(s.words) >= 5:
                prev = None
            continue
        if (
            prev is not None
            and prev.sentence.para == cand.sentence.para
            and prev.section == cand.section
            and not cand.definition
            and _ELABORATION.match(cand.text)
        ):
            # An elaboration of the obligation just stated ("This means that we will ..."):
            # the coders count the obligation once.
            continue
        if _opens_list(cand.text):
            # Its list runs to the next heading, or past its bulleted items to the next
            # paragraph; without bullets (a PDF lost them) to the next sentence with a subject.
            lead_in, item_para = cand, -1
        prev = cand
        quoted = cut_words(cand.text)
        norm_text = normalise(quoted)
        cid = _commitment_id(_section_key(cand.section), norm_text)
        if cid in seen or norm_text in seen_text:
            continue
        seen.add(cid)
        seen_text.add(norm_text)
        qt = _clean(quoted)
        qseen = fold(qt)
        out.append(
            Commitment(
                id=cid,
                text=quoted,
                section=cand.section,
                category=cand.category,
                categories=cand.categories,
                codebook=_codebook(
                    qt, qseen, cand.category, cand.categories, definition=cand.definition
                ),
                seoul=seoul_for(cand.categories),
                strength=cand.strength,
                strength_word=cand.word,
                quantities=_quantities(qt, qseen),
            )
        )
    return drop_restatements(out)
