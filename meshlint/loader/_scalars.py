"""YAML 1.1 scalar values (the PyYAML SafeLoader resolution) as JSON-compatible Python values.

meshlint follows PyYAML's SafeLoader, i.e. YAML 1.1: ``yes``/``no``/``on``/``off`` are booleans,
``017`` is octal, ``1:30`` is sexagesimal and ``1e3`` (no dot) is a string. go-yaml v2, which
Kubernetes' sigs.k8s.io/yaml wraps, resolves the same way for the cases that matter. One
deliberate difference from SafeLoader: timestamps stay strings (data must be JSON-compatible).
"""

from __future__ import annotations

import math

STR = "tag:yaml.org,2002:str"
NULL = "tag:yaml.org,2002:null"
BOOL = "tag:yaml.org,2002:bool"
INT = "tag:yaml.org,2002:int"
FLOAT = "tag:yaml.org,2002:float"
MERGE = "tag:yaml.org,2002:merge"
MAP_TAGS = frozenset({"tag:yaml.org,2002:map", "tag:yaml.org,2002:set"})
SEQ_TAGS = frozenset({"tag:yaml.org,2002:seq", "tag:yaml.org,2002:omap", "tag:yaml.org,2002:pairs"})
# tags whose value is kept as the scalar's text
TEXT_TAGS = frozenset(
    {
        STR,
        MERGE,
        "tag:yaml.org,2002:value",
        "tag:yaml.org,2002:timestamp",
        "tag:yaml.org,2002:binary",
        "!",
    }
)
_TRUE = frozenset({"yes", "true", "on"})


# Integers past float64's range: Kubernetes (JSON numbers) cannot hold them, Python cannot
# print them past 4,300 digits, and float() of them overflows. Such a scalar is a finding.
MAX_INT_BITS = 1024


def _sexagesimal(digits: str) -> float:
    value = 0.0
    for part in digits.split(":"):
        value = value * 60 + float(part)
    return value


def _sexagesimal_int(digits: str) -> int:
    value = 0
    for part in digits.split(":"):
        value = value * 60 + int(part)
    return value


def _split_sign(text: str) -> tuple[int, str]:
    text = text.replace("_", "")
    if text.startswith(("+", "-")):
        return (-1 if text[0] == "-" else 1), text[1:]
    return 1, text


def _unsigned_int(digits: str) -> int:
    if digits == "0":
        return 0
    if digits.startswith("0b"):
        return int(digits[2:], 2)
    if digits.startswith("0x"):
        return int(digits[2:], 16)
    if digits.startswith("0"):
        return int(digits, 8)
    if ":" in digits:
        return _sexagesimal_int(digits)
    return int(digits)


def yaml_int(text: str) -> int:
    """A YAML 1.1 int: ``0b`` binary, ``0x`` hex, leading-0 octal, sexagesimal, decimal.

    Raises ValueError for text that is not one, or for a value of more than MAX_INT_BITS bits.
    """
    sign, digits = _split_sign(text)
    value = _unsigned_int(digits) if len(digits) <= MAX_INT_BITS + 2 else 1 << MAX_INT_BITS
    if value.bit_length() > MAX_INT_BITS:
        raise ValueError(f"integer out of range (more than {MAX_INT_BITS} bits)")
    return sign * value


def yaml_float(text: str) -> float:
    """A YAML 1.1 float, including ``.inf``, ``.nan`` and sexagesimal forms."""
    sign, digits = _split_sign(text.lower())
    if digits == ".inf":
        return sign * math.inf
    if digits == ".nan":
        return math.nan
    if ":" in digits:
        return sign * _sexagesimal(digits)
    return sign * float(digits)


def scalar(tag: str, text: str) -> object:
    """The value of a scalar with a resolved tag; raises KeyError for an unsupported tag."""
    if tag in TEXT_TAGS:
        return text
    if tag == NULL:
        return None
    if tag == BOOL:
        return text.lower() in _TRUE
    if tag == INT:
        return yaml_int(text)
    if tag == FLOAT:
        return yaml_float(text)
    raise KeyError(tag)


def key_text(value: object) -> str:
    """A mapping key as the string JSON needs (the way sigs.k8s.io/yaml converts keys)."""
    if isinstance(value, str):
        return value
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    return str(value)
