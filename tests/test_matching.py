"""Table tests for meshlint.matching: hosts, selectors, references, exportTo, protocols."""

from __future__ import annotations

import pytest

from meshlint.matching import (
    ExportTo,
    NamespacedHost,
    Protocol,
    expand_short_name,
    host_matches,
    host_subset_of,
    imports_host,
    imports_vs_host,
    intersect_hosts,
    is_ip,
    labels_subset,
    more_specific,
    most_specific_match,
    parse_export_to,
    parse_namespaced_host,
    parse_protocol,
    resolve_gateway_name,
    selector_selects,
    service_port_protocol,
    split_export_annotation,
    split_ref,
)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("*.foo.com", "a.foo.com", True),
        ("*.foo.com", "a.b.foo.com", True),
        ("*.foo.com", "foo.com", False),
        ("*foo.com", "foo.com", True),
        ("*foo.com", "barfoo.com", True),
        ("*", "anything.example", True),
        ("*", "*.foo.com", True),
        ("*.foo.com", "*.com", True),
        ("*.com", "*.foo.com", True),
        ("*.foo.com", "*.bar.com", False),
        ("a.foo.com", "a.foo.com", True),
        ("a.foo.com", "b.foo.com", False),
        ("A.Foo.com", "a.foo.COM", True),
        ("reviews.prod", "reviews.prod.svc.cluster.local", False),
    ],
)
def test_host_matches(a, b, expected):
    assert host_matches(a, b) is expected
    assert host_matches(b, a) is expected


def test_host_matches_case_sensitive_for_validation():
    assert host_matches("A.foo.com", "a.foo.com", case_sensitive=True) is False


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("a.foo.com", "*.foo.com", True),
        ("*.foo.com", "a.foo.com", False),
        ("*.a.foo.com", "*.foo.com", True),
        ("*.foo.com", "*.a.foo.com", False),
        ("*.foo.com", "*", True),
        ("*", "*.foo.com", False),
        ("foo.com", "*.foo.com", False),
        ("a.foo.com", "a.foo.com", True),
        ("A.FOO.com", "*.foo.com", True),
    ],
)
def test_host_subset_of(a, b, expected):
    assert host_subset_of(a, b) is expected


@pytest.mark.parametrize(
    ("needle", "hosts", "expected"),
    [
        ("a.foo.com", ["*.foo.com", "a.foo.com", "*"], "a.foo.com"),
        ("a.foo.com", ["*", "*.com", "*.foo.com"], "*.foo.com"),
        ("a.b.foo.com", ["*.foo.com", "*.b.foo.com"], "*.b.foo.com"),
        ("foo.com", ["*.foo.com"], None),
        ("foo.com", ["*foo.com"], "*foo.com"),
        ("x.bar.com", ["*.foo.com", "a.bar.com"], None),
        ("*.foo.com", ["*.foo.com", "*"], "*.foo.com"),
        ("*.a.foo.com", ["*.foo.com", "*"], "*.foo.com"),
        ("*.foo.com", ["a.foo.com"], None),
        ("A.Foo.Com", ["a.foo.com"], "a.foo.com"),
    ],
)
def test_most_specific_match(needle, hosts, expected):
    assert most_specific_match(needle, hosts) == expected


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("a.com", "*.com", True),
        ("*.com", "a.com", False),
        ("*.foo.com", "*.com", True),
        ("*.com", "*.foo.com", False),
        ("b.com", "a.com", False),
    ],
)
def test_more_specific(a, b, expected):
    assert more_specific(a, b) is expected


@pytest.mark.parametrize(
    ("server", "vs", "expected"),
    [
        ("*.example.com", "a.example.com", "a.example.com"),
        ("a.example.com", "*.example.com", "a.example.com"),
        ("*", "Reviews.Example.com", "reviews.example.com"),
        ("*.example.com", "*.a.example.com", "*.a.example.com"),
        ("a.example.com", "b.example.com", None),
        ("*.example.com", "example.com", None),
    ],
)
def test_intersect_hosts(server, vs, expected):
    assert intersect_hosts(server, vs) == expected


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("reviews", "reviews.bookinfo.svc.cluster.local"),
        ("reviews.prod", "reviews.prod"),
        ("reviews.bookinfo.svc.cluster.local", "reviews.bookinfo.svc.cluster.local"),
        ("*", "*"),
        ("10.0.0.1", "10.0.0.1"),
        ("::1", "::1"),
        ("*.example.com", "*.example.com"),
    ],
)
def test_expand_short_name(host, expected):
    assert expand_short_name(host, "bookinfo") == expected


def test_expand_short_name_custom_suffix():
    assert expand_short_name("a", "ns", "corp.local") == "a.ns.svc.corp.local"


@pytest.mark.parametrize(
    ("host", "expected"),
    [("10.1.2.3", True), ("fe80::1", True), ("a.b", False), ("10.0.0.0/8", False)],
)
def test_is_ip(host, expected):
    assert is_ip(host) is expected


@pytest.mark.parametrize(
    ("selector", "labels", "expected"),
    [
        ({"app": "a"}, {"app": "a", "v": "1"}, True),
        ({"app": "a", "v": "2"}, {"app": "a", "v": "1"}, False),
        ({"app": "a"}, {}, False),
        ({}, {"app": "a"}, True),
        (None, {}, True),
    ],
)
def test_labels_subset(selector, labels, expected):
    assert labels_subset(selector, labels) is expected


@pytest.mark.parametrize(
    ("selector", "empty", "expected"),
    [(None, True, True), ({}, False, False), (None, False, False), ({"a": "1"}, False, True)],
)
def test_selector_selects(selector, empty, expected):
    assert selector_selects(selector, {"a": "1"}, empty=empty) is expected


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ("mesh", "mesh"),
        ("gw", "app/gw"),
        ("./gw", "app/gw"),
        ("other/gw", "other/gw"),
        ("gw.istio-system.svc.cluster.local", "istio-system/gw"),
        ("gw.istio-system", "istio-system/gw"),
    ],
)
def test_resolve_gateway_name(ref, expected):
    assert resolve_gateway_name(ref, "app") == expected


@pytest.mark.parametrize(("ref", "expected"), [("ns/gw", ("ns", "gw")), ("gw", ("", "gw"))])
def test_split_ref(ref, expected):
    assert split_ref(ref) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("foo.com", NamespacedHost("*", "foo.com")),
        ("prod/*", NamespacedHost("prod", "*")),
        ("./a.com", NamespacedHost(".", "a.com")),
        ("*/*", NamespacedHost("*", "*")),
        ("~prod/a.com", NamespacedHost("prod", "a.com", excluded=True)),
        ("~/*", NamespacedHost("*", "*", excluded=True)),
    ],
)
def test_parse_namespaced_host(value, expected):
    assert parse_namespaced_host(value) == expected


def _entries(*values):
    return [parse_namespaced_host(v) for v in values]


@pytest.mark.parametrize(
    ("entries", "host", "namespace", "expected"),
    [
        (("*/*",), "a.b.svc.cluster.local", "b", True),
        (("./*",), "a.web.svc.cluster.local", "web", True),
        (("./*",), "a.other.svc.cluster.local", "other", False),
        (("prod/*",), "a.prod.svc.cluster.local", "prod", True),
        (("prod/*",), "a.prod.svc.cluster.local", "dev", False),
        (("*/a.example.com",), "a.example.com", "any", True),
        (("*/*.example.com",), "b.a.example.com", "any", True),
        (("*/a.example.com",), "*.example.com", "any", False),
        (("*/*", "~prod/*"), "a.prod.svc.cluster.local", "prod", False),
        (("*/*", "~/*"), "a.b.c", "b", False),
        (("*/*", "~*/*.internal.com"), "x.internal.com", "b", False),
        (("*/*", "~*/*.internal.com"), "x.external.com", "b", True),
    ],
)
def test_imports_host(entries, host, namespace, expected):
    assert imports_host(_entries(*entries), host, namespace, "web") is expected


def test_imports_vs_host_is_bidirectional():
    entries = _entries("ns/a.com")
    assert imports_vs_host(entries, "*.com", "ns", "web") is True
    assert imports_host(entries, "*.com", "ns", "web") is False


@pytest.mark.parametrize(
    ("values", "default", "visible", "invisible", "private"),
    [
        ((), ("*",), ("a", "b"), (), False),
        ((".",), ("*",), ("own",), ("b",), True),
        (("own",), ("*",), ("own",), ("b",), True),
        (("b",), ("*",), ("b",), ("own",), False),
        ((".", "b"), ("*",), ("own", "b"), ("c",), False),
        (("*", "b"), (), ("c",), (), False),
        (("~",), ("*",), (), ("own", "b"), False),
        ((), (".",), ("own",), ("b",), True),
    ],
)
def test_parse_export_to(values, default, visible, invisible, private):
    export = parse_export_to(values, "own", default)
    assert all(export.visible_to(ns) for ns in visible)
    assert not any(export.visible_to(ns) for ns in invisible)
    assert export.private is private


def test_export_to_hidden():
    assert parse_export_to(("~",), "own", ("*",)) == ExportTo("own")
    assert ExportTo("own").hidden is True


@pytest.mark.parametrize(
    ("value", "expected"), [(None, ()), ("", ()), (" a , ., ", ("a", ".")), ("*", ("*",))]
)
def test_split_export_annotation(value, expected):
    assert split_export_annotation(value) == expected


@pytest.mark.parametrize(
    ("port", "name", "protocol", "app_protocol", "expected"),
    [
        (80, "http", None, None, Protocol.HTTP),
        (80, "http-web", None, None, Protocol.HTTP),
        (80, "HTTP-x", None, None, Protocol.HTTP),
        (80, "http2", None, None, Protocol.HTTP2),
        (80, "grpc-foo", None, None, Protocol.GRPC),
        (80, "grpc-web", None, None, Protocol.GRPC_WEB),
        (80, "GRPC-Web-x", None, None, Protocol.GRPC_WEB),
        (80, "tcp-db", None, None, Protocol.TCP),
        (80, "https", None, None, Protocol.HTTPS),
        (80, "tls-x", None, None, Protocol.TLS),
        (80, "mongo", None, None, Protocol.MONGO),
        (80, "httpx", None, None, Protocol.UNSUPPORTED),
        (80, "web", None, None, Protocol.UNSUPPORTED),
        (80, None, None, None, Protocol.UNSUPPORTED),
        (3306, "db", None, None, Protocol.TCP),
        (25, None, None, None, Protocol.TCP),
        (53, "dns", "UDP", None, Protocol.UDP),
        (80, "http", "UDP", None, Protocol.UDP),
        (80, "tcp-foo", None, "http", Protocol.HTTP),
        (80, "http", None, "foo", Protocol.UNSUPPORTED),
        (80, "tcp", None, "kubernetes.io/h2c", Protocol.HTTP2),
        (80, "tcp", None, "kubernetes.io/ws", Protocol.HTTP),
        (80, "tcp", None, "kubernetes.io/wss", Protocol.HTTPS),
        (80, "tcp", None, "grpc-web", Protocol.GRPC_WEB),
        (27017, "web", None, None, Protocol.TCP),
    ],
)
def test_service_port_protocol(port, name, protocol, app_protocol, expected):
    assert service_port_protocol(port, name, protocol, app_protocol) is expected


@pytest.mark.parametrize(
    ("protocol", "http", "tls", "tcp", "sniffed"),
    [
        (Protocol.HTTP, True, False, False, False),
        (Protocol.GRPC_WEB, True, False, False, False),
        (Protocol.HTTPS, False, True, False, False),
        (Protocol.MYSQL, False, False, True, False),
        (Protocol.UNSUPPORTED, False, False, False, True),
    ],
)
def test_protocol_families(protocol, http, tls, tcp, sniffed):
    assert (protocol.is_http, protocol.is_tls, protocol.is_tcp, protocol.is_sniffed) == (
        http,
        tls,
        tcp,
        sniffed,
    )
    assert protocol.is_http_or_sniffed is (http or sniffed)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https", Protocol.HTTPS),
        ("GRPC-WEB", Protocol.GRPC_WEB),
        ("", Protocol.UNSUPPORTED),
        (None, Protocol.UNSUPPORTED),
    ],
)
def test_parse_protocol(value, expected):
    assert parse_protocol(value) is expected
