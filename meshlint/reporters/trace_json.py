"""The ``meshlint explain --format json`` document (SPEC §4, ``schemas/explain.json``)."""

from __future__ import annotations

import json
from typing import Any

from meshlint.explain import Item, Outcome, Ref, Step, Trace, Verdict
from meshlint.source import Span

VERSION = 1


def _where(span: Span | None) -> dict[str, Any]:
    if span is None:
        return {"file": None, "line": None, "column": None}
    return {"file": span.path, "line": span.line, "column": span.column}


def _ref(ref: Ref | None, *, rule: bool = True) -> dict[str, Any] | None:
    if ref is None:
        return None
    data: dict[str, Any] = {"kind": ref.kind, "namespace": ref.namespace, "name": ref.name}
    if rule:
        data["rule"] = ref.rule
    return data


def _outcome(outcome: Outcome) -> dict[str, Any]:
    return {
        "host": outcome.host,
        "subset": outcome.subset,
        "port": outcome.port,
        "percent": outcome.percent,
        "tls": outcome.tls,
        "workloads": list(outcome.workloads),
        "allowed": outcome.allowed,
        "reason": outcome.reason,
    }


def _verdict(verdict: Verdict) -> dict[str, Any]:
    return {
        "allowed": verdict.allowed,
        "reason": verdict.reason,
        "decided_by": _ref(verdict.decided_by),
        "route": _ref(verdict.route),
        "destinations": [_outcome(o) for o in verdict.destinations],
    }


def _item(item: Item) -> dict[str, Any]:
    return {"text": item.text, "tone": item.tone.value, **_where(item.span)}


def _step(step: Step) -> dict[str, Any]:
    return {
        "step": step.step,
        "summary": step.summary,
        **_where(step.span),
        "status": step.tone.value,
        "detail": dict(step.detail),
        "items": [_item(i) for i in step.items],
    }


def to_dict(trace: Trace) -> dict[str, Any]:
    """The document as plain data (``--base`` nests two of them)."""
    request = trace.request
    return {
        "version": VERSION,
        "request": {
            "from": request.source,
            "to": trace.target,
            "method": request.method,
            "path": request.path,
            "scheme": request.scheme,
            "protocol": trace.protocol,
            "headers": dict(request.headers),
        },
        "verdict": _verdict(trace.verdict),
        "steps": [_step(s) for s in trace.steps],
    }


def render(trace: Trace) -> str:
    return json.dumps(to_dict(trace), indent=2, ensure_ascii=False) + "\n"


def render_comparison(base: Trace, head: Trace) -> str:
    """``--base``: ``{"base": {...}, "head": {...}}``."""
    document = {"base": to_dict(base), "head": to_dict(head)}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
