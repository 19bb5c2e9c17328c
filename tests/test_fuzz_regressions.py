"""Replay every minimal input the fuzz campaign found (fixtures/fuzz/), fixed or still open."""

from __future__ import annotations

from pathlib import Path

import pytest
from fuzz.checks import KNOWN_BUGS, NO_POLICIES, WITH_POLICIES, check_bytes, check_text
from fuzz.mutate import ROOT

FIXTURES = ROOT / "fixtures" / "fuzz"
OPEN = {bug.fixture: bug for bug in KNOWN_BUGS}

# Fixed bugs: the findings (code, line, column, end line, end column) without Rego policies.
FIXED = {
    # meshlint/loader/_slow.py, _positions.py: a block mapping whose last value is an alias
    # ended at the anchor, before its own start (span end < start)
    "alias-last-value-span.yaml": [("MESH004", 1, 13, 1, 38), ("MESH004", 7, 3, 8, 1)],
    # meshlint/loader/_split.py has_content: a leading chunk of only a form feed (Python's \s)
    # was skipped as blank, so the control character went unreported
    "form-feed-only.yaml": [("MESH001", 1, 1, 1, 2)],
    # same, with the control character after a line separator (not at a line start)
    "line-separator-then-control.yaml": [("MESH001", 1, 2, 1, 3)],
    # _split._RISKY: yaml-rs joins an escaped UTF-16 surrogate pair, libyaml rejects it; the
    # document was valid or a syntax error depending on which parser the screens chose
    "surrogate-escape-pair.yaml": [("MESH001", 1, 65, 1, 66)],
    # _split._RISKY: a tab after "- " (yaml-rs accepts, libyaml rejects)
    "tab-after-dash.yaml": [("MESH001", 6, 5, 6, 6)],
    # _split._RISKY: a tab at the start of a line (yaml-rs reads a plain scalar)
    "tab-indent-leading.yaml": [("MESH001", 1, 1, 1, 2)],
    # meshlint/loader/_fast.py: yaml-rs folds a flow mapping key that spans lines, libyaml
    # rejects it (found by mutating fixtures/rules/MESH302/good.yaml)
    "flow-key-spans-lines.yaml": [("MESH001", 5, 5, 5, 6)],
    # _split has_content: a tab alone (libyaml rejects it, even on a blank line)
    "tab-only.yaml": [("MESH001", 1, 1, 1, 2)],
    # meshlint/policy/runner.py _ref: metadata.namespace a mapping made ResourceRef unhashable
    # (TypeError, exit 3, with the built-in Rego pack on); fixed there during the campaign
    "policy-namespace-mapping.yaml": [("MESH004", 5, 14, 5, 20)],
    # _split._RISKY: U+2028 is a line break in YAML 1.1 (libyaml), a plain character in 1.2
    # (yaml-rs read "0:\u20280" as one scalar)
    "line-separator-break.yaml": [("MESH001", 3, 1, 3, 2)],
    # _split has_content: content after U+2028 (a YAML 1.1 line break) was not at a line start
    "line-separator-colon.yaml": [("MESH001", 2, 1, 2, 2)],
    # meshlint/loader/_scalars.py _split_sign: IndexError on an empty scalar tagged !!int
    "int-tag-empty.yaml": [("MESH001", 1, 1, 1, 2)],
    # _scalars.yaml_int: OverflowError, a sexagesimal int went through float (inf)
    "sexagesimal-overflow.yaml": [("MESH001", 6, 11, 6, 12)],
    # a 5,000-digit int reached jsonschema, whose message str() raised ValueError (exit 3);
    # integers past 1024 bits are now MESH001 at the scalar
    "huge-int-weight.yaml": [("MESH001", 9, 15, 9, 16)],
}


def _fixtures() -> list[Path]:
    return sorted(FIXTURES.glob("*.yaml"))


def _marks(path: Path) -> list[pytest.MarkDecorator]:
    bug = OPEN.get(path.name)
    if bug is None:
        return []
    reason = f"open bug {bug.name}: {bug.error.__name__} in {bug.file} {bug.function}"
    return [pytest.mark.xfail(raises=bug.error, strict=True, reason=reason)]


@pytest.mark.parametrize(
    "path", [pytest.param(path, id=path.name, marks=_marks(path)) for path in _fixtures()]
)
def test_replay(path: Path) -> None:
    data = path.read_bytes()
    for config in (NO_POLICIES, WITH_POLICIES):
        check_bytes(data, config)
        check_text(data.decode("utf-8"), config)


@pytest.mark.parametrize("name", sorted(FIXED))
def test_fixed_bug_findings(name: str) -> None:
    result = check_text((FIXTURES / name).read_text(encoding="utf-8"))
    found = [
        (f.code, f.span.line, f.span.column, f.span.end_line, f.span.end_column)
        for f in result.findings
    ]
    assert found == FIXED[name]


def test_every_fixture_is_accounted_for() -> None:
    names = {path.name for path in _fixtures()}
    assert names == set(FIXED) | set(OPEN)
