"""The ``meshlint explain`` text report: a tree with one branch per step, as rich markup.

Each branch names the config that answered it (``file:line``); paths not taken are dimmed
with the condition that failed; the verdict line is green or red. The CLI's console renders
the markup, in colour on a terminal and as plain text under ``NO_COLOR`` or in a pipe.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.markup import escape

from meshlint.explain import STEP_NAMES, Item, Step, Tone, Trace
from meshlint.source import Span

MARKS = {Tone.OK: "✓", Tone.SKIPPED: "·", Tone.NOTE: "!", Tone.FAIL: "✗"}
STYLES = {Tone.OK: "green", Tone.SKIPPED: "dim", Tone.NOTE: "yellow", Tone.FAIL: "bold red"}
WIDTH = max(len(name) for name in STEP_NAMES)


def _where(span: Span | None) -> str:
    if span is None:
        return ""
    return f"  [dim]{escape(f'{span.path}:{span.line}')}[/dim]"


def header(trace: Trace) -> str:
    request = trace.request
    headers = "".join(f" {k}: {v}" for k, v in request.headers.items())
    what = f"{request.method} {request.path}{headers}"
    if trace.is_tcp:
        what = f"{trace.protocol} connection"
    line = f"{request.source} → {trace.target}  {what}"
    return f"[bold]{escape(line)}[/bold]"


def _item(items: Sequence[Item], index: int, prefix: str) -> str:
    """One line; a depth-1 item hangs under the depth-0 item above it."""
    item = items[index]
    later = items[index + 1 :]
    if item.depth:
        more_top = any(i.depth == 0 for i in later)
        prefix += "│  " if more_top else "   "
        last = not later or later[0].depth == 0
    else:
        last = not any(i.depth == 0 for i in later)
    style = STYLES[item.tone]
    branch = "└─ " if last else "├─ "
    text = escape(f"{MARKS[item.tone]} {item.text}")
    return f"{prefix}{branch}[{style}]{text}[/{style}]{_where(item.span)}"


def _step(step: Step, number: int, last: bool) -> list[str]:
    branch, prefix = ("└─ ", "   ") if last else ("├─ ", "│  ")
    title = f"{number} {step.step:<{WIDTH}}"
    summary = escape(step.summary)
    if step.step == "verdict":
        style = "bold green" if step.tone is Tone.OK else "bold red"
        summary = f"[{style}]{summary}[/{style}]"
    elif step.tone is Tone.FAIL:
        summary = f"[red]{summary}[/red]"
    lines = [f"{branch}[bold]{escape(title)}[/bold] {summary}{_where(step.span)}"]
    lines.extend(_item(step.items, index, prefix) for index in range(len(step.items)))
    return lines


def render(trace: Trace) -> str:
    """Rich markup for the whole trace."""
    lines = [header(trace)]
    count = len(trace.steps)
    for index, step in enumerate(trace.steps):
        lines.extend(_step(step, index + 1, index == count - 1))
    return "\n".join(lines) + "\n"


def render_comparison(base: Trace, head: Trace, ref: str) -> str:
    """``--base``: the verdict before and after, then the trace at the working tree."""
    before = _verdict_word(base)
    after = _verdict_word(head)
    changed = "unchanged" if base.verdict == head.verdict else "changed"
    lines = [
        f"[bold]verdict at {escape(ref)}:[/bold] {before}",
        f"[bold]verdict now:[/bold] {after}  [dim]({changed})[/dim]",
        "",
    ]
    return "\n".join(lines) + render(head)


def _verdict_word(trace: Trace) -> str:
    verdict = trace.verdict
    style = "bold green" if verdict.allowed else "bold red"
    word = "ALLOWED" if verdict.allowed else "DENIED"
    return f"[{style}]{word}[/{style}] {escape(verdict.reason)}"
