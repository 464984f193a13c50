"""One word diff: the terminal, the web page, Slack and e-mail mark the same words of a change,
all from the differ's word diff; each output bounds how much diffing one page or alert does."""

from __future__ import annotations

import re

from differ.align import MAX_WORD_DIFF, changed_words
from differ.model import Hunk
from differ.render import render_text
from notifier.alert import MAX_ALERT_DIFF_WORDS, alert_hunks
from notifier.render import slack_hunk
from web.render import MAX_PAGE_DIFF_WORDS, hunk_views

OLD = ("Anthropic will pause training and deployment, and will notify the board, when a model "
       "reaches ASL-3 and safeguards are not in place within 30 days.")
NEW = ("Anthropic may pause deployment, and should notify the board or its delegate, when a model "
       "reaches ASL-4 and safeguards are not in place within 90 days.")


def marked(ops: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(op, " ".join(text.split())) for op, text in ops if op != "eq" and text.strip()]


def differ_marks() -> list[tuple[str, str]]:
    return [("del" if op < 0 else "ins", text) for op, text in changed_words(OLD, NEW) if op]


def test_terminal_marks_the_differs_words() -> None:
    text = render_text_of(OLD, NEW)
    removed = re.findall(r"\[-(.*?)-\]", text)
    added = re.findall(r"\{\+(.*?)\+\}", text)
    assert removed == [t for op, t in differ_marks() if op == "del"]
    assert added == [t for op, t in differ_marks() if op == "ins"]
    assert removed and added


def render_text_of(old: str, new: str) -> str:
    from differ.model import DiffResult

    hunk = Hunk(section="", old=old, new=new)
    return render_text(DiffResult(hunks=(hunk,)))


def test_web_page_marks_the_same_words_as_the_terminal() -> None:
    [view] = hunk_views({"hunks": [{"old": OLD, "new": NEW}]})
    assert marked([(s.op, s.text) for s in view.segments]) == differ_marks()
    # Each side reads as the terminal's line for it (HTML collapses the runs' spacing).
    lines = render_text_of(OLD, NEW).splitlines()
    old_line = next(x for x in lines if x.startswith("- "))[2:]
    new_line = next(x for x in lines if x.startswith("+ "))[2:]
    unmarked = re.compile(r"\[-|-\]|\{\+|\+\}")
    assert " ".join("".join(s.text for s in view.old_segments).split()) == unmarked.sub("", old_line)
    assert " ".join("".join(s.text for s in view.new_segments).split()) == unmarked.sub("", new_line)


def test_alerts_mark_the_same_words_as_the_terminal() -> None:
    [hunk], _ = alert_hunks({"hunks": [{"old": OLD, "new": NEW, "severity": "high"}]})
    names = {"-": "del", "+": "ins", "=": "eq"}
    assert marked([(names[o.op], o.text) for o in hunk.ops]) == differ_marks()
    slack = slack_hunk(hunk)
    for op, text in differ_marks():
        assert (f"~{text}~" if op == "del" else f"*{text}*") in slack


def test_a_hunk_over_the_differs_bound_is_shown_as_whole_sides() -> None:
    old = " ".join(f"a{i}" for i in range(MAX_WORD_DIFF))
    new = old + " z"
    assert changed_words(old, new) == [(-1, old), (1, new)]


def long_hunks(count: int, words: int) -> list[dict[str, str]]:
    """Hunks whose sides share most words (every tenth one changed)."""
    return [{"old": " ".join(f"w{h}x{i}" for i in range(words)),
             "new": " ".join(f"w{h}x{i}" + ("new" if i % 10 == 0 else "") for i in range(words))}
            for h in range(count)]


def test_a_web_page_word_diffs_at_most_its_budget_of_words() -> None:
    hunks = long_hunks(12, 400)  # 800 words a hunk: each within the differ's bound
    views = hunk_views({"hunks": hunks})
    diffed = [v for v in views if len(v.segments) > 3]  # whole sides are one del + one ins
    assert sum(len(v.old.split()) + len(v.new.split()) for v in diffed) <= MAX_PAGE_DIFF_WORDS
    assert 0 < len(diffed) < len(views)
    last = views[-1]
    assert [(s.op, s.text) for s in last.segments] == [
        ("del", hunks[-1]["old"]), ("eq", " "), ("ins", hunks[-1]["new"])]


def test_an_alert_word_diffs_at_most_its_budget_of_words() -> None:
    hunks = long_hunks(12, 400)
    model, total = alert_hunks({"hunks": hunks})
    assert total == 12
    whole = [h for h in model if [o.op for o in h.ops] == ["-", "=", "+"]]
    diffed = [h for h in model if h not in whole]
    assert len(diffed) * 800 <= MAX_ALERT_DIFF_WORDS and whole
