"""Build z3 regular expressions from the RE2 AST of ``meshlint.solver.regexp``."""

from __future__ import annotations

from meshlint.solver.charset import MAX_CODE_POINT, CharSet
from meshlint.solver.regexp import Alt, Cat, Chars, Node, Repeat, Unsupported
from meshlint.solver.z3env import Z3, Term, lit


def to_z3(node: Node, z3: Z3, max_char: int) -> Term:
    """The z3 regular expression for ``node``; characters above ``max_char`` do not exist in z3."""
    if isinstance(node, Chars):
        return charset_to_z3(node.ranges, z3, max_char)
    if isinstance(node, Cat):
        parts = [to_z3(item, z3, max_char) for item in node.items]
        if not parts:
            return z3.Re(lit(z3, ""))
        return parts[0] if len(parts) == 1 else z3.Concat(*parts)
    if isinstance(node, Alt):
        return z3.Union(*[to_z3(item, z3, max_char) for item in node.items])
    return _repeat_to_z3(node, z3, max_char)


def _repeat_to_z3(node: Repeat, z3: Z3, max_char: int) -> Term:
    inner = to_z3(node.item, z3, max_char)
    if node.high == 0:
        return z3.Re(lit(z3, ""))
    if node.high is None:
        star = z3.Star(inner)
        if node.low == 0:
            return star
        return z3.Concat(z3.Loop(inner, node.low, node.low), star)
    if node.low == 0 and node.high == 1:
        return z3.Option(inner)
    return z3.Loop(inner, node.low, node.high)


def charset_to_z3(ranges: CharSet, z3: Z3, max_char: int) -> Term:
    # Requests are modelled over z3's alphabet; "everything else" ranges (those running to the
    # last code point) may be clipped, but a pattern naming such characters is not modelled.
    if any(max_char < high < MAX_CODE_POINT for _, high in ranges):
        raise Unsupported("characters outside z3's alphabet")
    parts = [
        z3.Range(lit(z3, chr(low)), lit(z3, chr(min(high, max_char))))
        for low, high in ranges
        if low <= max_char
    ]
    if not parts:
        return z3.Empty(z3.ReSort(z3.StringSort()))
    return parts[0] if len(parts) == 1 else z3.Union(*parts)
