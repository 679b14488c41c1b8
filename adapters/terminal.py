"""Text bound for a terminal, made harmless.

Client text is stored as typed (a request, a gap) and printed later by `briefs`, `gaps` and
the console. Raw, an escape sequence in it would act on the operator's terminal: set the
window title, clear the screen, move the cursor, hide what follows. Every character of
Unicode category Cc except newline and tab (C0 controls, DEL, C1 controls) and the
bidirectional overrides that reorder what is shown are removed before printing.
"""

from __future__ import annotations

import re

_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def safe(text: str) -> str:
    """`text` without control characters (newlines and tabs kept)."""
    return _CONTROLS.sub("", text)
