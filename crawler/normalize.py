"""Text normalisation shared by every extractor.

Versions are compared by the sha256 of their text, so two renders of the same words must give
byte-identical text: a CMS swapping straight quotes for curly ones, a PDF engine emitting a
ligature or a soft hyphen, or a template adding a non-breaking space must not look like a change
in a company's commitments. Everything here is about erasing such rendering noise and nothing
else; wording, numbers and punctuation that carry meaning are kept.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from crawler.patterns import compile_pattern, sub_bounded

__all__ = ["normalize_text", "apply_ignore", "tidy_lines", "compile_ignore", "canonical_link"]

# Removed outright: they are invisible when rendered, and generators insert them at will.
# U+00AD (soft hyphen) only shows at a line break the reader never sees in our output.
# A zero-width space that stands between two words is a space (see _zero_width_spaces).
_INVISIBLE_CHARS = "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e"
_INVISIBLE = re.compile(f"[{_INVISIBLE_CHARS}]")
_INVISIBLE_BUT_ZWSP = re.compile("[\u200c\u200d\u2060\ufeff\u00ad\u180e]")
# A run of word characters with zero-width spaces inside it ("We\u200bwill\u200bshare").
_ZWSP_TOKEN = re.compile(r"\w+(?:\u200b+\w+)+")
_ZWSP = re.compile("\u200b+")
_WORD = re.compile(r"\w+")
# Scripts written without spaces: there a zero-width space marks a line-break opportunity
# between words that are shown run together, so it is dropped, never widened.
_UNSPACED = re.compile(
    "[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uf900-\ufaff]")


def _zero_width_spaces(text: str) -> str:
    """``text`` with each zero-width space that separates two words made a space, and every
    other one (a break hint inside a word: "accountabil\u200bity") removed.

    Some PDF generators and pages put U+200B where a space goes; deleting it glues the words
    ("Wewillshare"). Inside a word it is a hyphenation-free break hint. The text itself is the
    dictionary: the zero-width space separates words when the two halves written together are
    not a word of the text, and either half is one (it stands alone somewhere in the text) or
    the run holds several zero-width spaces (a phrase, not a word broken once).
    """
    if "\u200b" not in text:
        return text
    known = {w.casefold() for w in _WORD.findall(_ZWSP_TOKEN.sub(" ", text))}

    def resolve(m: re.Match[str]) -> str:
        parts = _ZWSP.split(m.group(0))
        out = [parts[0]]
        for left, right in zip(parts, parts[1:], strict=False):
            separates = (
                not _UNSPACED.match(left[-1]) and not _UNSPACED.match(right[0])
                and (left + right).casefold() not in known
                and (left.casefold() in known or right.casefold() in known or len(parts) > 2)
            )
            out.append((" " if separates else "") + right)
        return "".join(out)

    return _ZWSP_TOKEN.sub(resolve, text)

# Applied after NFKC (which already folds ligatures, full-width forms, ellipses and the
# compatibility spaces U+2000..U+200A, U+202F, U+3000 into ASCII).
_FOLD_MAP = {
    # Quotes: typography, not wording.
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u02bc": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u00ab": '"', "\u00bb": '"',
    # Dashes and minus signs all become "-". Spacing around them is kept as written
    # (and then collapsed), so "2023-2024" and "risk - and" each stay stable.
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-",
    "\u2015": "-", "\u2212": "-", "\ufe58": "-", "\ufe63": "-",
    # NFKC leaves these alone; they are spaces to a reader.
    "\u00a0": " ", "\u1680": " ",
    # Bullets that PDF engines and CMSs use interchangeably.
    "\u2022": "-", "\u25cf": "-", "\u25aa": "-", "\u2023": "-", "\u2043": "-",
    "\u25e6": "-", "\u2219": "-",
}
# A regex with a dict lookup, not str.translate: translate walks every character in Python
# (~1.3 ms for 32 KB) while the regex scan is C and these characters are rare.
_FOLD = re.compile("[" + re.escape("".join(_FOLD_MAP)) + "]")

# Printable ASCII and the whitespace every text has: what ``rare_chars`` leaves out.
_COMMON_BYTES = bytes(range(0x20, 0x7F)) + b"\t\n\r"


def rare_chars(text: str) -> str:
    """The characters of ``text`` other than printable ASCII, tab, newline and carriage return,
    in order: every control character and every non-ASCII character it holds.

    The passes below ask only whether a text holds such characters, and which: asked of this
    (nearly always a few characters) instead of the whole text, with the same answer. Deleting
    the common bytes from the UTF-8 form is one C pass, ~10x faster than a regular-expression
    scan of 30-80 KB; no multi-byte sequence holds an ASCII byte, so what is left decodes to
    exactly the rest."""
    data = text.encode("utf-8", "surrogatepass").translate(None, _COMMON_BYTES)
    return data.decode("utf-8", "surrogatepass")


def _fold(match: re.Match[str]) -> str:
    return _FOLD_MAP[match.group()]


def tidy_lines(text: str) -> str:
    """Collapse whitespace inside lines and allow at most one blank line between blocks.

    Split out of :func:`normalize_text` because removing ``ignore`` matches can leave empty
    lines or double spaces behind, and those must be tidied the same way again.
    """
    return _tidy(text, _OTHER_WHITESPACE_ASCII if text.isascii() else _OTHER_WHITESPACE)


def _tidy(text: str, others: tuple[str, ...]) -> str:
    """``tidy_lines`` for text that may hold, of the whitespace besides space, tab, newline and
    carriage return, only the characters ``others`` (callers that folded the rest pass fewer).

    Text without runs of spaces or tabs (extractors collapse whitespace inside blocks, so nearly
    every page) is tidied with ``str.replace``, several times faster than a Python loop over
    its lines; other text takes that loop, ``_tidy_lines_by_line``, the reference.
    """
    if "  " in text or "\t" in text or any(c in text for c in others):
        return _tidy_lines_by_line(text)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        if "  " in text:
            return _tidy_lines_by_line(text)
    if " \n" in text:
        text = text.replace(" \n", "\n")
    if "\n " in text:
        text = text.replace("\n ", "\n")
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    text = text.strip(" \n")
    return text + "\n" if text else ""


# Characters that ``str.split`` and ``str.splitlines`` treat as whitespace or line ends,
# other than space, tab, newline and carriage return.
_OTHER_WHITESPACE_ASCII = ("\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x1f")
_OTHER_WHITESPACE = (*_OTHER_WHITESPACE_ASCII, "\x85", "\xa0", "\u1680",
                     *map(chr, range(0x2000, 0x200B)), "\u2028", "\u2029", "\u202f", "\u205f",
                     "\u3000")
# What can be left of them once strip_controls, NFKC and the fold have run.
_UNFOLDED_WHITESPACE = ("\u2028", "\u2029")


def _tidy_lines_by_line(text: str) -> str:
    out: list[str] = []
    blank = True  # drops leading blank lines
    for line in text.splitlines():
        words = line.split()
        if words:
            out.append(" ".join(words))
            blank = False
        elif not blank:
            out.append("")
            blank = True
    while out and not out[-1]:
        out.pop()
    return "\n".join(out) + "\n" if out else ""


# Terminal escape sequences a hostile page may carry (the raw snapshot keeps them; the text
# never does): CSI "ESC[2J", OSC "ESC]0;title BEL" and OSC 8 hyperlinks (their payload goes
# too), DCS/SOS/PM/APC strings, two-character escapes; and their 8-bit C1 forms.
_ESCAPES = re.compile(
    "\x1b\\[[0-?]*[ -/]*[@-~]?"
    "|\x1b\\][^\x07\x1b\x9c]*(?:\x07|\x1b\\\\|\x9c)?"
    "|\x1b[PX^_][^\x1b\x9c]*(?:\x1b\\\\|\x9c)?"
    "|\x1b[ -/]*[0-~]?"
    "|\x9b[0-?]*[ -/]*[@-~]?"
    "|\x9d[^\x07\x1b\x9c]*(?:\x07|\x9c)?"
    "|[\x90\x98\x9e\x9f][^\x1b\x9c]*(?:\x1b\\\\|\x9c)?")
# Controls that end a line for str.splitlines() become newlines (a PDF's form feed between
# pages); every other C0 control but tab, and DEL and the C1 controls, are dropped.
_LINE_CONTROLS = re.compile("[\x0b\x0c\x1c-\x1e\x85]")
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1b\x1f\x7f-\x84\x86-\x9f]")
_ANY_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def strip_controls(text: str, rare: str | None = None) -> str:
    """``text`` without terminal escape sequences or control characters (tab, newline and
    carriage return stay; line-ending controls become newlines). ``rare``: its
    :func:`rare_chars`, when the caller has them."""
    if not _ANY_CONTROL.search(rare_chars(text) if rare is None else rare):
        return text
    text = _ESCAPES.sub("", text)
    return _CONTROLS.sub("", _LINE_CONTROLS.sub("\n", text))


def normalize_text(text: str) -> str:
    """Fold rendering noise out of ``text`` so equal words give byte-equal text.

    No control characters or terminal escapes, NFKC, straight quotes, one dash, no zero-width
    characters or soft hyphens (a zero-width space between two words becomes a space), plain
    spaces, whitespace collapsed within lines, no trailing
    spaces, at most one blank line between blocks, and exactly one trailing newline (none for
    empty text).
    """
    if text.isascii():  # the common case for English pages: only controls and whitespace to do
        return _tidy(strip_controls(text), ())  # no line-ending control is left but \n and \r
    rare = rare_chars(text)
    if _ANY_CONTROL.search(rare):
        text = strip_controls(text, rare)
        rare = rare_chars(text)
    # Most pages hold a few distinct non-ASCII characters: one look at them decides which of
    # the passes below have anything to do, instead of each pass scanning the whole text.
    found = {c for c in rare if c > "\x7f"}
    if not found.isdisjoint(_INVISIBLE_CHARS):
        text = _zero_width_spaces(_INVISIBLE_BUT_ZWSP.sub("", text))
        text = _INVISIBLE.sub("", text)
    normalized = unicodedata.normalize("NFKC", text)
    if normalized != text:
        found = {c for c in rare_chars(normalized) if c > "\x7f"}
    if not found.isdisjoint(_FOLD_MAP):
        normalized = _FOLD.sub(_fold, normalized)
    return _tidy(normalized, tuple(c for c in _UNFOLDED_WHITESPACE if c in found))


def compile_ignore(patterns: Iterable[str]) -> list[str]:
    """Check that every ``ignore`` regex compiles (multiline, so ``^``/``$`` mean line edges),
    with the engine that runs it (crawler.patterns). Returns the patterns.

    Raises ValueError naming the bad pattern, so a config error reads as one.
    """
    checked = []
    for pattern in patterns:
        try:
            compile_pattern(pattern, True)
        except ValueError as exc:
            raise ValueError(f"invalid ignore pattern {pattern!r}: {exc}") from exc
        checked.append(pattern)
    return checked


def apply_ignore(text: str, patterns: Iterable[str]) -> str:
    """Delete every match of the source's ``ignore`` regexes, then tidy whitespace again.

    Used for volatile fragments ("Last updated ...", view counters) that would otherwise make
    every fetch a new version. Patterns run against normalised text, so they can be written
    with straight quotes and "-" dashes. Each runs with a time bound: PatternTimeout names the
    pattern that took too long.
    """
    checked = compile_ignore(patterns)
    if not checked:
        return text
    for pattern in checked:
        text = sub_bounded(pattern, text)
    return tidy_lines(text)


# --- links ------------------------------------------------------------------------------------

# Query parameters that never name a document: campaign tracking, click ids, analytics
# cookies echoed into links, sessions, nonces, CSRF tokens and cache-busters.
_VOLATILE_PARAMS = frozenset("""
    gclid gclsrc dclid fbclid msclkid yclid twclid ttclid li_fat_id igshid mc_cid mc_eid _ga _gl
    _hsenc _hsmi __hstc __hssc __hsfp hsctatracking mkt_tok spm trk trkcampaign sc_cid cmpid
    s_kwcid ncid wt.mc_id oly_enc_id oly_anon_id vero_id rb_clickid si ref ref_src referrer
    s sid ssid session sessionid session_id phpsessid jsessionid aspsessionid cfid cftoken
    token nonce _wpnonce wpnonce csrf csrf_token csrftoken _token authenticity_token state
    cb cachebuster cache_buster cache nocache _ t ts timestamp time rnd rand random
""".split())
# Parameters that say which document a link is: never dropped, whatever their value looks like.
_IDENTIFYING_PARAMS = frozenset("""
    id ids doc docid doc_id document documentid file filename name seq p page page_id pageid
    post postid post_id article articleid item itemid slug path v ver version rev revision
    lang locale hl type format year edition report key q
""".split())
_HEX_TOKEN = re.compile(r"[0-9a-fA-F-]{16,}")
_OPAQUE_TOKEN = re.compile(r"[A-Za-z0-9_+/=.-]{24,}")
_EPOCH = re.compile(r"1\d{9}(?:\d{3})?")


def _looks_random(value: str) -> bool:
    """A per-request value: a long hex string or UUID, an opaque base64-ish token, an epoch."""
    if _EPOCH.fullmatch(value):
        return True
    if _HEX_TOKEN.fullmatch(value) and any(c.isdigit() for c in value):
        return True
    return bool(_OPAQUE_TOKEN.fullmatch(value)) and any(c.isdigit() for c in value) \
        and any(c.isupper() for c in value) and any(c.islower() for c in value)


def canonical_link(url: str) -> str:
    """The URL that identifies a linked document: no fragment, no volatile query parameters.

    Index and follow sources compare links by URL, so a link whose query string rotates per
    request (a nav link carrying ``?s=<session>``, a ``?utm_source=`` campaign, a
    ``?_=1733000000000`` cache-buster) must not read as "new document published" every day.
    The rule, parameter by parameter:

    - a parameter that identifies a document (``id``, ``seq``, ``name``, ``doc``, ``file``,
      ``page``, ``version``, ``lang``, …) is always kept, whatever its value;
    - a known tracking, session, nonce or cache-busting parameter (``utm_*``, ``gclid``,
      ``fbclid``, ``s``, ``sid``, ``PHPSESSID``, ``token``, ``nonce``, ``_``, ``ts``, …) is
      dropped;
    - any other parameter is dropped only if its value looks random (a 16+ character hex
      string or UUID, a 24+ character mixed-case token with digits, a Unix timestamp), and
      kept otherwise, so an unknown ``?report=q3`` still tells documents apart.

    Kept parameters stay exactly as written and in their order, so a URL without volatile
    parameters is returned unchanged (less its fragment).
    """
    from urllib.parse import unquote_plus

    url = url.split("#", 1)[0]
    if "?" not in url:
        return url
    base, query = url.split("?", 1)
    kept = []
    for segment in query.split("&"):
        if not segment:
            continue
        name, _, value = segment.partition("=")
        key = unquote_plus(name).strip().lower()
        if key in _IDENTIFYING_PARAMS:
            kept.append(segment)
        elif key in _VOLATILE_PARAMS or key.startswith(("utm_", "utm-", "pk_", "mtm_")):
            continue
        elif not _looks_random(unquote_plus(value)):
            kept.append(segment)
    return f"{base}?{'&'.join(kept)}" if kept else base
