"""Errors a service raises; each carries a French message meant for the person who acted."""

from __future__ import annotations

from policies.access import PermissionDenied
from usecases.loading import InvalidInput

__all__ = ["InvalidInput", "NotFound", "PermissionDenied", "StaleEdit", "VigieError"]


class VigieError(Exception):
    """Base of the errors the portal shows to its users as they are (with ``InvalidInput``, the one
    refusal of bad input every layer raises, defined by the pure reader of user files)."""


class StaleEdit(VigieError):
    """Someone saved the object after it was loaded; nothing was overwritten."""


class NotFound(VigieError):
    """The object asked for does not exist (or no longer does)."""
