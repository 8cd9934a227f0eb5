"""`tito module test`'s report as lines for a terminal of any width (80 columns and up).

One line per test, then each failure expanded below. `file:line` always stands on a line of
its own and is never broken; other long text is cut to the width with "…"; a test's printed
output shows its first and last lines.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from rich.text import Text

LABELS = {"pass": "PASS", "fail": "FAIL", "not_implemented": "TODO", "error": "ERROR", "timeout": "TIMEOUT",
          "not_run": "NOT RUN", "tampered": "TAMPERED"}
STYLES = {"pass": "green", "not_implemented": "yellow"}
OUTPUT_LINES = 20  # shown from the start and from the end of a failing test's output


def fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[:max(width - 1, 1)] + "…"


def output_excerpt(output: str, show_all: bool, keep: int = OUTPUT_LINES) -> list[str]:
    lines = output.rstrip("\n").splitlines()
    if show_all or len(lines) <= 2 * keep:
        return lines
    hidden = len(lines) - 2 * keep
    return lines[:keep] + [f"… {hidden} lines hidden (--show-output shows them) …"] + lines[-keep:]


def module_report(result, root: Path, width: int, show_output: bool = False) -> list[Text]:
    def short(where: str) -> str:
        return where.replace(str(root) + "/", "")

    width = max(width, 40)
    lines = [Text(f"{result.module}  {short(result.source)}", style="bold")]
    rows = result.setup_errors + result.tests
    for test in rows:
        label = LABELS[test.status]
        points = f"{test.points if test.passed else 0:g}/{test.points:g}" if test.grade_id else "setup"
        line = Text(f" {label:<8}", style=STYLES.get(test.status, "red"))
        line.append(fit(f" {points:>7}  {test.name}", width - 9))
        lines.append(line)
    failures = [t for t in rows if not t.passed]
    for test in failures:
        lines.append(Text())
        head = f"{test.points:g} points" if test.grade_id else "setup cell"
        lines.append(Text(fit(f"✗ {test.name} ({head}): {LABELS[test.status]}", width), style="bold red"))
        for part in (test.message or "").splitlines() or [""]:
            lines.append(Text(fit(f"  {part}", width)))
        if test.where:
            lines.append(Text(f"  {'stub at' if test.status == 'not_implemented' else 'at'} {short(test.where)}"))
        if test.code and test.status != "not_implemented":
            lines.append(Text(fit(f"    {test.code}", width), style="cyan"))
        printed = output_excerpt(test.output, show_output) if test.output else []
        if printed:
            lines.append(Text("  it printed:", style="dim"))
            lines.extend(Text(fit(f"  | {p}", width), style="dim") for p in printed)
    for note in (getattr(result, "note", None) or "").splitlines():
        # wrapped between words only: a note names files and commands, which stay whole
        for part in textwrap.wrap(f"Note: {note}", width, break_long_words=False, break_on_hyphens=False,
                                  subsequent_indent="  "):
            lines.append(Text(part, style="yellow"))
    lines.append(Text(result.summary(), style="bold green" if result.ok else "bold red"))
    return lines
