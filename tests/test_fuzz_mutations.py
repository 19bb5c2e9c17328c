"""Fuzz (b): mutations of the seed corpus (rule fixtures and example meshes)."""

from __future__ import annotations

from fuzz.checks import check_bytes, check_text, fuzz_settings, recorded
from fuzz.mutate import MUTATIONS, flipped_bytes, mutated_texts, seeds
from hypothesis import given


@fuzz_settings(ci=100, campaign=15_000)
@given(text=mutated_texts())
def test_mutated_seeds(text: str) -> None:
    recorded("mutated_seeds", text.encode("utf-8", "surrogatepass"), lambda: check_text(text))


@fuzz_settings(ci=50, campaign=10_000)
@given(data=flipped_bytes())
def test_flipped_bytes(data: bytes) -> None:
    def check() -> object:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return check_bytes(data)
        return check_text(text)

    recorded("flipped_bytes", data, check)


def test_seed_corpus_is_the_fixtures() -> None:
    """Every rule has a bad and a good fixture, plus the example meshes: well over 140 seeds."""
    texts = seeds()
    assert len(texts) >= 140
    assert any("kind: VirtualService" in text for text in texts)
    assert len(MUTATIONS) == 8
