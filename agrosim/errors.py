"""Error types: bad input (exit 2) carries every problem found; model faults (exit 1) do not."""
from __future__ import annotations

import difflib
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input: where it is, what was found, what was expected."""

    file: str
    path: str
    found: str
    expected: str

    def __str__(self) -> str:
        return self.shown()

    def shown(self, expected: str | None = None) -> str:
        """The problem as one line; `expected` replaces the expected text (a list said once above)."""
        where = f"{self.file}: {_short(self.path)}" if self.path else self.file
        return f"{where}: found {_short(self.found)}; expected {expected or _short(self.expected)}"


#: problems listed in one message (the count says how many more there are)
MAX_PROBLEMS = 50
#: an expected text longer than this, the same as the line above's, is not repeated
REPEAT_CHARS = 60
#: longest part of a message shown whole: a hostile value (a huge list, a long name) is cut, not echoed
MAX_SHOWN = 1000


def _short(text: str) -> str:
    text = str(text)
    return text if len(text) <= MAX_SHOWN else f"{text[:MAX_SHOWN]}… ({len(text):,} characters)"


class InputError(Exception):
    """Bad input. Holds all problems so the user can fix them in one pass."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__(self.message())

    def message(self) -> str:
        head = f"{len(self.problems)} problem(s) in the input:" if len(self.problems) > 1 else "problem in the input:"
        shown = self.problems[:MAX_PROBLEMS]
        lines = [f"  - {p.shown('the same as above' if i and len(p.expected) > REPEAT_CHARS and p.expected == shown[i - 1].expected else None)}"
                 for i, p in enumerate(shown)]
        if len(self.problems) > MAX_PROBLEMS:
            lines.append(f"  … and {len(self.problems) - MAX_PROBLEMS:,} more")
        return "\n".join([head] + lines)


class ValueProblem(ValueError):
    """A value that is not what was expected, raised where the place it came from is not known: the
    caller that knows the file and key path makes a Problem of it with `at` (found and expected stay
    apart, so no caller re-reads them out of the message). Its text is the same 'found; expected …'."""

    def __init__(self, found: str, expected: str, key: tuple = ()):
        self.found, self.expected = str(found), str(expected)
        #: where the value sits inside what the caller handed over (e.g. ('loss',) of an outbreak entry)
        self.key = tuple(key)
        super().__init__(f"{self.found}; expected {self.expected}")

    def at(self, file: str, path: str) -> Problem:
        return Problem(file, ".".join([path, *map(str, self.key)]) if path else ".".join(map(str, self.key)),
                       self.found, self.expected)


class ModelError(RuntimeError):
    """The model broke one of its own invariants (a balance that does not close, a negative stock)."""


def did_you_mean(word: str, choices) -> str:
    """' (did you mean 'x'?)' for the closest choice, or '' when none is close."""
    close = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""
