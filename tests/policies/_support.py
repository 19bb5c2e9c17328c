"""Test helpers: a small position-aware YAML loader (PyYAML compose) producing RawDocuments."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path
from typing import Any

import yaml

from meshlint.source import RawDocument, SourceMap, Span, join_pointer

OPA_VERSION = "v1.22.2"
OPA_MODULE = f"github.com/open-policy-agent/opa@{OPA_VERSION}"


def _span(path: str, node: yaml.Node) -> Span:
    start, end = node.start_mark, node.end_mark
    return Span(path, start.line + 1, start.column + 1, end.line + 1, end.column + 1)


def _walk(path: str, node: yaml.Node, pointer: str, table: dict[str, Any]) -> None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            child = join_pointer(pointer, key.value)
            table[child] = (_span(path, value), _span(path, key))
            _walk(path, value, child, table)
    elif isinstance(node, yaml.SequenceNode):
        for index, value in enumerate(node.value):
            child = join_pointer(pointer, index)
            table[child] = (_span(path, value), None)
            _walk(path, value, child, table)


def load_yaml(file: Path) -> list[RawDocument]:
    """Every non-empty mapping document of ``file`` with a full span table."""
    text = file.read_text(encoding="utf-8")
    path = str(file)
    nodes = [n for n in yaml.compose_all(text, Loader=yaml.SafeLoader) if n is not None]
    datas = [d for d in yaml.safe_load_all(text) if d is not None]
    documents = []
    for index, (node, data) in enumerate(zip(nodes, datas, strict=True)):
        if not isinstance(data, dict):
            continue
        table: dict[str, Any] = {"": (_span(path, node), None)}
        _walk(path, node, "", table)
        source = SourceMap.from_table(path, _span(path, node), table)
        documents.append(RawDocument(path, index, data, source))
    return documents


def find_opa() -> str | None:
    """``opa`` on PATH or in ``$(go env GOPATH)/bin``."""
    found = shutil.which("opa")
    if found:
        return found
    go = shutil.which("go")
    if go is None:
        return None
    gopath = subprocess.run([go, "env", "GOPATH"], capture_output=True, text=True, check=False)
    candidate = Path(gopath.stdout.strip() or os.path.expanduser("~/go")) / "bin" / "opa"
    return str(candidate) if candidate.is_file() else None


def install_opa() -> str | None:
    """``go install`` the pinned OPA when Go is present; None when Go is absent."""
    found = find_opa()
    if found or shutil.which("go") is None:
        return found
    subprocess.run(["go", "install", OPA_MODULE], check=True, timeout=900)
    return find_opa()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class OpaServer:
    """A real ``opa run --server`` on a free loopback port, stopped by ``stop``."""

    def __init__(self, binary: str, *extra: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        command = [binary, "run", "--server", "--addr", f"127.0.0.1:{self.port}"]
        self._process = subprocess.Popen(
            [*command, "--log-level", "error", *extra],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self._wait_ready()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        self.stop()
        raise RuntimeError("opa did not start")

    def stop(self) -> None:
        self._process.terminate()
        self._process.wait(timeout=10)
