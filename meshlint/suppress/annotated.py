"""Suppressions written as resource annotations: meshlint's own and Istio's analyzer one.

``meshlint.dev/ignore: "MESH120,vs-subset-undefined"`` names codes or rule names;
``galley.istio.io/analyze-suppress: "IST0101,IST0106"`` (or ``*``, every code, as
istioctl reads it) silences the meshlint rules whose ``istio`` field lists one of those codes.
Both cover the findings about the annotated resource, in its file.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from meshlint.findings import Finding, ResourceRef
from meshlint.source import RawDocument, join_pointer
from meshlint.suppress.codes import CodeBook, split_tokens
from meshlint.suppress.directive import Directive, Layer

MESHLINT_KEY = "meshlint.dev/ignore"
ISTIO_KEY = "galley.istio.io/analyze-suppress"
_IST = re.compile(r"^IST\d{4}$")


def directives(doc: RawDocument, book: CodeBook) -> Iterator[Directive]:
    """The annotation suppressions of one document."""
    metadata = doc.data.get("metadata")
    annotations = metadata.get("annotations") if isinstance(metadata, dict) else None
    if not isinstance(annotations, dict):
        return
    ref = _ref(doc)
    if isinstance(annotations.get(MESHLINT_KEY), str):
        yield _meshlint(doc, ref, annotations[MESHLINT_KEY], book)
    if isinstance(annotations.get(ISTIO_KEY), str):
        yield _istio(doc, ref, annotations[ISTIO_KEY], book)


def _ref(doc: RawDocument) -> ResourceRef:
    metadata = doc.data.get("metadata")
    meta = metadata if isinstance(metadata, dict) else {}
    namespace = meta.get("namespace")
    return ResourceRef(
        kind=str(doc.data.get("kind", "")),
        name=str(meta.get("name", "")),
        namespace=namespace if isinstance(namespace, str) else None,
        api_version=str(doc.data.get("apiVersion", "")),
    )


def _about(doc: RawDocument, ref: ResourceRef) -> Callable[[Finding], bool]:
    identity = (ref.kind, ref.namespace, ref.name)

    def applies(finding: Finding) -> bool:
        res = finding.resource
        return (
            res is not None
            and (res.kind, res.namespace, res.name) == identity
            and finding.span.path == doc.path
        )

    return applies


def _meshlint(doc: RawDocument, ref: ResourceRef, value: str, book: CodeBook) -> Directive:
    pointer = join_pointer("/metadata/annotations", MESHLINT_KEY)
    tokens = split_tokens(value)
    unknown = tuple(token for token in tokens if book.resolve(token) is None)
    return Directive(
        layer=Layer.ANNOTATION,
        span=doc.source.span(pointer),
        codes=frozenset(code for token in tokens if (code := book.resolve(token)) is not None),
        applies=_about(doc, ref),
        unknown=unknown if tokens else ("",),
        resource=ref,
        pointer=pointer,
        hint=book.suggest(unknown[0]) if unknown else "",
    )


def _istio(doc: RawDocument, ref: ResourceRef, value: str, book: CodeBook) -> Directive:
    pointer = join_pointer("/metadata/annotations", ISTIO_KEY)
    tokens = split_tokens(value)
    valid = [token for token in tokens if token == "*" or _IST.match(token)]
    return Directive(
        layer=Layer.ISTIO,
        span=doc.source.span(pointer),
        codes=frozenset().union(*(book.covering(token) for token in valid)),
        applies=_about(doc, ref),
        unknown=tuple(token for token in tokens if token not in valid) if tokens else ("",),
        resource=ref,
        pointer=pointer,
        report_unused=False,
    )
