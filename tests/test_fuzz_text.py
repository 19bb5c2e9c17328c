"""Fuzz (a) random YAML text and (e) hostile bytes: findings only, never a crash or a hang."""

from __future__ import annotations

from fuzz.checks import check_bytes, check_text, fuzz_settings, recorded
from fuzz.mutate import seed_texts
from fuzz.text import binary_inputs, text_inputs
from hypothesis import given
from hypothesis import strategies as st


@fuzz_settings(ci=150, campaign=33_000)
@given(text=text_inputs())
def test_random_text(text: str) -> None:
    recorded("random_text", text.encode("utf-8", "surrogatepass"), lambda: check_text(text))


@fuzz_settings(ci=100, campaign=27_000)
@given(data=binary_inputs(st.one_of(seed_texts(), text_inputs())))
def test_hostile_bytes(data: bytes) -> None:
    recorded("hostile_bytes", data, lambda: check_bytes(data))


def test_oracle_catches_a_silent_loader() -> None:
    """The composer oracle is live: text PyYAML rejects gives MESH001 at the bad place."""
    result = check_text("apiVersion: v1\nkind: Service\nmetadata: {name: [x}\n")
    assert [(f.code, f.span.line) for f in result.findings] == [("MESH001", 3)]
