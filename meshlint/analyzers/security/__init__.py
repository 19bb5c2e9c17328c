"""mTLS and authorization rules (MESH3xx)."""

from __future__ import annotations

from meshlint.rule import Rule

RULES: tuple[Rule, ...] = ()
