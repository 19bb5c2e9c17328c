"""The content-hash cache: warm runs equal cold ones, changes and damage are misses, and the
cache never turns into an error (read-only, concurrent, corrupt)."""

from __future__ import annotations

import datetime
import io
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

import meshlint.cache
import meshlint.lint
import meshlint.loader
from meshlint import cli
from meshlint.cache import FORMAT, Cache, finding_plain, finding_value
from meshlint.config import Config
from meshlint.findings import Finding, Fix, FixOp, Related, ResourceRef, Severity
from meshlint.lint import lint
from meshlint.parallel import can_fork
from meshlint.source import Span

ROOT = Path(__file__).resolve().parents[1]
MESHES = ROOT / "fixtures" / "meshes"
SALT = b"test-salt"  # fixed, so other edits to meshlint's files cannot turn a hit into a miss


@pytest.fixture
def mesh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the broken fixture mesh, linted from its parent (display paths ``mesh/...``)."""
    shutil.copytree(MESHES / "broken", tmp_path / "mesh")
    monkeypatch.chdir(tmp_path)
    return tmp_path / "mesh"


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("MESHLINT_CACHE_DIR", str(folder))
    monkeypatch.setattr(meshlint.cache, "salt", lambda: SALT)
    return folder


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The display paths the loader parses (rather than restores from the cache)."""
    seen: list[str] = []
    real = meshlint.loader._parse_data

    def spy(out: object, data: bytes | str, path: str, limits: object) -> object:
        seen.append(path)
        return real(out, data, path, limits)  # type: ignore[arg-type]

    monkeypatch.setattr(meshlint.loader, "_parse_data", spy)
    return seen


def entries(folder: Path, kind: str) -> list[Path]:
    return sorted(p for p in (folder / f"v{FORMAT}" / kind).rglob("*") if p.is_file())


def check(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = cli.main(["check", *args])
    return code, capsys.readouterr().out


def identities(findings: tuple[Finding, ...]) -> list[tuple[object, ...]]:
    return [(f.code, f.span, f.pointer, f.related, f.message) for f in findings]


# ---------------------------------------------------------------------------- CLI, both layers


@pytest.mark.parametrize("name", ["broken", "bookinfo"])
@pytest.mark.parametrize("fmt", ["text", "json"])
def test_warm_run_prints_exactly_the_cold_output(
    name: str,
    fmt: str,
    cache_dir: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(ROOT)
    path = f"fixtures/meshes/{name}"
    uncached = check(capsys, "--no-cache", "--format", fmt, path)
    cold = check(capsys, "--format", fmt, path)
    assert len(entries(cache_dir, "runs")) == 1
    warm = check(capsys, "--format", fmt, path)
    assert cold == uncached
    assert warm == cold
    assert warm[0] == (1 if name == "broken" else 0)
    if fmt == "json":
        assert json.loads(warm[1])["summary"]["findings"] == len(json.loads(cold[1])["findings"])


def test_a_whole_run_hit_builds_nothing(
    mesh: Path, cache_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    text = check(capsys, "--no-cache", "mesh")
    cold = check(capsys, "--format", "json", "mesh")

    def fail(*args: object, **kwargs: object) -> None:
        raise AssertionError("the pipeline ran on a whole-run hit")

    monkeypatch.setattr(meshlint.lint, "_analyze", fail)
    monkeypatch.setattr(meshlint.loader, "_parse_data", fail)
    assert check(capsys, "--format", "json", "mesh") == cold
    assert check(capsys, "mesh") == text  # the result is stored, not its rendering


def test_no_cache_writes_nothing(
    mesh: Path, cache_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = check(capsys, "--no-cache", "mesh")
    assert code == 1
    assert "MESH120" in out
    assert not cache_dir.exists()


def test_config_can_turn_the_cache_off(
    mesh: Path, cache_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (mesh.parent / ".meshlint.yaml").write_text("cache: false\n")
    assert check(capsys, "mesh")[0] == 1
    assert not cache_dir.exists()


def test_cache_dir_flag_and_config_key(
    mesh: Path, cache_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MESHLINT_CACHE_DIR")
    check(capsys, "--cache-dir", "flagged", "mesh")
    assert len(entries(mesh.parent / "flagged", "runs")) == 1
    (mesh.parent / "conf").mkdir()
    (mesh.parent / "conf" / ".meshlint.yaml").write_text("cache-dir: from-config\n")
    check(capsys, "--config", "conf/.meshlint.yaml", "mesh")
    assert len(entries(mesh.parent / "conf" / "from-config", "runs")) == 1  # relative to the file
    assert (mesh.parent / "conf" / "from-config").stat().st_mode & 0o777 == 0o700


def test_a_cache_dir_that_cannot_be_created_means_no_cache(
    mesh: Path, cache_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (mesh.parent / "a-file").write_text("not a folder\n")
    cold = check(capsys, "--no-cache", "mesh")
    assert check(capsys, "--cache-dir", "a-file/cache", "mesh") == cold
    assert capsys.readouterr().err == ""


def test_a_read_only_cache_degrades_to_no_cache(
    mesh: Path, cache_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    cold = check(capsys, "--no-cache", "--format", "json", "mesh")

    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    # what a read-only folder does (the tests run as root, for whom chmod changes nothing)
    monkeypatch.setattr(meshlint.cache, "_write_atomic", refuse)
    assert check(capsys, "--format", "json", "mesh") == cold
    assert check(capsys, "--format", "json", "mesh") == cold
    assert entries(cache_dir, "files") == entries(cache_dir, "runs") == []


def test_stdin_uses_only_the_per_file_layer(
    cache_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    text = (MESHES / "broken" / "routing.yaml").read_bytes()
    outputs = []
    for _ in range(2):
        monkeypatch.setattr(sys, "stdin", _BinaryStdin(text))
        outputs.append(check(capsys, "--format", "json", "-"))
    assert outputs[0] == outputs[1]
    assert "MESH102" in outputs[0][1]
    assert len(entries(cache_dir, "files")) == 1
    assert entries(cache_dir, "runs") == []


class _BinaryStdin:
    def __init__(self, data: bytes) -> None:
        self.buffer = io.BytesIO(data)


def test_two_concurrent_runs_share_a_cache(mesh: Path, tmp_path: Path) -> None:
    env = {**os.environ, "MESHLINT_CACHE_DIR": str(tmp_path / "shared"), "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "meshlint", "check", "--format", "json", "mesh"]
    runs = [
        subprocess.Popen(
            command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for _ in range(2)
    ]
    results = [(proc.wait(timeout=120), *proc.communicate()) for proc in runs]
    assert [r[0] for r in results] == [1, 1]
    assert [r[2] for r in results] == [b"", b""]
    assert results[0][1] == results[1][1]
    again = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, check=False)
    assert (again.returncode, again.stdout) == (1, results[0][1])
    assert list((tmp_path / "shared").rglob(".tmp-*")) == []  # no temporary file left behind


def test_cache_dir_and_clean_commands(
    mesh: Path, cache_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["cache", "dir"]) == 0
    assert capsys.readouterr().out == f"{cache_dir}\n"
    check(capsys, "mesh")
    stored = len(entries(cache_dir, "files")) + len(entries(cache_dir, "runs"))
    assert stored == 6  # five files (README.md is not read) and one run
    modes = {p.stat().st_mode & 0o777 for p in cache_dir.rglob("*") if p.is_dir()}
    assert modes | {cache_dir.stat().st_mode & 0o777} == {0o700}
    assert {p.stat().st_mode & 0o777 for p in cache_dir.rglob("*") if p.is_file()} == {0o600}
    (cache_dir / "keep.txt").write_text("not ours\n")
    assert cli.main(["cache", "clean"]) == 0
    assert capsys.readouterr().out.startswith(f"removed {stored} entries (")
    assert sorted(p.name for p in cache_dir.iterdir()) == ["keep.txt"]


# ---------------------------------------------------------------------------- library, layers


def open_cache(folder: Path) -> Cache:
    return Cache(folder, SALT)


def test_the_library_api_does_not_cache_by_default(mesh: Path, cache_dir: Path) -> None:
    lint(["mesh"], Config())
    assert not cache_dir.exists()


def test_a_changed_file_is_parsed_again_and_the_others_hit(
    mesh: Path, tmp_path: Path, parsed: list[str]
) -> None:
    cache = open_cache(tmp_path / "c")
    cold = lint(["mesh"], Config(), cache=cache)
    assert sorted(parsed) == [
        "mesh/duplicate-key.yaml",
        "mesh/routing.yaml",
        "mesh/syntax-error.yaml",
        "mesh/typo.yaml",
        "mesh/workloads.yaml",
    ]
    routing = mesh / "routing.yaml"
    routing.write_text(routing.read_text().replace("subset: v3", "subset: v2", 1))
    parsed.clear()
    warm = lint(["mesh"], Config(), cache=cache)
    assert parsed == ["mesh/routing.yaml"]
    assert "MESH120" in {f.code for f in cold.findings}
    assert "MESH120" not in {f.code for f in warm.findings}
    assert identities(warm.findings) == identities(lint(["mesh"], Config()).findings)


@pytest.mark.parametrize("name", ["broken", "bookinfo"])
def test_restored_documents_equal_freshly_parsed_ones(name: str, tmp_path: Path) -> None:
    """The entries are written after the build ran: nothing downstream may have changed the
    stored data, origins or spans."""
    cache = open_cache(tmp_path / "c")
    paths = [str(MESHES / name)]
    lint(paths, Config(), cache=cache)
    fresh = meshlint.loader.load(paths)
    restored = meshlint.loader.load(paths, cache=cache)
    assert not restored.pending  # every file came from the cache
    assert len(restored.schema) == len(restored.documents) == len(fresh.documents)
    for new, old in zip(restored.documents, fresh.documents, strict=True):
        assert (new.path, new.index, new.item, new.template) == (
            old.path,
            old.index,
            old.item,
            old.template,
        )
        assert new.data == old.data
        assert new.source.origin == old.source.origin
        assert new.source.span("/metadata/name") == old.source.span("/metadata/name")
        assert new.source.key_span("/spec") == old.source.key_span("/spec")
    assert restored.findings == fresh.findings
    assert (restored.files, restored.skipped) == (fresh.files, fresh.skipped)


TRICKY = (
    "# Source: chart/templates/list.yaml\r\n"
    "apiVersion: v1\r\nkind: List\r\nitems:\r\n"
    "- apiVersion: v1\r\n  kind: Service\r\n  metadata: {name: a, namespace: x}\r\n"
    "- not an object\r\n"
    "- apiVersion: v1\r\n  kind: Service\r\n  metadata: {name: b, namespace: x}\r\n"
    "  spec: {ports: [{port: 0x50}]}\r\n"  # 1.1-only number: the PyYAML path
    "---\r\n"
    "apiVersion: v1\r\nkind: Namespace\r\nmetadata: {name: x}\r\nmetadata: {name: y}\r\n"
)


def test_lists_templates_and_slow_path_documents_round_trip(tmp_path: Path) -> None:
    (tmp_path / "tricky.yaml").write_bytes(TRICKY.encode())
    (tmp_path / "stream.yaml").write_text(
        "%YAML 1.1\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: z}\n"
    )
    cache = open_cache(tmp_path / "c")
    paths = [str(tmp_path / "tricky.yaml"), str(tmp_path / "stream.yaml")]
    first = meshlint.loader.load(paths, cache=cache, root=tmp_path)
    assert [p.path for p in first.pending] == ["tricky.yaml"]  # a directive: not cached
    meshlint.loader.store_files(cache, first, {})
    fresh = meshlint.loader.load(paths, root=tmp_path)
    again = meshlint.loader.load(paths, cache=cache, root=tmp_path)
    assert again.pending == ()
    assert sorted(again.schema) == [0, 1, 2]  # restored: tricky.yaml's three documents
    assert [(d.data, d.item, d.template) for d in again.documents] == [
        (d.data, d.item, d.template) for d in fresh.documents
    ]
    assert [d.item for d in again.documents] == [0, 2, None, None]
    assert again.documents[0].template == "chart/templates/list.yaml"
    for new, old in zip(again.documents, fresh.documents, strict=True):
        for pointer in ("", "/metadata", "/metadata/name", "/spec/ports/0/port"):
            assert new.source.span(pointer) == old.source.span(pointer)
    assert again.findings == fresh.findings
    assert [f.code for f in again.findings] == ["MESH002"]
    assert (again.files, again.skipped) == (fresh.files, fresh.skipped) == (2, 1)


def test_per_file_hits_give_exact_positions(mesh: Path, tmp_path: Path, parsed: list[str]) -> None:
    cache = open_cache(tmp_path / "c")
    cold = lint(["mesh"], Config(), cache=cache, today=datetime.date(2026, 1, 1))
    parsed.clear()
    # another day misses the whole-run layer: every file comes from the per-file layer
    warm = lint(["mesh"], Config(), cache=cache, today=datetime.date(2026, 1, 2))
    assert parsed == []
    assert identities(warm.findings) == identities(cold.findings)
    assert {f.code for f in warm.findings} >= {"MESH001", "MESH002", "MESH003", "MESH120"}
    first = next(f for f in warm.findings if f.code == "MESH120")
    assert (first.span.path, first.span.line, first.span.column) == ("mesh/routing.yaml", 19, 17)
    assert first.related[0].span.path == "mesh/workloads.yaml"
    assert (warm.files, warm.resources, warm.skipped) == (cold.files, cold.resources, cold.skipped)


@pytest.mark.skipif(not can_fork(), reason="validation forks only on Linux")
def test_entries_written_by_the_forked_validation_are_used(
    mesh: Path, tmp_path: Path, parsed: list[str]
) -> None:
    cache = open_cache(tmp_path / "c")
    cold = lint(["mesh"], Config(jobs=2), cache=cache, today=datetime.date(2026, 1, 1))
    assert len(entries(tmp_path / "c", "files")) == 5  # written in the child
    parsed.clear()
    warm = lint(["mesh"], Config(jobs=2), cache=cache, today=datetime.date(2026, 1, 2))
    assert parsed == []
    assert identities(warm.findings) == identities(cold.findings)


def test_a_renamed_file_reuses_its_entry_under_the_new_name(
    mesh: Path, tmp_path: Path, parsed: list[str]
) -> None:
    cache = open_cache(tmp_path / "c")
    lint(["mesh"], Config(), cache=cache)
    (mesh / "routing.yaml").rename(mesh / "renamed.yaml")
    parsed.clear()
    warm = lint(["mesh"], Config(), cache=cache)
    assert parsed == []
    moved = next(f for f in warm.findings if f.code == "MESH120")
    assert (moved.span.path, moved.span.line, moved.span.column) == ("mesh/renamed.yaml", 19, 17)


def test_another_config_or_date_misses_the_whole_run_layer(mesh: Path, tmp_path: Path) -> None:
    cache = open_cache(tmp_path / "c")
    day = datetime.date(2026, 3, 1)
    lint(["mesh"], Config(), cache=cache, today=day)
    lint(["mesh"], Config(), cache=cache, today=day)
    assert len(entries(tmp_path / "c", "runs")) == 1
    lint(["mesh"], Config(namespace="other"), cache=cache, today=day)
    assert len(entries(tmp_path / "c", "runs")) == 2
    lint(["mesh"], Config(), cache=cache, today=day + datetime.timedelta(days=1))
    assert len(entries(tmp_path / "c", "runs")) == 3
    lint(["mesh"], Config(select=("MESH1",)), cache=cache, today=day)
    assert len(entries(tmp_path / "c", "runs")) == 4


def test_a_changed_mesh_config_misses_the_whole_run_layer(mesh: Path, tmp_path: Path) -> None:
    cache = open_cache(tmp_path / "c")
    settings = tmp_path / "meshconfig.yaml"
    settings.write_text("rootNamespace: istio-system\n")
    config = Config(mesh_config=str(settings))
    lint(["mesh"], config, cache=cache)
    settings.write_text("rootNamespace: mesh-root\n")
    lint(["mesh"], config, cache=cache)
    assert len(entries(tmp_path / "c", "runs")) == 2


def damage_truncate(blob: bytes) -> bytes:
    return blob[: len(blob) // 2]


def damage_garbage(blob: bytes) -> bytes:
    return os.urandom(len(blob))


def damage_version(blob: bytes) -> bytes:
    header = b"meshlint-cache\x00" + FORMAT.to_bytes(2, "big")
    assert blob.startswith(header)
    return b"meshlint-cache\x00" + (FORMAT + 1).to_bytes(2, "big") + blob[len(header) :]


def damage_body(blob: bytes) -> bytes:
    return blob[:-1] + bytes([blob[-1] ^ 0x01])  # the digest no longer matches


@pytest.mark.parametrize(
    "damage",
    [damage_truncate, damage_garbage, damage_version, damage_body],
    ids=lambda f: f.__name__,
)
def test_a_damaged_entry_is_a_miss(
    damage: Callable[[bytes], bytes], mesh: Path, tmp_path: Path, parsed: list[str]
) -> None:
    cache = open_cache(tmp_path / "c")
    cold = lint(["mesh"], Config(), cache=cache)
    for entry in (*entries(tmp_path / "c", "files"), *entries(tmp_path / "c", "runs")):
        entry.write_bytes(damage(entry.read_bytes()))
    parsed.clear()
    warm = lint(["mesh"], Config(), cache=cache)
    assert len(parsed) == 5  # every file parsed again
    assert identities(warm.findings) == identities(cold.findings)
    parsed.clear()
    lint(["mesh"], Config(), cache=cache)  # the entries were rewritten: hits again
    assert parsed == []


def test_a_wellformed_entry_of_the_wrong_shape_is_a_miss(mesh: Path, tmp_path: Path) -> None:
    cache = open_cache(tmp_path / "c")
    cold = lint(["mesh"], Config(), cache=cache)
    for entry in entries(tmp_path / "c", "files"):
        cache.put("files", entry.name, ("not", "an", "entry"))
    for entry in entries(tmp_path / "c", "runs"):
        cache.put("runs", entry.name, {"a": 1})
    warm = lint(["mesh"], Config(), cache=cache)
    assert identities(warm.findings) == identities(cold.findings)


# ---------------------------------------------------------------------------- the store


def test_keys_depend_on_every_part_and_the_salt(tmp_path: Path) -> None:
    cache = Cache(tmp_path, b"a")
    assert cache.key(b"ab", b"c") != cache.key(b"a", b"bc")
    assert cache.key(b"x") == Cache(tmp_path, b"a").key(b"x")
    assert cache.key(b"x") != Cache(tmp_path, b"b").key(b"x")


def test_put_and_get_round_trip_and_unstorable_values(tmp_path: Path) -> None:
    cache = Cache(tmp_path, SALT)
    value = {"data": [1, 2.5, None, True, "x", {"nested": ("t",)}]}
    assert cache.put("files", "ab12", value)
    assert cache.get("files", "ab12") == value
    assert cache.get("files", "cd34") is None
    assert not cache.put("files", "ef56", {"bad": object()})
    assert cache.get("files", "ef56") is None


def test_prune_removes_the_oldest_entries_beyond_the_cap(tmp_path: Path) -> None:
    cache = Cache(tmp_path, SALT, cap=2500)
    for number in range(5):
        key = f"{number:02d}" * 20
        cache.put("files", key, b"x" * 1000)
        path = tmp_path / f"v{FORMAT}" / "files" / key[:2] / key
        os.utime(path, (1_000_000 + number, 1_000_000 + number))
    assert cache.prune() == 3
    kept = [p.name[:2] for p in entries(tmp_path, "files")]
    assert kept == ["03", "04"]


def test_open_prunes_at_most_once_a_day(tmp_path: Path) -> None:
    first = Cache.open(tmp_path, cap=0)
    assert first is not None
    Cache(tmp_path, SALT).put("files", "aa" * 20, b"x")
    assert Cache.open(tmp_path, cap=0) is not None  # pruned less than a day ago: kept
    assert len(entries(tmp_path, "files")) == 1
    marker = tmp_path / f"v{FORMAT}" / "pruned"
    os.utime(marker, (0, 0))
    Cache.open(tmp_path, cap=0)
    assert entries(tmp_path, "files") == []
    assert (tmp_path / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d17")


def test_findings_round_trip_through_plain_values() -> None:
    span = Span("a.yaml", 3, 5, 3, 9)
    finding = Finding(
        "MESH120",
        "vs-subset-undefined",
        Severity.ERROR,
        "route to v3",
        span,
        ResourceRef("VirtualService", "reviews", None, "networking.istio.io/v1"),
        "/spec/http/0",
        (Related(Span("b.yaml", 1, 1, 1, 2), "DestinationRule"), Related(span, "here")),
        (("witness", {"path": "/x", "headers": [1, 2]}),),
        Fix(FixOp.SET, "/spec/x", None, "v2", "use v2"),
    )
    plain = finding_plain(finding, "a.yaml")
    assert plain[4][0] is None  # the file's own path is not stored
    moved = finding_value(plain, "c.yaml")
    assert moved.span == Span("c.yaml", 3, 5, 3, 9)
    assert moved.related[0].span.path == "b.yaml"
    assert moved.related[1].span.path == "c.yaml"
    assert finding_value(plain, "a.yaml") == finding
    assert finding_value(plain, "a.yaml").fix == finding.fix
