"""HTML -> structured plain text: headings, list items, table rows and paragraphs.

This is the hot path of the daily cycle (about a thousand pages of 30-80 KB), so it uses lxml's
tree and compiled XPath directly: BeautifulSoup's tree costs ~15 ms a page where lxml costs
under 1 ms. CSS selectors from sources.toml are translated once by cssselect
and cached. The tree is walked with ``etree.iterwalk`` (iterative, in C), never by recursion, so
a 10,000-level-deep page cannot blow the Python stack.

The output keeps just enough structure for the differ's section paths (``#`` headings) and for
readable diffs (``- `` items, ``cell | cell`` rows), and nothing that changes between renders of
the same words: no link targets, no image sources, no attributes.
"""

from __future__ import annotations

import codecs
import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice

from cssselect import HTMLTranslator, SelectorError
from lxml import etree
from lxml import html as lxml_html

from crawler.extract_errors import ExtractError
from crawler.normalize import rare_chars

__all__ = ["CleanTree", "HtmlText", "clean_tree", "compile_selector", "decode_body",
           "extract_html", "parse_html"]


@dataclass(frozen=True, slots=True)
class HtmlText:
    """Un-normalised text of an HTML page (the caller normalises and applies ``ignore``)."""

    text: str
    title: str
    select_matched: bool
    warnings: tuple[str, ...]


# ---------------------------------------------------------------------------------------------
# Charset
# ---------------------------------------------------------------------------------------------

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: same first two bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([\w.:-]+)""", re.I)
_META_CHARSET = re.compile(rb"""<meta[^>]+?charset\s*=\s*["']?\s*([\w.:-]+)""", re.I)
# WHATWG Encoding Standard: these labels all mean windows-1252 on the web.
_WEB_ALIASES = {"latin1": "cp1252", "iso8859-1": "cp1252", "ascii": "cp1252"}


def _codec(label: str | bytes | None) -> str | None:
    """Map a charset label to a Python codec name, as browsers would read it; None if unknown."""
    if not label:
        return None
    if isinstance(label, bytes):
        label = label.decode("ascii", "replace")
    try:
        name = codecs.lookup(label.strip().strip("\"'")).name
    except LookupError:
        return None
    return _WEB_ALIASES.get(name, name)


def decode_body(body: bytes, content_type: str | None, *, sniff_meta: bool) -> tuple[str, str]:
    """Decode bytes the way a browser would; return (text, codec used).

    Precedence follows the HTML standard: byte-order mark, then the Content-Type charset, then
    ``<meta charset>`` in the first 4 KiB, then UTF-8 if the bytes are valid UTF-8, else
    windows-1252. Invalid bytes become U+FFFD rather than an exception: one bad byte on a
    policy page must not stop the page from being watched.
    """
    for bom, name in _BOMS:
        if body.startswith(bom):
            return body[len(bom) :].decode(name, "replace"), name
    declared = None
    if content_type:
        match = _HEADER_CHARSET.search(content_type)
        declared = _codec(match.group(1)) if match else None
    if declared is None and sniff_meta:
        match = _META_CHARSET.search(body[:4096])
        declared = _codec(match.group(1)) if match else None
        if declared and declared.startswith(("utf-16", "utf-32")):
            declared = "utf-8"  # a meta tag readable as ASCII cannot be in UTF-16; spec says so
    if declared:
        return body.decode(declared, "replace"), declared
    try:
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return body.decode("cp1252", "replace"), "cp1252"


# ---------------------------------------------------------------------------------------------
# Selectors
# ---------------------------------------------------------------------------------------------

_translator = HTMLTranslator()


def _split_top_level(text: str) -> list[str]:
    """Split a selector list on the commas that are not inside brackets, parens or quotes."""
    parts, depth, quote, start = [], 0, "", 0
    for i, ch in enumerate(text):
        if quote:
            if ch == quote and text[i - 1] != "\\":
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p.strip() for p in parts]


def _expand_not_lists(selector: str) -> str:
    """``:not(.x, .y)`` -> ``:not(.x):not(.y)``, which means the same (Selectors Level 4).

    cssselect only takes one selector inside ``:not()``; browsers and soupsieve take a list.
    Rewriting keeps one engine (cssselect + lxml) for every selector key, for validation and for
    execution alike, without rejecting selectors that are valid CSS.
    """
    out, i = [], 0
    lower = selector.lower()
    while True:
        j = lower.find(":not(", i)
        if j < 0:
            out.append(selector[i:])
            return "".join(out)
        out.append(selector[i:j])
        depth, k, quote = 1, j + 5, ""
        while k < len(selector) and depth:
            ch = selector[k]
            if quote:
                quote = "" if ch == quote else quote
            elif ch in "\"'":
                quote = ch
            elif ch == "(":
                depth += 1
            elif ch == ")":
                depth -= 1
            k += 1
        if depth:  # unbalanced: leave it for cssselect to report
            out.append(selector[j:])
            return "".join(out)
        inner = selector[j + 5 : k - 1]
        out.extend(f":not({_expand_not_lists(part)})" for part in _split_top_level(inner))
        i = k


@lru_cache(maxsize=1024)
def compile_selector(selector: str) -> etree.XPath:
    """Translate a CSS selector to a compiled XPath once; ValueError with a message if invalid."""
    try:
        xpath = _translator.css_to_xpath(_expand_not_lists(selector))
    except SelectorError as exc:
        raise ValueError(f"invalid CSS selector {selector!r}: {exc}") from exc
    except Exception as exc:  # cssselect raises ExpressionError etc. for unsupported features
        raise ValueError(f"unsupported CSS selector {selector!r}: {exc}") from exc
    try:
        return etree.XPath(xpath)
    except etree.XPathSyntaxError as exc:  # pragma: no cover - cssselect output is valid XPath
        raise ValueError(f"invalid CSS selector {selector!r}: {exc}") from exc


@lru_cache(maxsize=256)
def _union(selectors: tuple[str, ...]) -> etree.XPath:
    """One XPath for many selectors: XPath unions return nodes in document order, for free."""
    for selector in selectors:
        compile_selector(selector)  # raises ValueError naming the bad one
    return etree.XPath(" | ".join(_translator.css_to_xpath(_expand_not_lists(s))
                                  for s in selectors))


# ---------------------------------------------------------------------------------------------
# Default boilerplate
# ---------------------------------------------------------------------------------------------

# Consent-management platforms and home-grown banners, matched in id and class.
_CONSENT = re.compile(
    "cookie|consent|gdpr|onetrust|optanon|cc-banner|cc-window|cookiebot|didomi|osano"
    "|usercentrics|termly|iubenda"
)
# Site chrome that lives in ordinary <div>s, matched as whole words of id and class: the mobile
# copy of the menu, off-canvas drawers, modals and pop-ups, skip links, share widgets,
# breadcrumbs. Whole words, so "shareholder" or "menu-of-commitments-2" are not chrome.
_CHROME = re.compile(
    r"(?:^|[\s_-])(?:mobile-?(?:menu|nav|navigation)|(?:menu|nav)-?(?:mobile|drawer|overlay|toggle)"
    r"|off-?canvas|drawer|modal|popup|pop-up|lightbox|newsletter|tooltip|popover|toast"
    r"|skip-?link|skip-?to(?:-content)?|share|sharing|social-?share|social-?links|breadcrumbs?"
    r"|site-?header|site-?footer|site-?nav|navbar|megamenu|mega-?menu|dropdown-?menu)(?=$|[\s_-])"
)
_ROLES = frozenset(("navigation", "banner", "contentinfo", "dialog", "alertdialog", "menu",
                    "menubar", "tooltip", "search"))
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden")
# Hidden outside the main content, these names still mean "collapsed document text".
_COLLAPSIBLE = re.compile(
    r"accordion|collaps|expand|read-?more|show-?more|disclosure|faq|answer|tab-?pane|tab-?panel"
    r"|panel|tab-?content|details|more-?text|full-?text"
)
_ALNUM = re.compile(r"\w")

# Cheap in XPath (C, no string functions). A <header>/<footer> is the page banner only outside
# sectioning content (the ARIA mapping); inside <article>/<main>/<section> it holds the
# document's own title or its "last updated" line.
_CHROME_TAGS = ("nav", "aside", "noscript", "template", "svg", "iframe", "form", "dialog",
                "select", "textarea")
_SECTIONING_TAGS = frozenset(("article", "main", "section", "aside"))
_CONTENT_AREAS = etree.XPath("//*[self::main or self::article or @role='main']")
_CONTROLLED = etree.XPath("//*[@aria-controls or @aria-labelledby or @data-bs-target"
                          " or @data-target]")


def _chrome_tags(root: etree._Element) -> list[etree._Element]:
    """Chrome by tag. ``iter`` by tag name runs in C and is ~10x faster than an XPath union.

    A <header>/<footer> is the page banner only outside sectioning content (the ARIA mapping);
    inside <article>/<main>/<section> it holds the document's own title or its "last updated"
    line.
    """
    found = list(root.iter(*_CHROME_TAGS))
    found.extend(el for el in root.iter("header", "footer")
                 if not any(a.tag in _SECTIONING_TAGS for a in el.iterancestors()))
    return found


def _controlled_ids(root: etree._Element) -> set[str]:
    """Ids that some trigger opens or that label a panel (aria-controls and the like)."""
    ids: set[str] = set()
    for el in _CONTROLLED(root):
        for name in ("aria-controls", "aria-labelledby", "data-bs-target", "data-target"):
            value = el.get(name)
            if value:
                ids.update(t.lstrip("#") for t in value.split())
    return ids


# Attribute tests are done in Python on this short list: XPath 1.0 has no lower-case or
# regex, and translate()-per-keyword over every element cost 6 ms a page.
_WITH_ATTRS = etree.XPath(
    "//*[@id or @class or @role or @aria-hidden or @hidden or @style or @aria-expanded]")


def _is_hidden(attrib: etree._Attrib) -> bool:
    if "hidden" in attrib or attrib.get("aria-hidden", "").strip().lower() == "true":
        return True
    style = attrib.get("style")
    return bool(style) and _HIDDEN_STYLE.search(style.lower()) is not None


def _is_chrome_by_attrs(attrib: etree._Attrib) -> bool:
    """True for navigation/banner/dialog roles, cookie banners and chrome-named containers."""
    role = attrib.get("role")
    if role and not _ROLES.isdisjoint(role.lower().split()):
        return True
    names = f"{attrib.get('id', '')} {attrib.get('class', '')}"
    return names != " " and _chrome_names(names)


@lru_cache(maxsize=4096)
def _chrome_names(names: str) -> bool:
    """Cached: a page repeats the same few class strings hundreds of times."""
    names = names.lower()
    return _CONSENT.search(names) is not None or _CHROME.search(names) is not None


def _is_collapsed_text(el: etree._Element, in_content: bool, controlled: set[str]) -> bool:
    """Is this hidden element document text that a reader would expand (accordion, tab, more)?

    Inside the main content every hidden element is, except pure decoration (an icon, a "+"):
    pages collapse their commitments behind "Read more" and tabs, and a reader who clicks sees
    them. Outside it only what is marked as a panel: a tab panel or region, the target of an
    ``aria-controls``, or a collapse/accordion class. Anything else hidden out there (a
    per-request render stamp, a hidden copy of the menu) is not the document.
    """
    if in_content:
        return _ALNUM.search(el.text_content()) is not None
    attrib = el.attrib
    role = attrib.get("role", "").lower()
    if role in ("tabpanel", "region") or el.tag == "details":
        return True
    if attrib.get("id") in controlled:
        return True
    names = f"{attrib.get('id', '')} {attrib.get('class', '')}".lower()
    return names != " " and _COLLAPSIBLE.search(names) is not None


@dataclass(slots=True)
class _Scan:
    """What one pass over the attributed elements found."""

    drop: list[etree._Element]  # chrome and hidden non-content, to remove
    content: list[etree._Element]  # the main content, in document order
    widgets: bool  # any element with a widget role or aria-expanded


_WIDGET_ROLES = frozenset(("button", "tab", "tabpanel"))


def _boilerplate(root: etree._Element, roots: list[etree._Element], selected: bool) -> _Scan:
    """Elements removed by default: site chrome, hidden non-content, consent banners.

    The main content is the selected elements, else main/article/role=main: found with
    ``iter`` by tag (C, microseconds) rather than an XPath over every element.
    """
    with_attrs = _WITH_ATTRS(root)
    if selected:
        content = list(roots)
    elif any(el.get("role") == "main" for el in with_attrs):
        content = list(_CONTENT_AREAS(root))
    else:
        content = list(root.iter("main", "article"))
    areas = set(content)
    found = _chrome_tags(root)
    controlled: set[str] | None = None
    widgets = False
    for el in with_attrs:
        attrib = el.attrib
        if not widgets and (attrib.get("role") in _WIDGET_ROLES or "aria-expanded" in attrib):
            widgets = True
        if _is_chrome_by_attrs(attrib):
            found.append(el)
        elif _is_hidden(attrib):
            in_content = el in areas or any(a in areas for a in el.iterancestors())
            if controlled is None and not in_content and "id" in attrib:
                controlled = _controlled_ids(root)  # once, and only if an id can be looked up
            if not _is_collapsed_text(el, in_content, controlled or set()):
                found.append(el)
    # Skip links come first in the page, before anything else one could tab to.
    for a in islice(root.iter("a"), 4):
        if (a.get("href") or "").startswith("#") \
                and a.text_content().strip().lower().startswith("skip to"):
            found.append(a)
    return _Scan(found, content, widgets)


# --- buttons, summaries and tabs: the words of collapsible widgets ----------------------------

_TRIGGERS = etree.XPath(  # one pass over the tree, not one per alternative
    "//*[self::h1 or self::h2 or self::h3 or self::h4 or self::h5 or self::h6 or self::button"
    " or self::summary or @role='button' or @role='tab' or @role='tabpanel' or @aria-expanded]"
)
_WRAPS_TRIGGER = etree.XPath("boolean(.//button | .//*[@aria-expanded] | .//*[@role='button'])")
# What a disclosure button says when it is a control, not a title.
_UI_PHRASE = re.compile(
    r"^(?:read|show|see|view|load)\s+(?:more|less|all|details)\b.*|^(?:more|less|expand|collapse"
    r"|expand all|collapse all|close|open|menu|toggle|toggle navigation|\+|-|x|×)$", re.I
)


def _words(el: etree._Element) -> str:
    return " ".join(el.text_content().split())


def _rename(el: etree._Element, tag: str) -> None:
    el.tag = tag
    for name in ("role", "hidden", "aria-hidden", "style"):
        el.attrib.pop(name, None)


def _opens_next(button: etree._Element) -> bool:
    """A button with no ARIA wiring whose next sibling is a collapsed or collapsible panel: a
    script-driven accordion, whose button is the title of the body it opens."""
    nxt = button.getnext()
    while nxt is not None and not isinstance(nxt.tag, str):
        nxt = nxt.getnext()
    if nxt is None or (button.tail or "").strip():
        return False
    if _is_hidden(nxt.attrib):
        return True
    names = f"{nxt.get('id', '')} {nxt.get('class', '')}".lower()
    return names != " " and _COLLAPSIBLE.search(names) is not None


def _convert_widgets(root: etree._Element) -> None:
    """Give accordion triggers, <summary> and tabs the shape of the document they stand for.

    A trigger (a ``<button>``/``role=button`` with ``aria-expanded`` or ``aria-controls``, a
    ``<summary>``) whose words are a title becomes a heading one level below the last real
    heading before it, so the collapsed body it opens gets a section path; one that says
    "Read more" is dropped. A button inside a heading is just the heading's words. A tab
    (``role=tab``) becomes a heading placed before the panel it labels, so each panel reads
    as a section. Any other ``<button>`` ("Copy link", "Print") is a control and goes.
    """
    found = _TRIGGERS(root)
    if all(el.tag in _HEADING for el in found):
        return
    tabs: dict[str, etree._Element] = {}  # by the tab's id
    tab_of_panel: dict[str, etree._Element] = {}  # by the id of the panel it controls
    for el in found:
        if el.get("role") == "tab":
            if el.get("id"):
                tabs[el.get("id", "")] = el
            for panel in (el.get("aria-controls") or "").split():
                tab_of_panel.setdefault(panel, el)
    level = 1  # of the last heading of the document's own outline
    sibling_level: int | None = None  # of the last heading that wraps a trigger
    for el in found:
        tag = el.tag
        if tag in _HEADING:
            if any(a.tag in ("summary", "button") or a.get("aria-expanded") is not None
                   for a in el.iterancestors()):
                continue  # a title inside a trigger: not the outline
            if _WRAPS_TRIGGER(el):  # <h3><button aria-expanded>: an accordion's item level
                sibling_level = _HEADING[tag]
            else:
                level, sibling_level = _HEADING[tag], None
            continue
        if el.getparent() is None:
            continue
        role = el.get("role", "")
        if role == "tabpanel":
            tab = tabs.pop(el.get("aria-labelledby", "").split(" ")[0], None)
            if tab is None:
                tab = tab_of_panel.get(el.get("id", ""))
            if tab is not None and tab.getparent() is not None:
                title = _words(tab)
                tab.drop_tree()
                if title:
                    heading = etree.Element(f"h{min(level + 1, 6)}")
                    heading.text = title
                    el.addprevious(heading)
            continue
        in_heading = any(a.tag in _HEADING for a in el.iterancestors())
        is_trigger = (tag == "summary" or role == "tab" or el.get("aria-expanded") is not None
                      or el.get("aria-controls") is not None
                      or el.get("data-bs-toggle") is not None or el.get("data-toggle") is not None
                      or (tag == "button" and _opens_next(el)))
        if in_heading:
            _rename(el, "span")
        elif not is_trigger:
            if tag == "button":
                _drop(el)
        elif el.xpath("boolean(.//h1 | .//h2 | .//h3 | .//h4 | .//h5 | .//h6)"):
            _rename(el, "div")  # the heading inside speaks for it
        else:
            words = _words(el)
            if not words or _UI_PHRASE.match(words):
                _drop(el)
            else:
                _rename(el, f"h{sibling_level or min(level + 1, 6)}")


# Never text, wherever they are (even inside an explicitly selected element).
_SKIP = frozenset(
    "head title meta link base script style noscript template svg math iframe object embed "
    "canvas audio video source track img picture map area input select option textarea button "
    "dialog".split()
)
_BLOCK = frozenset(
    "html body div p section article main blockquote address figure figcaption details summary "
    "dl dd dt ul ol menu dir table thead tbody tfoot caption center hgroup fieldset legend hr "
    "header footer nav aside form search".split()
)
_HEADING = {f"h{n}": n for n in range(1, 7)}
_NEVER_DROPPED = frozenset(("html", "body"))

# An inline element styled as a box reads as one: "display:block" is a block edge,
# "display:inline-block" a space.
_DISPLAY = re.compile(r"display\s*:\s*(block|flex|grid|list-item|table|inline-block|inline-flex"
                      r"|inline-grid|inline-table)")


def _glues(left: str, right: str) -> bool:
    """Would ``left`` and the next element's first characters ``right`` fuse two words?

    Two elements rendered as separate boxes (a "Policy" tag, then "Target: 2026") have no
    space between them in the markup, so their words would fuse into "PolicyTarget". Prose
    almost never puts a capital right after a lower-case letter, a digit or a closing
    punctuation mark inside one word, nor a capitalised word right after a capital ("POLICY"
    + "Target"), so at an element edge those patterns get a space. The price is a styled
    mid-word capital ("i<b>P</b>hone"), which is far rarer than badges.
    """
    if not right[:1].isupper():
        return False
    if left.isupper():
        return right[1:2].islower()
    return left.islower() or left in _GLUE_AFTER


# Class names of inline boxes that hold a word of their own: a tag, badge or label beside text.
_BADGE = re.compile(r"(?:^|[\s_-])(?:tags?|badges?|labels?|pills?|chips?|eyebrow|kicker"
                    r"|category|categories|status)(?=$|[\s_-])")


@lru_cache(maxsize=4096)
def _badge_names(names: str) -> bool:
    return _BADGE.search(names.lower()) is not None


def _is_badge(names: str | None) -> bool:
    return bool(names) and _badge_names(names or "")


_GLUE_AFTER = frozenset("0123456789.:;,!?)]")


# Actions recorded on "start" so the matching "end" knows what to undo.
_INLINE, _SKIPPED, _BLOCKA, _HEAD, _ITEM, _ROW, _CELL, _PRE, _SPACE, _TABLE = range(10)
_HEADER_CELL = "\x00"  # marks a <th> cell's text until its row is complete

# A footnote marker in <sup>: a number or a list of them, or a symbol.
_SUP_MARKER = re.compile(r"\s*(?:\[?\d{1,3}\]?(?:\s*[,\u2013-]\s*\d{1,3})*|[*\u2020\u2021\u00a7])\s*")
_POWER_BASE = re.compile(r"(?:^|[^\d.,])10$")


class _TextBuilder:
    """Accumulates inline text into blocks (paragraphs, headings, items, rows)."""

    __slots__ = ("blocks", "buf", "prefix", "kind", "cell_depth", "pre_depth", "rows", "tables")

    def __init__(self) -> None:
        self.blocks: list[tuple[str, str]] = []  # (kind, text)
        self.buf: list[str] = []
        self.prefix = ""
        self.kind = "p"
        self.cell_depth = 0
        self.pre_depth = 0
        self.rows: list[list[str]] = []
        # Per open table: its header cells once known, and whether its first row is still due.
        self.tables: list[list[object]] = []

    def flush(self, kind: str | None = None) -> None:
        if not self.buf:
            if self.kind == "br":  # a <br> followed by a block edge is not a line break
                self.kind = "p"
            return
        raw = "".join(self.buf)
        self.buf.clear()
        if self.pre_depth:
            lines = [" ".join(line.split()) for line in raw.splitlines()]
            text = "\n".join(line for line in lines if line)
        else:
            text = " ".join(raw.split())
        if not text:
            return
        self.blocks.append((kind or self.kind, self.prefix + text))
        self.prefix, self.kind = "", "p"

    def boundary(self) -> None:
        """A block edge: inside a table cell it is only a space (a cell stays one line)."""
        if self.cell_depth:
            self.buf.append(" ")
        else:
            self.flush()

    def render(self) -> str:
        out: list[str] = []
        prev = ""
        for kind, text in self.blocks:
            if out:
                tight = kind == "br" or (kind == prev and kind in ("li", "tr"))
                out.append("\n" if tight else "\n\n")
            out.append(text)
            prev = "p" if kind == "br" else kind
        return "".join(out)


def _table_row(table: list[object] | None, cells: list[str]) -> str:
    """One row as a line; under a header row of <th> cells, each cell carries its column name.

    "Threshold: 22%" rather than a bare "22%" makes a changed cell say what it is (the PDF
    extractor writes table rows the same way).
    """
    header = None
    if table is not None:
        if table[1]:  # the table's first row: is it a header?
            table[1] = False
            if len(cells) >= 2 and all(c.startswith(_HEADER_CELL) for c in cells):
                table[0] = [c[1:] for c in cells]
        elif isinstance(table[0], list) and len(table[0]) == len(cells):
            header = table[0]
    texts = [c[1:] if c.startswith(_HEADER_CELL) else c for c in cells]
    if not any(texts):
        return ""
    if header is None:
        return " | ".join(texts)
    return " | ".join(f"{h}: {t}" if h else t for h, t in zip(header, texts, strict=True) if t)


def _walk(root: etree._Element, builder: _TextBuilder) -> None:
    """Turn one subtree into blocks. Iterative: depth is bounded by memory, not the C stack."""
    actions: list[int] = []
    walker = etree.iterwalk(root, events=("start", "end"))
    b = builder
    for event, el in walker:
        tag = el.tag
        if event == "start":
            if not isinstance(tag, str) or tag in _SKIP:
                walker.skip_subtree()
                actions.append(_SKIPPED)
                continue
            if tag == "table" and not b.cell_depth:
                b.flush()
                b.tables.append([None, True])
                action = _TABLE
            elif tag in _BLOCK:
                b.boundary()
                action = _BLOCKA
            elif tag == "sup" and b.buf and not b.buf[-1][-1:].isspace() \
                    and _SUP_MARKER.fullmatch(el.text_content()):
                # A footnote marker glued to the word or number before it ("level 3" + "15"):
                # no wording, and a renumbered note must not read as a changed number.
                walker.skip_subtree()
                actions.append(_SKIPPED)
                if _POWER_BASE.search("".join(b.buf[-2:])):
                    b.buf.append("^" + el.text_content().strip())  # 10^26 FLOP
                continue  # its tail comes with its "end" event
            elif tag in _HEADING or tag == "li":
                if b.cell_depth:
                    action = _SPACE
                    b.buf.append(" ")
                else:
                    b.flush()
                    if tag == "li":
                        b.prefix, b.kind, action = "- ", "li", _ITEM
                    else:
                        b.prefix, b.kind, action = "#" * _HEADING[tag] + " ", "h", _HEAD
            elif tag in ("td", "th"):
                if b.cell_depth:
                    b.buf.append(" ")
                    action = _SPACE
                elif b.rows:
                    b.buf.clear()  # only inter-cell whitespace can be here
                    b.cell_depth += 1
                    action = _CELL
                else:  # a stray cell outside any row: read it as a block
                    b.boundary()
                    action = _BLOCKA
            elif tag == "tr":
                if b.cell_depth:
                    b.buf.append(" ")
                    action = _SPACE
                else:
                    b.flush()
                    b.rows.append([])
                    action = _ROW
            elif tag == "br":
                if b.cell_depth:
                    b.buf.append(" ")
                else:
                    b.flush()
                    b.kind = "br"
                action = _INLINE
            elif tag == "pre":
                b.boundary()
                b.pre_depth += 1
                action = _PRE
            else:
                action = _INLINE
                style = el.get("style")
                if style is not None and "display" in style:
                    shown = _DISPLAY.search(style.lower())
                    if shown is not None and shown.group(1).startswith("inline"):
                        b.buf.append(" ")
                        action = _SPACE
                    elif shown is not None:
                        b.boundary()
                        action = _BLOCKA
                if action == _INLINE and _is_badge(el.get("class")):
                    b.buf.append(" ")  # a tag or label box: its own words on both sides
                    action = _SPACE
                elif action == _INLINE and b.buf:
                    right = el.text or next((t for t in el.itertext() if t), "")
                    if _glues(b.buf[-1][-1], right[:2]):
                        b.buf.append(" ")  # "Policy" badge + "Target: ..." line
            actions.append(action)
            if el.text:
                b.buf.append(el.text)
            continue

        # event == "end"
        action = actions.pop()
        if action == _BLOCKA:
            b.boundary()
        elif action in (_HEAD, _ITEM):
            b.flush()
            b.prefix, b.kind = "", "p"
        elif action == _CELL:
            b.cell_depth -= 1
            text = " ".join("".join(b.buf).split())
            b.buf.clear()
            b.rows[-1].append(_HEADER_CELL + text if tag == "th" else text)
        elif action == _ROW:
            cells = b.rows.pop()
            b.buf.clear()
            row = _table_row(b.tables[-1] if b.tables else None, cells)
            if row:
                b.blocks.append(("tr", row))
        elif action == _TABLE:
            b.flush()
            b.tables.pop()
        elif action == _PRE:
            b.flush()
            b.pre_depth -= 1
        elif action == _SPACE:
            b.buf.append(" ")
        if el is not root and el.tail:
            tail = el.tail
            if action == _INLINE and b.buf and _glues(b.buf[-1][-1], tail[:2]):
                b.buf.append(" ")
            b.buf.append(tail)
    b.flush()
    if b.kind == "br":
        b.kind = "p"


# ---------------------------------------------------------------------------------------------
# Parsing and extraction
# ---------------------------------------------------------------------------------------------

_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")
_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f]")
_local = threading.local()


def _parser() -> lxml_html.HTMLParser:
    """One parser per thread: lxml parser objects must not be shared between threads."""
    parser = getattr(_local, "parser", None)
    if parser is None:
        # huge_tree lifts libxml2's depth and text-size limits, which would otherwise silently
        # truncate very deep or very large pages; our walk is iterative so depth is harmless.
        parser = lxml_html.HTMLParser(remove_comments=True, remove_pis=True, huge_tree=True)
        _local.parser = parser
    return parser


_KEEP_WHEN_FLAT = frozenset(
    "html head body title meta script style h1 h2 h3 h4 h5 h6 p li ul ol table tr td th br pre"
    .split()
)
_ANY_TAG = re.compile(r"<(/?)([A-Za-z][\w:-]*)[^>]*>")
_CONTAINERS = frozenset("div section article main blockquote center aside header footer".split())


def _flatten_tag(match: re.Match[str]) -> str:
    name = match.group(2).lower()
    if name in _KEEP_WHEN_FLAT:
        return match.group(0)
    # <p> closes the previous <p> in HTML, so containers become breaks that cannot nest.
    return "<p>" if name in _CONTAINERS else ""


def _too_deep(parser: lxml_html.HTMLParser) -> bool:
    return any("depth" in e.message.lower() for e in parser.error_log)


def parse_html(body: bytes, content_type: str | None) -> tuple[etree._Element, list[str]]:
    """Decode and parse; raise ExtractError("bad_html"/"empty") instead of lxml's errors.

    libxml2 stops at 2,048 levels of nesting even with huge_tree and silently drops the rest.
    Such a page is re-parsed with its layout containers and inline tags flattened, and then,
    if still too deep, as bare text, with a warning: losing structure beats losing words.
    """
    text, _ = decode_body(body, content_type, sniff_meta=True)
    text = _XML_DECL.sub("", text, count=1)  # lxml refuses str input with an encoding decl
    if _CONTROL.search(rare_chars(text)):
        text = _CONTROL.sub("", text)
    if not text.strip():
        raise ExtractError("empty", "the HTML document is empty")
    parser = _parser()
    warnings: list[str] = []
    try:
        root = lxml_html.document_fromstring(text, parser=parser)
        if _too_deep(parser):
            warnings.append("nested deeper than the parser allows; layout tags flattened")
            root = lxml_html.document_fromstring(_ANY_TAG.sub(_flatten_tag, text), parser=parser)
            if _too_deep(parser):
                warnings.append("still too deep; extracted as plain text")
                root = lxml_html.document_fromstring(
                    "<p>" + _ANY_TAG.sub(" ", text).replace("<", "&lt;"), parser=parser
                )
    except etree.ParserError as exc:
        raise ExtractError("empty", f"no HTML content: {exc}") from exc
    except (ValueError, etree.LxmlError) as exc:
        raise ExtractError("bad_html", f"cannot parse HTML: {exc}") from exc
    return root, warnings


def _drop(el: etree._Element) -> None:
    """Detach ``el`` but keep its tail text (the words after it belong to its parent)."""
    if el.getparent() is not None:
        el.drop_tree()


@dataclass(frozen=True, slots=True)
class CleanTree:
    """A parsed page after ``remove``, ``select`` and default boilerplate removal.

    ``roots`` are the elements that hold the document, in document order: the ``select``
    matches, else ``<body>``. ``content`` are the elements known to hold the main content
    (the ``select`` matches, else ``main``/``article``/``role=main``; possibly none).
    """

    root: etree._Element
    roots: tuple[etree._Element, ...]
    content: tuple[etree._Element, ...]
    select_matched: bool
    warnings: tuple[str, ...]
    widgets: bool = True  # False: no button, summary or widget role left to convert


def clean_tree(root: etree._Element, select: tuple[str, ...] = (),
               remove: tuple[str, ...] = ()) -> CleanTree:
    """Apply ``remove``, then ``select``, then default boilerplate removal, in place.

    Shared by text extraction and link discovery, so that a link in the site's nav or in a
    cookie banner is no more part of an index than its words are part of a page.
    A selected element is never removed as boilerplate itself, so ``select = ["footer .log"]``
    works. If ``select`` matches nothing, the whole body is used and ``select_matched`` is False.
    """
    warnings: list[str] = []
    if remove:
        for el in _union(remove)(root):
            _drop(el)

    body_el = root.find("body")
    if body_el is None:
        body_el = root
    roots: list[etree._Element] = [body_el]
    select_matched = True
    if select:
        matches = [el for el in _union(select)(root) if isinstance(el.tag, str)]
        kept: list[etree._Element] = []
        kept_set: set[etree._Element] = set()
        for el in matches:
            if not any(a in kept_set for a in el.iterancestors()):
                kept.append(el)
                kept_set.add(el)
        if kept:
            roots = kept
        else:
            select_matched = False
            warnings.append(f"select {list(select)} matched nothing; used the whole page")

    protected: set[etree._Element] = set()
    for el in roots:
        protected.add(el)
        protected.update(el.iterancestors())
    scan = _boilerplate(root, roots, bool(select) and select_matched)
    for el in scan.drop:
        if el not in protected and el.tag not in _NEVER_DROPPED:
            _drop(el)
    content = tuple(el for el in scan.content if el.getroottree().getroot() is root)
    widgets = scan.widgets or next(root.iter("button", "summary"), None) is not None
    return CleanTree(root, tuple(roots), content, select_matched, tuple(warnings), widgets)


def extract_html(
    body: bytes,
    content_type: str | None,
    select: tuple[str, ...] = (),
    remove: tuple[str, ...] = (),
) -> HtmlText:
    """Extract structured text from an HTML document.

    Order: the source's ``remove`` selectors; then ``select`` (matched elements kept in document
    order, nested matches counted once); then default boilerplate removal inside what is kept
    (see :func:`clean_tree`); then collapsible widgets are given the shape of a document.
    Invalid selectors raise ValueError (config validation catches them first).
    """
    root, warnings = parse_html(body, content_type)
    title_el = root.find(".//title")
    title = " ".join(title_el.text_content().split()) if title_el is not None else ""
    cleaned = clean_tree(root, select, remove)
    warnings.extend(cleaned.warnings)
    if cleaned.widgets:
        _convert_widgets(root)

    builder = _TextBuilder()
    for el in cleaned.roots:
        _walk(el, builder)
        builder.flush()
    return HtmlText(
        text=builder.render(),
        title=title,
        select_matched=cleaned.select_matched,
        warnings=tuple(warnings),
    )
