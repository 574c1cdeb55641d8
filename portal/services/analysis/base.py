"""What every part of the analysis service shares: its sessions and the use case."""

from __future__ import annotations

import threading

from sqlalchemy.orm import Session, sessionmaker

from portal.services import editing
from portal.services.analysis.views import (
    MAX_UPLOAD_BYTES,
    OnCheck,
    OnReference,
)


class AnalysisBase(editing.UseCaseLookup):
    def __init__(self, reader: sessionmaker[Session], writer: sessionmaker[Session], *,
                 on_reference: OnReference | None = None, max_upload_bytes: int = MAX_UPLOAD_BYTES) -> None:
        self._reader = reader
        self._writer = writer
        self.on_reference = on_reference
        #: Wired to monitoring: a later run checked against the reference (``check_run``).
        self.on_check: OnCheck | None = None
        self.max_upload_bytes = max_upload_bytes
        self._threads: dict[int, threading.Thread] = {}
