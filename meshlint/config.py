"""The run configuration: a frozen, validated value read from a file and merged with flags.

Rule selection (``select`` / ``ignore``) takes codes (``MESH120``), names
(``vs-subset-undefined``), code prefixes (``MESH1``, ``MESH12``) or ``ALL``. A rule runs when
the most specific ``select`` entry that matches it is more specific than the most specific
matching ``ignore`` entry (exact code or name > longer prefix > shorter prefix > ``ALL``; on a
tie ``ignore`` wins). An empty ``select`` selects every registered rule, preview ones
included, except rules that declare themselves opt-in (an ``opt_in`` attribute, none yet).
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from meshlint.analyzers import ALL_RULES, RETIRED, RULES_BY_CODE, RULES_BY_NAME
from meshlint.errors import ConfigError
from meshlint.findings import Severity
from meshlint.rule import Rule

FILE_NAMES = (".meshlint.yaml", ".meshlint.yml")
PYPROJECT = "pyproject.toml"
ALL = "ALL"
_PREFIX = re.compile(r"^MESH\d{0,2}$")
_EXACT = 100  # specificity of an exact code or name match

FailOn = Literal["error", "warning", "info", "never"]


def _kebab(name: str) -> str:
    return name.replace("_", "-")


class Config(BaseModel):
    """Everything that shapes a run; passed explicitly into ``lint()``.

    Suppression entries (``ignores`` with path/resource selectors, reason, expiry) and the
    baseline file come with the suppression stage as new optional fields; nothing here
    assumes they are absent.
    """

    model_config = ConfigDict(
        frozen=True, extra="forbid", alias_generator=_kebab, populate_by_name=True
    )

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severity: dict[str, Severity] = Field(default_factory=dict)
    options: dict[str, dict[str, Any]] = Field(default_factory=dict)
    exclude: tuple[str, ...] = ()
    policies: tuple[str, ...] = ()
    mesh_config: str | None = None
    namespace: str = "default"
    assume_complete: bool = False
    fail_on: FailOn = "error"
    istio_version: str | None = None

    @field_validator("select", "ignore", "exclude", "policies", mode="before")
    @classmethod
    def _split_commas(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("select", "ignore")
    @classmethod
    def _known_selectors(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for selector in value:
            check_selector(selector)
        return value

    @field_validator("severity", "options")
    @classmethod
    def _keys_to_codes(cls, value: dict[str, Any]) -> dict[str, Any]:
        return {resolve_rule(key).code: item for key, item in value.items()}

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
        return cls.parse(_relative_to(data, path.parent), source=display_path(path))

    def merged(self, **overrides: Any) -> Config:
        """A copy with ``overrides`` (None values ignored), validated again."""
        data = self.model_dump()
        data.update({key: value for key, value in overrides.items() if value is not None})
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
    error = exc.errors()[0]
    loc = [str(part) for part in error["loc"]]
    key = loc[0] if loc else ""
    if error["type"] == "extra_forbidden":
        return f'unknown option "{key}"{_did_you_mean(key, names)}'
    message = str(error["msg"]).removeprefix("Value error, ")
    where = ".".join(loc)
    return f'option "{where}": {message}'


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
    for key in ("mesh-config", "mesh_config"):
        if isinstance(fixed.get(key), str):
            fixed[key] = str(folder / fixed[key])
    for key in ("policies",):
        if isinstance(fixed.get(key), list):
            fixed[key] = [str(folder / p) if isinstance(p, str) else p for p in fixed[key]]
    return fixed
