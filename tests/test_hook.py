"""The pre-commit hook: ``meshlint hook`` in-process, and the real hook file via ``try-repo``."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from meshlint import cli

ROOT = Path(__file__).resolve().parents[1]
MESHES = ROOT / "fixtures" / "meshes"
# what pip needs to build and install meshlint from a copy of this working tree
HOOK_REPO_FILES = (
    "pyproject.toml",
    "README.md",
    ".pre-commit-hooks.yaml",
    "meshlint",
    "schemas",
    "rules",
)


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def _copy_mesh(name: str, target: Path) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    for source in (MESHES / name).glob("*.yaml"):
        shutil.copy(source, target / source.name)
    return target


@pytest.fixture
def broken(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The broken sample mesh in an empty working directory."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NO_COLOR", "1")
    return _copy_mesh("broken", tmp_path)


# -- the hook file -------------------------------------------------------------------------------


def test_hook_file_defines_the_meshlint_hook() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    (hook,) = hooks
    assert (hook["id"], hook["entry"], hook["language"]) == ("meshlint", "meshlint hook", "python")
    assert hook["require_serial"] is True
    assert hook.get("pass_filenames", True) is True
    assert hook["types_or"] == ["yaml", "json"]


def test_hook_entry_runs_on_the_sample_meshes(
    capsys: pytest.CaptureFixture[str], broken: Path
) -> None:
    hook = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))[0]
    command = hook["entry"].split()[1:]
    code, out, _ = _run(capsys, *command, "routing.yaml", "typo.yaml")
    assert code == 1
    assert "routing.yaml:19:17: error MESH120" in out
    assert "typo.yaml:17:7: error MESH003" in out


# -- meshlint hook: the whole mesh is loaded, only the given files reported ----------------------


def test_hook_reports_only_the_given_files(
    capsys: pytest.CaptureFixture[str], broken: Path
) -> None:
    code, out, err = _run(capsys, "hook", "typo.yaml")
    assert (code, err) == (1, "")
    codes = [line.split()[2] for line in out.splitlines() if line.startswith("typo.yaml:")]
    assert codes == ["MESH003"]
    assert "MESH120" not in out
    assert "routing.yaml" not in out


def test_hook_keeps_cross_file_references(capsys: pytest.CaptureFixture[str], broken: Path) -> None:
    """routing.yaml alone would miss its Services and DestinationRules (workloads.yaml)."""
    code, out, _ = _run(capsys, "check", "routing.yaml")
    assert "ratings port 9090 is not a port" not in out  # the Service is in workloads.yaml
    code, out, _ = _run(capsys, "hook", "routing.yaml")
    assert code == 1
    assert "routing.yaml:64:19: error MESH122 destination ratings port 9090" in out
    assert "routing.yaml:19:17: error MESH120 route to reviews subset v3, but Destination" in out


def test_hook_without_files_reports_the_whole_mesh(
    capsys: pytest.CaptureFixture[str], broken: Path
) -> None:
    code, out, _ = _run(capsys, "hook")
    assert code == 1
    assert {"MESH001", "MESH002", "MESH003", "MESH120"} <= {
        word for line in out.splitlines() for word in line.split() if word.startswith("MESH")
    }


def test_hook_mesh_roots_from_config(capsys: pytest.CaptureFixture[str], broken: Path) -> None:
    """``paths`` names the mesh; a given file outside it is linted too, nothing else is."""
    mesh = Path("deploy")
    mesh.mkdir()
    for name in ("routing.yaml", "workloads.yaml"):
        Path(name).rename(mesh / name)
    Path(".meshlint.yaml").write_text("paths: [deploy]\n")
    code, out, _ = _run(capsys, "hook", "deploy/routing.yaml", "typo.yaml")
    assert code == 1
    assert "deploy/routing.yaml:19:17: error MESH120" in out
    assert "typo.yaml:17:7: error MESH003" in out
    assert "in 3 files" in out  # deploy/ (2 files) + typo.yaml; not syntax-error.yaml


def test_hook_mesh_option_overrides_config(
    capsys: pytest.CaptureFixture[str], broken: Path
) -> None:
    Path(".meshlint.yaml").write_text("paths: [nowhere]\n")
    mesh = Path("deploy")
    mesh.mkdir()
    for name in ("routing.yaml", "workloads.yaml"):
        Path(name).rename(mesh / name)
    code, out, _ = _run(capsys, "hook", "--mesh", "deploy", "deploy/routing.yaml")
    assert code == 1
    assert "deploy/routing.yaml:64:19: error MESH122" in out
    assert "in 2 files" in out
    code, _, err = _run(capsys, "hook", "deploy/routing.yaml")
    assert code == 2
    assert "nowhere" in err


def test_hook_fail_on_and_formats(capsys: pytest.CaptureFixture[str], broken: Path) -> None:
    code, out, _ = _run(capsys, "hook", "typo.yaml", "--fail-on", "never", "-f", "github")
    assert code == 0
    assert out.startswith("::error file=typo.yaml,line=17,col=7,")
    code, _, err = _run(capsys, "hook", "typo.yaml", "-f", "json", "-f", "sarif")
    assert code == 2
    assert "only one format can go to stdout" in err


def test_hook_bad_paths_config_exit_2(capsys: pytest.CaptureFixture[str], broken: Path) -> None:
    Path(".meshlint.yaml").write_text("paths: {a: 1}\n")
    code, _, err = _run(capsys, "hook", "typo.yaml")
    assert code == 2
    assert 'option "paths"' in err


def test_hook_clean_staged_file_passes(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _copy_mesh("bookinfo", tmp_path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NO_COLOR", "1")
    code, out, _ = _run(capsys, "hook", "routing.yaml", "destination-rules.yaml")
    assert code == 0
    assert out == "No findings in 8 files, 34 resources, 0 skipped\n"


# -- the real pre-commit, through try-repo (installs meshlint into a fresh virtualenv) ------------


def _git_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT"))}
    identity = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com"}
    identity |= {"GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    return env | identity | {"PRE_COMMIT_HOME": str(home), "NO_COLOR": "1"}


def _git(cwd: Path, env: dict[str, str], *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A git repository holding a copy of this working tree (committed or not)."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    pytest.importorskip("pre_commit", reason="pre-commit is in the test extra")
    repo = tmp_path_factory.mktemp("hook-repo")
    env = _git_env(tmp_path_factory.mktemp("pre-commit-home"))
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in HOOK_REPO_FILES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, repo / name, ignore=ignore)
        else:
            shutil.copy(source, repo / name)
    _git(repo, env, "init", "-q")
    _git(repo, env, "add", "-A")
    _git(repo, env, "commit", "-q", "-m", "meshlint")
    return repo, env


def _mesh_repo(path: Path, mesh: str, env: dict[str, str], *, commit: bool) -> Path:
    _copy_mesh(mesh, path)
    _git(path, env, "init", "-q")
    _git(path, env, "add", "-A")
    if commit:
        _git(path, env, "commit", "-q", "-m", "mesh")
    return path


def _try_repo(
    hook_repo: tuple[Path, dict[str, str]], cwd: Path, *args: str
) -> subprocess.CompletedProcess[str]:
    repo, env = hook_repo
    command = [sys.executable, "-m", "pre_commit", "try-repo", str(repo), "meshlint", *args]
    return subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=900, check=False
    )


@pytest.mark.slow
def test_try_repo_fails_on_a_broken_mesh(
    hook_repo: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    mesh = _mesh_repo(tmp_path, "broken", hook_repo[1], commit=False)
    run = _try_repo(hook_repo, mesh, "--all-files")
    assert run.returncode == 1, run.stdout + run.stderr
    assert "meshlint" in run.stdout
    assert "Failed" in run.stdout
    assert "routing.yaml:19:17: error MESH120 route to reviews subset v3" in run.stdout
    assert "typo.yaml:17:7: error MESH003" in run.stdout


@pytest.mark.slow
def test_try_repo_passes_on_a_clean_mesh(
    hook_repo: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    mesh = _mesh_repo(tmp_path, "bookinfo", hook_repo[1], commit=False)
    run = _try_repo(hook_repo, mesh, "--all-files")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Passed" in run.stdout


@pytest.mark.slow
def test_try_repo_staged_file_sees_committed_references(
    hook_repo: tuple[Path, dict[str, str]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Only routing.yaml (VirtualServices) and namespaces.yaml are staged; the
    DestinationRules they need are in destination-rules.yaml, committed and unchanged."""
    env = hook_repo[1]
    mesh = _mesh_repo(tmp_path, "bookinfo", env, commit=True)
    staged = ("routing.yaml", "namespaces.yaml")
    for name in staged:
        with (mesh / name).open("a", encoding="utf-8") as handle:
            handle.write("# touched\n")
    _git(mesh, env, "add", *staged)
    monkeypatch.chdir(mesh)
    code, out, _ = _run(capsys, "check", *staged)  # what linting the staged files alone says
    assert code == 1
    assert "routing.yaml:19:17: error MESH120" in out
    run = _try_repo(hook_repo, mesh)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Passed" in run.stdout
    assert "MESH120" not in run.stdout
