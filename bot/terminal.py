"""Text from a digest made safe to print on a terminal.

A digest is written by others: an escape sequence in a title could recolour the screen, hide
text, set the window title or forge a hyperlink (OSC 8), so every control character but newline
and tab is removed before printing. Console markup is a separate matter: printers pass text as
`rich.text.Text`, never as markup.
"""

from __future__ import annotations

import re

# ESC [ … final byte (CSI); ESC ] … BEL or ESC \ (OSC); ESC P/X/^/_ … ESC \ (DCS, SOS, PM, APC);
# ESC and one more byte; then any other C0 or C1 control, DEL included, but not \t or \n.
_CONTROL = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"
    r"|\x1b[ -~]?"
    r"|[\x00-\x08\x0b-\x1f\x7f-\x9f]"
)


def printable(text: str) -> str:
    """`text` without terminal escape sequences or control characters (newline and tab stay)."""
    return _CONTROL.sub("", text)
