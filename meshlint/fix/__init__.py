"""Safe autofix (``meshlint check --fix`` / ``--diff``): plan, preview and write the edits.

Findings that carry a ``Fix`` are grouped by file; ``meshlint.loader.roundtrip`` edits each
file's text in place (nothing else in the file changes) and checks every edit by parsing the
result. ``write`` replaces files atomically (a temporary file in the same folder, renamed over
the original) and keeps their permission bits.
"""

from __future__ import annotations

from meshlint.fix.files import FileChange, plan, unified_diff, write, write_atomic

__all__ = ["FileChange", "plan", "unified_diff", "write", "write_atomic"]
