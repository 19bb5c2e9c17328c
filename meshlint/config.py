"""The run configuration: a frozen, validated value read from a file and merged with flags.

Rule selection (``select`` / ``ignore``) takes codes (``MESH120``), names
(``vs-subset-undefined``), code prefixes (``MESH1``, ``MESH12``) or ``ALL``. A rule runs when
the most specific ``select`` entry that matches it is more specific than the most specific
matching ``ignore`` entry (exact code or name > longer prefix > shorter prefix > ``ALL``; on a
tie ``ignore`` wins). An empty ``select`` selects every registered rule, preview ones
included, except rules that declare themselves opt-in (an ``opt_in`` attribute, none yet).
"""

from __future__ import annotations

import datetime
import difflib
import os
import re
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from meshlint.analyzers import ALL_RULES, RETIRED, RULES_BY_CODE, RULES_BY_NAME
from meshlint.errors import ConfigError
from meshlint.findings import Severity
from meshlint.meshconfig import MeshSettings, parse_mesh_config
from meshlint.rule import Rule

if TYPE_CHECKING:
    from meshlint.policy.opa_server import OpaSettings

FILE_NAMES = (".meshlint.yaml", ".meshlint.yml")
PYPROJECT = "pyproject.toml"
ALL = "ALL"
_PREFIX = re.compile(r"^MESH\d{0,2}$")
_EXACT = 100  # specificity of an exact code or name match
_HTTP_URL = re.compile(r"^https?://[^/:?#\s]+(:\d+)?(/\S*)?$")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# MESH codes outside the policy block: a typo there is reported at once, with did-you-mean
_MESH_NON_POLICY = re.compile(r"^MESH(?!6)\d*$")

FailOn = Literal["error", "warning", "info", "never"]


def _kebab(name: str) -> str:
    return name.replace("_", "-")


class ResourceSelector(BaseModel):
    """Which resources an ``ignores`` entry covers; each field is a glob (``*`` by default)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: str = "*"
    namespace: str = "*"
    name: str = "*"


class IgnoreEntry(BaseModel):
    """One ``ignores`` entry: codes (or names), where, why, and until when."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    codes: tuple[str, ...] = Field(min_length=1)
    path: str | None = Field(default=None, description="glob on the reported file path")
    resource: ResourceSelector | None = None
    reason: str = Field(min_length=1, pattern=r"\S")
    expires: datetime.date | None = Field(
        default=None, description="last day the entry applies (YYYY-MM-DD)"
    )
    _origin: tuple[str, int] | None = PrivateAttr(default=None)  # (config file, entry index)

    @property
    def origin(self) -> tuple[str, int] | None:
        """The config file this entry was written in and its index in ``ignores``."""
        return self._origin

    @field_validator("codes", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        return Config._split_commas(value)

    @field_validator("codes")
    @classmethod
    def _known(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        # Python rules are resolved here; policy codes are checked when the run loads them
        return tuple(_python_code(code) for code in value)


class Config(BaseModel):
    """Everything that shapes a run; passed explicitly into ``lint()``."""

    model_config = ConfigDict(
        frozen=True, extra="forbid", alias_generator=_kebab, populate_by_name=True
    )

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severity: dict[str, Severity] = Field(default_factory=dict)
    options: dict[str, dict[str, Any]] = Field(default_factory=dict)
    exclude: tuple[str, ...] = ()
    policies: tuple[str, ...] = ()
    # the whole mesh ``meshlint hook`` lints (default: the working directory)
    paths: tuple[str, ...] = ()
    mesh_config: str | None = None
    namespace: str = "default"
    assume_complete: bool = False
    fail_on: FailOn = "error"
    istio_version: str | None = None
    builtin_policies: bool = True
    policy_timeout: float = Field(default=10.0, gt=0, le=3600)
    opa_url: str | None = None
    opa_token_env: str | None = None  # the NAME of the variable holding the token, never a token
    opa_ca_file: str | None = None
    opa_insecure: bool = False
    ignores: tuple[IgnoreEntry, ...] = ()
    baseline: str | None = None
    jobs: int | None = Field(default=None, ge=1)  # processes; None: decided by input size
    cache: bool = True  # reuse earlier results for unchanged input (``meshlint check``)
    cache_dir: str | None = None  # None: $MESHLINT_CACHE_DIR or the user cache folder

    @field_validator("select", "ignore", "exclude", "policies", "paths", mode="before")
    @classmethod
    def _split_commas(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("select", "ignore")
    @classmethod
    def _known_selectors(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for selector in value:
            if not _maybe_policy(selector):  # policy codes are checked once policies load
                check_selector(selector)
        return value

    @field_validator("policies")
    @classmethod
    def _existing_policy_paths(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for path in value:
            if not Path(path).exists():
                raise ValueError(f"policy folder {path} does not exist")
        return value

    @field_validator("opa_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not _HTTP_URL.match(value):
            raise ValueError(f"{value!r} is not an http:// or https:// URL with a host")
        return value

    @field_validator("opa_token_env")
    @classmethod
    def _variable_name(cls, value: str | None) -> str | None:
        if value is not None and not _ENV_NAME.match(value):
            raise ValueError("give the name of an environment variable, not the token")
        return value

    @field_validator("opa_ca_file")
    @classmethod
    def _existing_file(cls, value: str | None) -> str | None:
        if value is not None and not Path(value).is_file():
            raise ValueError(f"CA file {value} does not exist")
        return value

    @model_validator(mode="after")
    def _known_policy_keys(self) -> Config:
        """Selectors and severity keys that name no Python rule must name a policy."""
        unknown = [
            (f, s) for f in ("select", "ignore") for s in getattr(self, f) if _maybe_policy(s)
        ]
        unknown += [("severity", key) for key in self.severity if key not in RULES_BY_CODE]
        unknown += [
            (f"ignores[{index}].codes", code)
            for index, entry in enumerate(self.ignores)
            for code in entry.codes
            if _maybe_policy(code)
        ]
        if not unknown:
            return self
        keys = {key: rule for rule in policy_catalogue(self) for key in (rule.code, rule.name)}
        for option, key in unknown:
            prefix = _PREFIX.match(key) and any(code.startswith(key) for code in keys)
            if key not in keys and not prefix:
                known = [*keys, *_rule_keys()]
                hint = _did_you_mean(key, known)
                raise ValueError(f'option "{option}": unknown rule "{key}"{hint}')
        severity = {keys[k].code if k in keys else k: v for k, v in self.severity.items()}
        object.__setattr__(self, "severity", severity)  # names -> codes, as for Python rules
        return self

    @field_validator("severity", "options")
    @classmethod
    def _keys_to_codes(cls, value: dict[str, Any]) -> dict[str, Any]:
        return {_python_code(key): item for key, item in value.items()}

    @field_validator("options")
    @classmethod
    def _valid_options(cls, value: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        for code, raw in value.items():
            model = RULES_BY_CODE[code].options
            if model is None:
                raise ValueError(f"rule {code} takes no options")
            try:
                model.model_validate(raw)
            except ValidationError as exc:
                raise ValueError(f"rule {code}: {_describe(exc, _field_names(model))}") from None
        return value

    @classmethod
    def parse(cls, data: Mapping[str, Any], *, source: str = "configuration") -> Config:
        """Validate ``data``; any problem becomes one ``ConfigError`` naming the key."""
        try:
            return cls.model_validate(dict(data))
        except ValidationError as exc:
            raise ConfigError(f"{source}: {_describe(exc, _field_names(cls))}") from None

    @classmethod
    def from_file(cls, path: Path) -> Config:
        """Read ``.meshlint.yaml`` or the ``[tool.meshlint]`` table of ``pyproject.toml``."""
        data = _read_table(path) if path.suffix == ".toml" else read_yaml_mapping(path)
        config = cls.parse(_relative_to(data, path.parent), source=display_path(path))
        for index, entry in enumerate(config.ignores):
            entry._origin = (display_path(path), index)
        return config

    def merged(self, **overrides: Any) -> Config:
        """A copy with ``overrides`` (None values ignored), validated again."""
        data = self.model_dump()
        data.update({key: value for key, value in overrides.items() if value is not None})
        data["ignores"] = self.ignores  # the validated entries, with where they were written
        return Config.parse(data, source="command line")

    def is_selected(self, rule: Rule) -> bool:
        chosen = max((_specificity(s, rule) for s in self.select), default=_default(rule))
        dropped = max((_specificity(s, rule) for s in self.ignore), default=-1)
        return chosen >= 0 and chosen > dropped

    def selected_codes(self, rules: Iterable[Rule] = ALL_RULES) -> frozenset[str]:
        return frozenset(rule.code for rule in rules if self.is_selected(rule))

    def severity_for(self, code: str) -> Severity | None:
        return self.severity.get(code)

    def options_for(self, rule: Rule) -> BaseModel | None:
        if rule.options is None:
            return None
        return rule.options.model_validate(self.options.get(rule.code, {}))

    def opa_settings(self) -> OpaSettings | None:
        """Where the OPA server is (None: the embedded engine); reads the token variable."""
        from meshlint.policy.opa_server import OpaSettings

        if self.opa_url is None:
            return None
        token = None
        if self.opa_token_env is not None:
            token = os.environ.get(self.opa_token_env)
            if not token:
                raise ConfigError(
                    f"opa-token-env: the environment variable {self.opa_token_env} is not set"
                )
        return OpaSettings(
            self.opa_url, token=token, ca_file=self.opa_ca_file, insecure=self.opa_insecure
        )

    @property
    def fail_threshold(self) -> Severity | None:
        """The lowest severity that fails the run (None for ``never``)."""
        return None if self.fail_on == "never" else Severity(self.fail_on)


def discover(start: Path) -> Path | None:
    """The nearest config file in ``start`` or one of its parents."""
    for folder in (start, *start.parents):
        for name in FILE_NAMES:
            if (folder / name).is_file():
                return folder / name
        pyproject = folder / PYPROJECT
        if pyproject.is_file() and "meshlint" in _tool_tables(pyproject):
            return pyproject
    return None


def display_path(path: Path) -> str:
    """``path`` relative to the working directory when it lies below it."""
    try:
        return path.absolute().relative_to(Path.cwd()).as_posix()
    except ValueError:
        return str(path)


def resolve_rule(key: str) -> Rule:
    """The rule a code or name stands for; ``ValueError`` for unknown or retired ones."""
    rule = RULES_BY_CODE.get(key) or RULES_BY_NAME.get(key)
    if rule is not None:
        return rule
    if key in RETIRED:
        raise ValueError(f"rule {key} is retired ({RETIRED[key]})")
    raise ValueError(f'unknown rule "{key}"{_did_you_mean(key, _rule_keys())}')


def _maybe_policy(key: str) -> bool:
    """Not a Python rule, prefix or ``ALL``: only the policy catalogue can tell."""
    if key == ALL or key in RULES_BY_CODE or key in RULES_BY_NAME or key in RETIRED:
        return False
    return not (_PREFIX.match(key) and _prefix_matches(key)) and not _MESH_NON_POLICY.match(key)


def _python_code(key: str) -> str:
    """A Python rule's code for a code or name; other keys unchanged (checked as policies)."""
    if _maybe_policy(key):
        return key
    return resolve_rule(key).code


def policy_catalogue(config: Config) -> tuple[Rule, ...]:
    """The policy rules ``config`` makes available: the built-in pack and its folders."""
    from meshlint.policy.catalogue import policy_rules
    from meshlint.policy.loader import load_policies

    paths = [Path(path) for path in config.policies]
    policy_set = load_policies(paths, parse_yaml=parse_yaml, builtin=config.builtin_policies)
    return policy_rules(policy_set.policies)


def check_selector(selector: str) -> None:
    """Accept a code, a name, a code prefix that matches a rule, or ``ALL``."""
    if selector == ALL or (_PREFIX.match(selector) and _prefix_matches(selector)):
        return
    resolve_rule(selector)


def _prefix_matches(prefix: str) -> bool:
    return any(rule.code.startswith(prefix) for rule in ALL_RULES)


def _specificity(selector: str, rule: Rule) -> int:
    if selector in (rule.code, rule.name):
        return _EXACT
    if selector == ALL:
        return 1
    if _PREFIX.match(selector) and rule.code.startswith(selector):
        return len(selector)
    return -1


def _default(rule: Rule) -> int:
    return -1 if getattr(rule, "opt_in", False) else 0


def _rule_keys() -> list[str]:
    return [*RULES_BY_CODE, *RULES_BY_NAME]


def _did_you_mean(word: str, choices: Iterable[str]) -> str:
    options = list(choices)
    same = [choice for choice in options if choice.lower() == word.lower()]
    close = same or difflib.get_close_matches(word, options, n=1)
    return f' (did you mean "{close[0]}"?)' if close else ""


def _field_names(model: type[BaseModel]) -> list[str]:
    return [info.alias or name for name, info in model.model_fields.items()]


def _describe(exc: ValidationError, names: Iterable[str]) -> str:
    errors = exc.errors()
    # an unknown key explains the "field required" errors that come with it: report it first
    error = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
    loc = [str(part) for part in error["loc"]]
    key = loc[0] if loc else ""
    if error["type"] == "extra_forbidden" and len(loc) > 1:
        inner = _NESTED.get(loc[0], {}).get(len(loc), [])
        return f'{_where(loc[:-1])}: unknown option "{loc[-1]}"{_did_you_mean(loc[-1], inner)}'
    if error["type"] == "extra_forbidden":
        return f'unknown option "{key}"{_did_you_mean(key, names)}'
    message = str(error["msg"]).removeprefix("Value error, ")
    if not loc:  # a whole-model check: the message names the key itself
        return message
    return f'option "{_where(loc)}": {message}'


def _where(loc: list[str]) -> str:
    """``ignores[0].resource`` for the location ``["ignores", "0", "resource"]``."""
    return "".join(f"[{part}]" if part.isdigit() else f".{part}" for part in loc).lstrip(".")


# the field names of nested option models, by top-level key and location depth
_NESTED: dict[str, dict[int, list[str]]] = {
    "ignores": {3: list(IgnoreEntry.model_fields), 4: list(ResourceSelector.model_fields)},
}


def parse_yaml(text: str) -> object:
    """Parse one small YAML document (config files, mesh config) into plain values."""
    from meshlint.loader.settings import parse_yaml as parse

    return parse(text)


def read_yaml_mapping(path: Path) -> dict[str, Any]:
    """A YAML file that must hold one mapping (empty file: empty mapping)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{display_path(path)}: cannot read the file ({exc})") from None
    try:
        data = parse_yaml(text)
    except ValueError as exc:
        raise ConfigError(f"{display_path(path)}: {exc}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{display_path(path)}: expected a mapping at the top level")
    return data


def _tool_tables(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            tool = tomllib.load(handle).get("tool", {})
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the configuration file ({exc})") from None
    return tool if isinstance(tool, dict) else {}


def _read_table(path: Path) -> dict[str, Any]:
    table = _tool_tables(path).get("meshlint")
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: no [tool.meshlint] table")
    return table


def _relative_to(data: dict[str, Any], folder: Path) -> dict[str, Any]:
    """Paths written in a config file are relative to the file's folder."""
    fixed = dict(data)
    for key in (
        "mesh-config",
        "mesh_config",
        "baseline",
        "opa-ca-file",
        "opa_ca_file",
        "cache-dir",
        "cache_dir",
    ):
        if isinstance(fixed.get(key), str):
            fixed[key] = str(folder / fixed[key])
    for key in ("policies", "paths"):
        if isinstance(fixed.get(key), str):
            fixed[key] = [part.strip() for part in fixed[key].split(",") if part.strip()]
        if isinstance(fixed.get(key), list):
            fixed[key] = [str(folder / p) if isinstance(p, str) else p for p in fixed[key]]
    return fixed


def mesh_settings(config: Config) -> MeshSettings:
    """The Istio settings a run resolves with: the ``mesh-config`` file (MeshConfig or the
    istio ConfigMap), if any, plus ``namespace`` and ``assume-complete``."""
    base = MeshSettings()
    if config.mesh_config is not None:
        path = Path(config.mesh_config)
        data = read_yaml_mapping(path)
        base = parse_mesh_config(data, path=str(path), parse_yaml=parse_yaml)
    return base.with_options(
        default_namespace=config.namespace, assume_complete=config.assume_complete
    )
