"""A PolicyEngine on a running OPA server, through opa-python-client; the only importer of it.

Everything uploaded carries a per-run id, and ``close`` removes it again: the modules under
policy ids ``meshlint-<run>/...`` and the data document at ``data.meshlint`` (which holds the
inputs too). Each query is one request: a generated wrapper module evaluates the policy once per
resource with ``with input as``, exactly as a per-resource query would.
"""

from __future__ import annotations

import contextlib
import json
import re
import uuid
import warnings
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from meshlint.errors import ConfigError, MeshlintError
from meshlint.policy.data import dumps, positions
from meshlint.policy.engine import EngineError, Module, Outcome, Query
from meshlint.policy.regorus_engine import hits_from_rows
from meshlint.policy.regorus_engine import wrapper as make_wrapper

_UPLOAD_TIMEOUT = 300.0
_ERRNO = re.compile(r"\[Errno -?\d+\] ([^'\")]+)")


class OpaUnavailable(MeshlintError):
    """The OPA server cannot be reached or refuses meshlint's requests (a usage error)."""


@dataclass(frozen=True, slots=True)
class OpaSettings:
    """Where the server is and how to authenticate (``--opa-url`` and its TLS options)."""

    url: str
    token: str | None = None
    ca_file: str | None = None
    client_cert: str | None = None
    client_key: str | None = None
    insecure: bool = False


class OpaServerEngine:
    """Upload once, query per policy (batched over inputs), clean up on close."""

    name = "opa"

    def __init__(self, settings: OpaSettings, run_id: str | None = None) -> None:
        self._settings = settings
        self._run = run_id or uuid.uuid4().hex[:12]
        self._client: Any = None
        self._policy_ids: list[str] = []
        self._owner: dict[str, str] = {}  # policy id -> module path
        self._wrappers = 0
        self._positions: dict[str, list[int]] = {}

    @property
    def run_id(self) -> str:
        return self._run

    def load(
        self,
        modules: Sequence[Module],
        inputs: Sequence[Mapping[str, Any]],
        data: Mapping[str, Any],
    ) -> dict[str, EngineError]:
        client = self._connect()
        client.timeout = _UPLOAD_TIMEOUT
        self._positions = positions([str(document.get("kind", "")) for document in inputs])
        # JSON-safe first: a YAML timestamp loads as a datetime, which the client cannot send
        document = json.loads(dumps(data["meshlint"]))
        self._upload_data(document)
        errors: dict[str, EngineError] = {}
        for index, module in enumerate(modules):
            error = self._upload(f"meshlint-{self._run}/m{index}", module)
            if error is not None:
                errors[module.path] = error
        return errors

    def evaluate(self, query: Query, timeout: float) -> Outcome:
        self._wrappers += 1
        package = f"meshlint_query.r{self._run}.q{self._wrappers}"
        wrapper = Module(f"<wrapper of {query.package}>", make_wrapper(package, query))
        error = self._upload(f"meshlint-{self._run}/q{self._wrappers}", wrapper)
        if error is not None:
            return Outcome(error=error)
        return self._results(package, timeout)

    def close(self) -> None:
        if self._client is None:
            return
        with self._quiet():
            for policy_id in reversed(self._policy_ids):
                self._quietly(self._client.delete_policy, policy_id)
            self._quietly(self._client.delete_data, "meshlint")
        self._client.close_connection()
        self._client = None

    def _connect(self) -> Any:
        from opa_client import OpaClient  # type: ignore[import-untyped]

        settings = self._settings
        parts = urlsplit(settings.url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigError(f"--opa-url must be an http(s) URL, not {settings.url!r}")
        secure = parts.scheme == "https"
        verify: bool | str = settings.ca_file or True
        cert = (
            (settings.client_cert, settings.client_key)
            if settings.client_key
            else settings.client_cert
        )
        self._client = OpaClient(
            host=parts.hostname,
            port=parts.port or (443 if secure else 80),
            ssl=verify if secure else False,
            cert=cert,
            token=settings.token,
            retries=0,
        )
        if secure:  # the client has no public switch for either
            _pin_verify(self._client._session, False if settings.insecure else verify)
        return self._client

    @contextlib.contextmanager
    def _quiet(self) -> Iterator[None]:
        """With --opa-insecure, urllib3's per-request warning says what the user asked for."""
        if not self._settings.insecure:
            yield
            return
        from urllib3.exceptions import InsecureRequestWarning

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", InsecureRequestWarning)
            yield

    def _call(self, action: Any, *args: Any) -> Any:
        """Run one client call; a server that cannot be reached or refuses us is fatal."""
        import requests
        from opa_client.errors import ConnectionsError, RegoParseError  # type: ignore[import-untyped]

        try:
            with self._quiet():
                return action(*args)
        except ValueError as error:  # the reply was not JSON: a proxy page, not OPA
            message = f"{self._settings.url} did not answer like an OPA server ({error})"
            raise OpaUnavailable(message) from error
        except (requests.RequestException, ConnectionsError) as error:
            reason = _reason(error)
            raise OpaUnavailable(f"cannot reach OPA at {self._settings.url}: {reason}") from error
        except RegoParseError as error:
            if error.expression in ("unauthorized", "forbidden"):
                message = f"OPA at {self._settings.url} refused the request: {error.message}"
                raise OpaUnavailable(message) from error
            raise

    def _upload_data(self, document: dict[str, Any]) -> None:
        """PUT data.meshlint; a server that will not store it cannot run any policy."""
        from opa_client.errors import RegoParseError

        try:
            self._call(self._client.update_or_create_data, document, "meshlint")
        except RegoParseError as error:
            message = f"OPA at {self._settings.url} rejected the data document: {error.message}"
            raise OpaUnavailable(message) from error

    def _upload(self, policy_id: str, module: Module) -> EngineError | None:
        from opa_client.errors import RegoParseError

        try:
            self._call(self._client.update_policy_from_string, module.source, policy_id, False)
        except RegoParseError as error:
            return _parse_error(error, module.path)
        self._policy_ids.append(policy_id)
        self._owner[policy_id] = module.path
        return None

    def _results(self, package: str, timeout: float) -> Outcome:
        import requests

        self._client.timeout = timeout
        try:
            with self._quiet():
                reply = self._client.query_rule({}, package, "results")
        except requests.Timeout:
            return Outcome(error=EngineError(f"timed out after {timeout:g}s"))
        except requests.HTTPError as error:
            return Outcome(error=self._http_error(error))
        except requests.RequestException as error:
            return Outcome(error=EngineError(f"OPA request failed: {error}"))
        return Outcome(hits_from_rows(reply.get("result", []), self._positions))

    def _http_error(self, error: Any) -> EngineError:
        try:
            body = error.response.json()
        except (ValueError, AttributeError):
            return EngineError(str(error))
        for item in body.get("errors") or []:
            location = item.get("location") or {}
            path = self._owner.get(location.get("file", ""), location.get("file"))
            return EngineError(
                item.get("message", body.get("message", "")), path, location.get("row")
            )
        return EngineError(str(body.get("message", error)))

    @staticmethod
    def _quietly(action: Any, target: str) -> None:
        try:
            action(target)
        except Exception:  # cleanup is best effort: the server may be gone already
            return


def _pin_verify(session: Any, verify: bool | str) -> None:
    """Make ``verify`` (the CA file, True, or False for --opa-insecure) the one requests uses.

    requests replaces a session's ``verify`` by ``REQUESTS_CA_BUNDLE`` / ``CURL_CA_BUNDLE`` when
    they are set, which would silently ignore --opa-ca and --opa-insecure; proxies and the
    rest of the environment still apply.
    """
    merge = session.merge_environment_settings

    def merged(url: str, proxies: Any, stream: Any, wanted: Any, cert: Any) -> Any:
        settings = merge(url, proxies, stream, wanted, cert)
        settings["verify"] = verify
        return settings

    session.verify = verify
    session.merge_environment_settings = merged


def _reason(error: BaseException) -> str:
    """The short cause of a connection failure ("Connection refused"), on one line."""
    text = str(error)
    found = _ERRNO.search(text)
    if found is not None:
        return found.group(1).strip()
    return (text.splitlines() or [type(error).__name__])[0]


def _parse_error(error: Any, path: str) -> EngineError:
    for item in error.errors:
        location = item.get("location") or {}
        return EngineError(str(item.get("message", error.message)), path, location.get("row"))
    return EngineError(str(error.message), path)
