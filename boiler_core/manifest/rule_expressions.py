"""Rule expressions written in views.yaml (``read: {rule: EXPR}``), checked before compiling.

boiler pastes a rule expression into ``firestore.rules`` as ``allow get, list: if (EXPR);``. It
does not parse the rules language; it checks the lexical shape that keeps the expression one
condition: string literals closed (and on one line), brackets balanced, no ``;`` and no comment
outside strings. An expression that passes cannot end the ``allow`` statement or the ``match``
block it sits in, so it cannot grant anything outside its own view. Whether it compiles is then up
to Firebase (the integration tests load generated rules into the emulator, which compiles them).
"""

from __future__ import annotations

from dataclasses import dataclass

RESERVED_NAMES = frozenset(
    {
        # keywords: a path variable named so does not compile
        *("allow", "else", "false", "for", "function", "if", "import", "in", "is", "let"),
        *("match", "not", "null", "return", "rules_version", "service", "true", "var", "while"),
        # globals a path variable would shadow, silently changing what conditions mean
        *("request", "resource", "database", "get", "exists", "getAfter", "existsAfter"),
        *("debug", "math", "timestamp", "duration", "latlng", "hashing"),
        *("bool", "bytes", "float", "int", "path", "string"),
    }
)
"""Names a path variable may not have: each path becomes a ``match`` of ``firestore.rules``,
where its variables are bound as names of the rules language (checked on the emulator)."""

_OPEN = {"(": ")", "[": "]", "{": "}"}
_CLOSE = {v: k for k, v in _OPEN.items()}


@dataclass(frozen=True)
class ExpressionProblem:
    """Why a rule expression is refused, and at which 0-based character offset."""

    what: str
    """The problem, e.g. ``has an unclosed '('``."""

    offset: int | None
    """Where it is; None when the expression is empty."""

    reason: str = ""
    """Why it is a problem, when that is not obvious."""

    @property
    def message(self) -> str:
        """The problem with its 1-based position (``has an unclosed '(' at character 25``)."""
        at = "" if self.offset is None else f" at character {self.offset + 1}"
        return f"{self.what}{at}" + (f", {self.reason}" if self.reason else "")


def expression_problem(text: str) -> ExpressionProblem | None:
    """The first lexical problem of ``text`` (see the module docstring), or None."""
    if not text.strip():
        return ExpressionProblem("is empty", None)
    stack: list[tuple[str, int]] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char in "'\"":
            end = _string_end(text, index)
            if end is None:
                return ExpressionProblem("has an unterminated string", index)
            index = end + 1
            continue
        if char == ";":
            return ExpressionProblem("has a ';'", index, "which would end the allow statement")
        if text.startswith(("//", "/*"), index):
            return ExpressionProblem("has a comment", index, "which would hide the rest of it")
        if char in _OPEN:
            stack.append((char, index))
        elif char in _CLOSE:
            if not stack or stack[-1][0] != _CLOSE[char]:
                return ExpressionProblem(f"has an unbalanced '{char}'", index)
            stack.pop()
        index += 1
    if stack:
        char, offset = stack[-1]
        return ExpressionProblem(f"has an unclosed '{char}'", offset)
    return None


def one_line(text: str) -> str:
    """A checked expression on one line: line breaks (never inside strings) become spaces."""
    return " ".join(line.strip() for line in text.strip().splitlines() if line.strip())


def _string_end(text: str, start: int) -> int | None:
    """Offset of the quote closing the string opened at ``start``; None when it is not closed
    on the same line (rules strings cannot span lines)."""
    quote = text[start]
    index = start + 1
    while index < len(text):
        char = text[index]
        if char == "\\":
            index += 2
            continue
        if char == "\n":
            return None
        if char == quote:
            return index
        index += 1
    return None
