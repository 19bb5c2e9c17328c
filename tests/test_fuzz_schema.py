"""Fuzz (c) schema-guided resources with wrong values and (d) whole meshes through every rule."""

from __future__ import annotations

from fuzz.checks import WITH_POLICIES, check_text, fuzz_settings, recorded
from fuzz.schema import KINDS, broken_documents, meshes, schema
from hypothesis import given

from meshlint.analyzers import ALL_RULES

PYTHON_CODES = frozenset(rule.code for rule in ALL_RULES)


@fuzz_settings(ci=100, campaign=10_000)
@given(text=broken_documents())
def test_schema_guided_wrong_values(text: str) -> None:
    recorded("schema_guided", text.encode("utf-8", "surrogatepass"), lambda: check_text(text))


@fuzz_settings(ci=40, campaign=5_000)
@given(text=meshes())
def test_meshes_through_every_rule(text: str) -> None:
    def check() -> None:
        result = check_text(text)
        assert not set(result.rules_run) & set(result.rules_skipped)
        assert set(result.rules_run) <= PYTHON_CODES

    recorded("meshes", text.encode("utf-8", "surrogatepass"), check)


@fuzz_settings(ci=8, campaign=400)
@given(text=meshes())
def test_meshes_with_the_builtin_rego_pack(text: str) -> None:
    def check() -> None:
        result = check_text(text, WITH_POLICIES)
        assert any(code.startswith("MESH6") for code in result.rules_run)

    recorded("meshes_rego", text.encode("utf-8", "surrogatepass"), check)


def test_every_modelled_kind_has_a_schema() -> None:
    for kind in KINDS:
        expected = "Gateway" if kind == "KubernetesGateway" else kind  # gateway.networking.k8s.io
        assert schema(kind)["properties"]["kind"]["const"] == expected
