"""A cycle's report as people read it: the summary table, then one line per change and failure."""

from __future__ import annotations

from typing import Any

from crawler.terminal import terminal_safe
from framewatch.common import console, plural


def failure_lines(report: Any) -> list[str]:
    """One line per failed source — or, when every source failed because no host name resolved,
    one line saying the machine looks offline (36 identical DNS errors help nobody)."""
    failures = report.failures
    if len(failures) >= 2 and len(failures) == len(report.outcomes) \
            and all(o.error_kind == "dns" for o in failures):
        return [f"OFFLINE: no host name resolved ({plural(len(failures), 'source')} not checked); "
                "this machine seems to have no internet access or no DNS. Try again when it is "
                "online — or see framewatch work without it: `framewatch demo`."]
    return [f"FAILED {o.source_id}: {o.error_kind}: {o.message}" for o in failures]


def print_run_summary(report: Any, *, quiet: bool = False) -> None:
    """The table, then each change and failure on a line of its own. With -q (cron) only those
    lines: a day with nothing new prints nothing, so cron mails only when there is news."""
    from rich.table import Table

    con = console()
    if quiet:
        for o in report.changes:
            con.print(f"change {o.change_id}  {o.source_id}  [{o.severity}]  "
                      f"{terminal_safe(o.summary)}", markup=False)
        for line in failure_lines(report):
            con.print(terminal_safe(line), markup=False)
        return
    t = Table(title=f"framewatch run {report.run_id}", show_header=True)
    for col in ("checked", "unchanged", "new versions", "changes", "failures"):
        t.add_column(col, justify="right")
    t.add_row(str(len(report.outcomes)), str(report.count("unchanged", "not_modified")),
              str(report.count("first", "changed", "removed")), str(len(report.changes)),
              str(len(report.failures)))
    con.print(t)
    for o in report.changes:
        con.print(f"change {o.change_id}  {o.source_id}  [{o.severity}]  "
                  f"{terminal_safe(o.summary)}", markup=False)
    for line in failure_lines(report):
        con.print(terminal_safe(line), markup=False)
    if report.deliveries is not None:
        con.print(terminal_safe(str(report.deliveries)), markup=False)
