"""Text bound for a terminal, made harmless.

Client text is stored as typed (a request, a gap) and printed later by `briefs`, `gaps` and
the console. Raw, an escape sequence in it would act on the operator's terminal: set the
window title, clear the screen, move the cursor, hide what follows. Control characters
(`knowledge.text.CONTROLS`: C0 except newline and tab, DEL, C1, bidirectional overrides) are
removed before printing.
"""

from __future__ import annotations

from knowledge.text import strip_controls


def safe(text: str) -> str:
    """`text` without control characters (newlines and tabs kept)."""
    return strip_controls(text)
