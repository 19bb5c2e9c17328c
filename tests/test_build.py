"""build(): raw documents -> typed resources, MESH004 findings at exact spans, skips."""

from __future__ import annotations

from typing import Any

from meshlint.build import build, data_path, kind_of, kind_table
from meshlint.findings import ResourceRef, Severity
from meshlint.model import DestinationRule, Kind, Service, VirtualService
from meshlint.source import RawDocument, SourceMap, Span

PATH = "mesh.yaml"


def span(line: int, column: int = 1, width: int = 1) -> Span:
    return Span(PATH, line, column, line, column + width)


def raw(index: int, data: dict[str, Any], table: dict[str, tuple[Span, Span | None]] | None = None):
    source = SourceMap.from_table(PATH, span(index * 100 + 1), table or {})
    return RawDocument(PATH, index, data, source, template="templates/vs.yaml")


VS = {
    "apiVersion": "networking.istio.io/v1",
    "kind": "VirtualService",
    "metadata": {"name": "reviews", "namespace": "shop"},
    "spec": {"hosts": ["reviews"], "http": [{"route": [{"destination": {"host": "reviews"}}]}]},
}
DR = {
    "apiVersion": "networking.istio.io/v1alpha3",
    "kind": "DestinationRule",
    "metadata": {"name": "reviews"},
    "spec": {"host": "reviews", "subsets": [{"name": "v1", "labels": {"version": "v1"}}]},
}
SVC = {
    "apiVersion": "v1",
    "kind": "Service",
    "metadata": {"name": "reviews", "namespace": "shop"},
    "spec": {"ports": [{"port": 9080, "name": "http"}]},
}
BAD_DR = {
    "apiVersion": "networking.istio.io/v1",
    "kind": "DestinationRule",
    "metadata": {"name": "broken", "namespace": "shop"},
    "spec": {"host": "reviews", "trafficPolicy": {"tls": {"mode": "ISTIO_MUTAL"}}},
}
BAD_DR_TABLE = {
    "": (Span(PATH, 201, 1, 210, 1), None),
    "/spec/trafficPolicy/tls": (span(208, 7, 20), span(207, 5, 4)),
    "/spec/trafficPolicy/tls/mode": (span(208, 13, 11), span(208, 7, 4)),
}


def test_multi_kind_input():
    docs = [raw(0, VS), raw(1, DR), raw(2, SVC)]
    result = build(docs)
    assert [type(r) for r in result.resources] == [VirtualService, DestinationRule, Service]
    assert result.findings == () and result.invalid == () and result.skipped == 0
    origin = result.resources[1].origin
    assert origin is not None
    assert (origin.path, origin.doc_index, origin.template) == (PATH, 1, "templates/vs.yaml")
    assert origin.source is docs[1].source
    assert result.resources[0].ref == ResourceRef(
        "VirtualService", "reviews", "shop", "networking.istio.io/v1"
    )


def test_unknown_kinds_and_versions_are_skipped_and_counted():
    docs = [
        raw(0, {"apiVersion": "networking.istio.io/v1alpha3", "kind": "EnvoyFilter"}),
        raw(1, {**VS, "apiVersion": "networking.istio.io/v2"}),
        raw(2, {"apiVersion": "v1", "kind": "VirtualService"}),
        raw(3, {"just": "yaml"}),
        raw(4, {"apiVersion": 1, "kind": ["x"]}),
        raw(5, VS),
    ]
    result = build(docs)
    assert result.skipped == 5
    assert [r.kind for r in result.resources] == ["VirtualService"]


def test_invalid_value_becomes_mesh004_at_the_field():
    result = build([raw(2, BAD_DR, BAD_DR_TABLE), raw(3, VS)])
    (finding,) = result.findings
    assert (finding.code, finding.rule, finding.severity) == (
        "MESH004",
        "schema-invalid-value",
        Severity.ERROR,
    )
    assert finding.pointer == "/spec/trafficPolicy/tls/mode"
    assert finding.span == span(208, 13, 11)
    assert finding.resource == ResourceRef(
        "DestinationRule", "broken", "shop", "networking.istio.io/v1"
    )
    assert "/spec/trafficPolicy/tls/mode" in finding.message
    assert result.invalid == (finding.resource,)
    assert [r.name for r in result.resources] == ["reviews"]


def test_one_finding_per_error_with_list_indexes():
    data = {
        **VS,
        "spec": {
            "hosts": ["reviews"],
            "http": [
                {"route": [{"destination": {"host": "a"}, "weight": "ten"}]},
                {"match": [{"uri": "/exact"}], "route": [{"destination": {"host": "b"}}]},
            ],
        },
    }
    result = build([raw(0, data)])
    assert sorted(f.pointer for f in result.findings) == [
        "/spec/http/0/route/0/weight",
        "/spec/http/1/match/0/uri",
    ]
    assert result.resources == () and len(result.invalid) == 1


def test_reported_pointers_are_not_duplicated():
    seen: list[tuple[int, str]] = []

    def reported(doc: RawDocument, pointer: str) -> bool:
        seen.append((doc.index, pointer))
        return True

    result = build([raw(2, BAD_DR, BAD_DR_TABLE)], reported=reported)
    assert result.findings == ()
    assert seen == [(2, "/spec/trafficPolicy/tls/mode")]
    assert len(result.invalid) == 1  # still invalid: reference checks treat the name as existing


def test_missing_span_falls_back_to_nearest_ancestor():
    result = build([raw(2, BAD_DR, {"/spec/trafficPolicy/tls": (span(208, 7, 20), None)})])
    assert result.findings[0].span == span(208, 7, 20)


def test_null_fields_are_pruned_like_kubernetes_does():
    data = {**VS, "spec": {"hosts": None, "gateways": ["mesh"], "exportTo": None}}
    data["metadata"] = {"name": "reviews", "labels": None}
    result = build([raw(0, data)])
    assert result.findings == ()
    (vs,) = result.resources
    assert isinstance(vs, VirtualService)
    assert vs.spec.hosts == () and vs.spec.gateways == ("mesh",) and vs.metadata.labels == {}
    assert data["spec"]["hosts"] is None  # the raw document is not modified


def test_null_map_entry_stays_an_error():
    spec = {"hosts": ["r"], "http": [{"match": [{"headers": {"x-a": None}}]}]}
    result = build([raw(0, {**VS, "spec": spec})])
    assert [f.pointer for f in result.findings] == ["/spec/http/0/match/0/headers/x-a"]


def test_label_numbers_do_not_invalidate_a_resource():
    data = {**DR, "metadata": {"name": "r", "labels": {"version": 2}}}
    (dr,) = build([raw(0, data)]).resources
    assert dr.metadata.labels == {"version": "2"}


def test_secret_data_is_not_kept():
    secret = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "s"},
        "data": {"k": "djE="},
    }
    (built,) = build([raw(0, secret)]).resources
    assert "djE=" not in repr(built.model_dump())


def test_invalid_metadata_still_gives_a_reference():
    data = {**VS, "metadata": {"name": "reviews", "namespace": "shop", "labels": ["oops"]}}
    result = build([raw(0, data)])
    assert result.invalid == (
        ResourceRef("VirtualService", "reviews", "shop", "networking.istio.io/v1"),
    )
    assert result.findings[0].pointer == "/metadata/labels"


def test_kind_table_agrees_with_kind_from_api():
    table = kind_table()
    for (api_version, name), kind in table.items():
        assert Kind.from_api(api_version, name) is kind
    assert len(table) == sum(len(k.served_versions) for k in Kind)
    assert kind_of(VS, table) is Kind.VIRTUAL_SERVICE
    assert kind_of(VS) is Kind.VIRTUAL_SERVICE
    assert kind_of([1, 2], table) is None


def test_data_path_skips_union_labels():
    data = {"spec": {"ports": [{"targetPort": 1.5}]}}
    loc = ("spec", "ports", 0, "targetPort", "int", "function-after[x]")
    assert data_path(data, loc) == ("spec", "ports", 0, "targetPort")


def test_garbage_collector_state_is_restored():
    import gc

    assert gc.isenabled()
    build([raw(0, VS)])
    assert gc.isenabled()
    gc.disable()
    try:
        build([raw(0, VS)])
        assert not gc.isenabled()
    finally:
        gc.enable()
