"""The one exception type tito raises for expected failures.

Commands catch it and print `message` and `hint` without a traceback; anything else that
escapes is a bug in tito and is shown in full.
"""

from __future__ import annotations


class TitoError(Exception):
    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\n{self.hint}"
