"""Errors of the knowledge base: one exception carrying every problem found.

The loader never stops at the first mistake: it collects a `Problem` per fault (file, line,
dotted field path, message) and raises one `KnowledgeBaseError` at the end, so whoever edits
the YAML fixes everything in one pass. `str(problem)` reads like a compiler error,
`file:line: field: message`, which editors and CI logs turn into links.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One fault in one file. `line` is 1-based; 0 means "the whole file"."""

    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class KnowledgeBaseError(Exception):
    """The knowledge base cannot be used; `problems` lists every reason."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        count = len(self.problems)
        lines = "\n".join(str(p) for p in self.problems)
        super().__init__(f"{count} problem{'s' if count != 1 else ''} in the knowledge base:\n{lines}")
