"""A PolicyEngine for worker tests: aborts or hangs on request, else reports one hit."""

from __future__ import annotations

import os
import time
from collections.abc import Mapping, Sequence
from typing import Any

from meshlint.policy.engine import EngineError, Hit, Module, Outcome, Query


class CrashyEngine:
    name = "crashy"

    def load(
        self,
        modules: Sequence[Module],
        inputs: Sequence[Mapping[str, Any]],
        data: Mapping[str, Any],
    ) -> Mapping[str, EngineError]:
        return {}

    def evaluate(self, query: Query, timeout: float) -> Outcome:
        if query.package == "crash":
            os.abort()
        if query.package == "hang":
            time.sleep(120)
        return Outcome((Hit(0, "deny", f"ran {query.package}"),))

    def close(self) -> None:
        return None
