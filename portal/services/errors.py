"""Errors a service raises; each carries a French message meant for the person who acted."""

from __future__ import annotations

from policies.access import PermissionDenied

__all__ = ["InvalidInput", "NotFound", "PermissionDenied", "StaleEdit", "VigieError"]


class VigieError(Exception):
    """Base of the errors the portal shows to its users as they are."""


class InvalidInput(VigieError):
    """Input refused before anything was written; ``problems`` lists every reason in French."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


class StaleEdit(VigieError):
    """Someone saved the object after it was loaded; nothing was overwritten."""


class NotFound(VigieError):
    """The object asked for does not exist (or no longer does)."""
