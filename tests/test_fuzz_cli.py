"""Fuzz the command line: exit 0/1/2 with a one-line message, never 3, a traceback or a hang."""

from __future__ import annotations

import tempfile
from pathlib import Path

from fuzz.checks import assert_cli_outcome, fuzz_settings, recorded, run_main, run_subprocess
from fuzz.mutate import flipped_bytes, mutated_texts
from fuzz.schema import broken_documents, meshes
from fuzz.text import binary_inputs, text_inputs
from hypothesis import given
from hypothesis import strategies as st

FORMATS = ("text", "sarif", "github", "junit", "gitlab")


def _inputs() -> st.SearchStrategy[bytes]:
    texts = st.one_of(text_inputs(), mutated_texts(), broken_documents(), meshes())
    encoded = texts.map(lambda text: text.encode("utf-8", "surrogatepass"))
    return st.one_of(encoded, flipped_bytes(), binary_inputs(texts))


def _cli(data: bytes, extra: str, *, in_subprocess: bool = False) -> None:
    """``meshlint check`` on ``data`` as a file, JSON on stdout plus ``extra`` to a file."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "input.yaml"
        path.write_bytes(data)
        others = str(Path(folder) / f"report.{extra}")
        args = ["check", "--no-config", "--no-builtin-policies", "-f", "json"]
        args += ["-f", f"{extra}={others}", str(path)]
        code, stdout, stderr = run_subprocess(args) if in_subprocess else run_main(args)
        assert_cli_outcome(code, stdout, stderr)


@fuzz_settings(ci=25, campaign=1_500)
@given(data=_inputs(), extra=st.sampled_from(FORMATS))
def test_cli_in_process(data: bytes, extra: str) -> None:
    recorded("cli_in_process", data, lambda: _cli(data, extra))


@fuzz_settings(ci=2, campaign=40)
@given(data=_inputs())
def test_cli_subprocess_under_a_memory_cap(data: bytes) -> None:
    recorded("cli_subprocess", data, lambda: _cli(data, "sarif", in_subprocess=True))


def test_bad_flag_is_exit_2_with_one_line() -> None:
    code, stdout, stderr = run_main(["check", "--no-such-flag"])
    assert (code, stdout) == (2, "")
    assert_cli_outcome(code, stdout, stderr)
