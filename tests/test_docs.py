"""docs/rules.md is generated from the registry; the JSON catalogue follows SPEC §2."""

from __future__ import annotations

import json
from pathlib import Path

from meshlint.analyzers import ALL_RULES
from meshlint.docs import REGENERATE, catalogue, render_json, render_markdown, render_text

RULES_MD = Path(__file__).resolve().parents[1] / "docs" / "rules.md"
HEADINGS = (
    "**What it does**",
    "**Why is this bad?**",
    "**Example**",
    "**Use instead**",
    "**How to fix**",
    "**References**",
)


def test_rules_md_is_current() -> None:
    current = RULES_MD.read_text(encoding="utf-8") if RULES_MD.exists() else ""
    assert current == render_markdown(catalogue()), f"docs/rules.md is stale; run: {REGENERATE}"


def test_markdown_has_every_rule_with_every_heading() -> None:
    rules = catalogue()  # the Python rules and the built-in Rego pack
    policies = {f"MESH60{i}" for i in range(1, 9)}
    assert {r.code for r in rules} == {r.code for r in ALL_RULES} | policies
    sections = render_markdown(rules).split("\n## ")[1:]
    assert [s.split("\n", 1)[0] for s in sections] == [f"{r.code} · {r.name}" for r in rules]
    for section in sections:
        positions = [section.index(heading) for heading in HEADINGS]
        assert positions == sorted(positions)
        assert "**Severity:**" in section.split("\n")[2]


def test_markdown_facts_line() -> None:
    markdown = render_markdown(ALL_RULES)
    assert (
        "**Severity:** error · **Kinds:** any · **Since:** 0.1.0 · **Status:** stable"
        " · **Istio:** IST0106\n" in markdown
    )


def test_json_catalogue() -> None:
    document = json.loads(render_json(ALL_RULES))
    assert document["version"] == 1
    assert [entry["code"] for entry in document["rules"]] == [r.code for r in ALL_RULES]
    first = document["rules"][0]
    assert first == {
        "code": "MESH001",
        "name": "yaml-syntax",
        "severity": "error",
        "summary": "The document is not valid YAML",
        "kinds": [],
        "istio": [],
        "kiali": [],
        "docs": "https://meshlint.dev/rules/MESH001",
        "status": "stable",
        "since": "0.1.0",
    }
    unknown_field = next(e for e in document["rules"] if e["code"] == "MESH003")
    assert unknown_field["istio"] == ["IST0106"]


def test_text_catalogue_one_line_per_rule() -> None:
    lines = render_text(ALL_RULES).splitlines()
    assert len(lines) == len(ALL_RULES)
    assert lines[0].split()[:3] == ["MESH001", "yaml-syntax", "error"]
