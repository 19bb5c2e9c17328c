"""Gateway rules (MESH4xx)."""

from __future__ import annotations

from meshlint.rule import Rule

RULES: tuple[Rule, ...] = ()
