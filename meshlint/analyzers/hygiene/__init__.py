"""Kubernetes, ServiceEntry, Sidecar and hygiene rules (MESH5xx)."""

from __future__ import annotations

from meshlint.rule import Rule

RULES: tuple[Rule, ...] = ()
