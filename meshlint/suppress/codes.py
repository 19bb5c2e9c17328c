"""Which codes a suppression may name: rule codes and names, and the Istio codes rules cover."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable

from meshlint.rule import Rule


class CodeBook:
    """Resolve the tokens of a suppression (``MESH120``, ``vs-subset-undefined``) to codes.

    ``more`` supplies further rules (the Rego policy catalogue) on the first token the
    registered rules do not know, so a run whose suppressions all name Python rules never
    loads the policies again.
    """

    def __init__(
        self,
        rules: Iterable[Rule],
        extra_codes: Iterable[str] = (),
        more: Callable[[], Iterable[Rule]] | None = None,
    ) -> None:
        self._keys: dict[str, str] = {code: code for code in extra_codes}
        self._istio: dict[str, set[str]] = {}
        self._more = more
        self._add(rules)

    def _add(self, rules: Iterable[Rule]) -> None:
        for rule in rules:
            self._keys[rule.code] = self._keys[rule.name] = rule.code
            for code in rule.istio:
                self._istio.setdefault(code, set()).add(rule.code)

    def resolve(self, token: str) -> str | None:
        if token not in self._keys and self._more is not None:
            more, self._more = self._more, None
            self._add(more())
        return self._keys.get(token)

    def suggest(self, token: str) -> str:
        """`` (did you mean "X"?)`` for a close known code or name, else ``""``."""
        close = difflib.get_close_matches(token, list(self._keys), n=1)
        return f' (did you mean "{close[0]}"?)' if close else ""

    def covering(self, istio_code: str) -> frozenset[str]:
        """The meshlint codes whose rules report ``istio_code`` (every covering one for ``*``)."""
        if istio_code == "*":
            return frozenset().union(*self._istio.values())
        return frozenset(self._istio.get(istio_code, ()))


def split_tokens(text: str) -> list[str]:
    """``"MESH120, vs-subset-undefined"`` as ``["MESH120", "vs-subset-undefined"]``."""
    return [token.strip() for token in text.split(",") if token.strip()]
