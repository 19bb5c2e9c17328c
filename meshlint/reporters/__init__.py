"""Reporters: pure functions that render a ``LintResult`` as text for the CLI to write."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from meshlint.findings import LintResult
from meshlint.reporters import github, gitlab, json, junit, sarif, text
from meshlint.rule import Rule


class Reporter(Protocol):
    """``render(result, rules)``: the whole output as one string (rich markup for text)."""

    def __call__(
        self, result: LintResult, rules: Mapping[str, Rule], /, *, show_docs: bool = False
    ) -> str: ...


REPORTERS: Mapping[str, Reporter] = {
    "text": text.render,
    "json": json.render,
    "sarif": sarif.render,
    "github": github.render,
    "junit": junit.render,
    "gitlab": gitlab.render,
}
# the formats of ``meshlint check --format``, in the order its help lists them
CHECK_FORMATS = tuple(REPORTERS)
