"""Evidence files kept under the data folder: one way to check, store and read them back.

An obligation's evidence and a supplier's document are both uploaded documents kept as files with
their SHA-256, checked against the allow-list of :mod:`portal.services.evidence_types`. The file is
written before the row that points to it is committed, and removed again when that transaction fails,
so nothing is left half-way.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from portal.services.errors import NotFound
from portal.services.evidence_types import RefusedEvidence, check_evidence

MAX_EVIDENCE_BYTES = 20 * 1024 * 1024


def file_problems(filename: str, data: bytes) -> list[str]:
    """What is wrong with an uploaded evidence file, in French, field by field (empty: nothing)."""
    problems = []
    if not (filename or "").strip():
        problems.append("Champ « Fichier » : obligatoire.")
    if not data:
        problems.append("Champ « Fichier » : le fichier est vide.")
    if len(data) > MAX_EVIDENCE_BYTES:
        problems.append("Champ « Fichier » : trop volumineux (20 Mo au plus).")
    if not problems:
        try:
            check_evidence(filename, data)  # an allow-list of document types, by content and extension
        except RefusedEvidence as exc:
            problems.append(f"Champ « Fichier » : {exc}")
    return problems


def safe_name(name: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(name).name).strip("._") or "piece"
    return stem[-120:]


@dataclass(frozen=True)
class StoredFile:
    filename: str  # as uploaded, without its folders
    stored_path: str  # relative to the data folder
    sha256: str
    size: int


@contextmanager
def stored(data_dir: Path, use_case_id: int, filename: str, data: bytes) -> Iterator[StoredFile]:
    """Write the file under ``evidence/uc<id>/`` (named by its checksum) and give where; a failure in
    the block removes the file it wrote (a file already there, the same bytes, is left alone)."""
    digest = hashlib.sha256(data).hexdigest()
    relative = Path("evidence") / f"uc{use_case_id}" / f"{digest[:16]}-{safe_name(filename)}"
    target = data_dir / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    written = not target.exists()
    if written:
        target.write_bytes(data)
    try:
        yield StoredFile(Path(filename).name[:255], relative.as_posix(), digest, len(data))
    except BaseException:
        if written:
            target.unlink(missing_ok=True)
        raise


def read_stored(data_dir: Path, stored_path: str, sha256: str, missing: str) -> tuple[bytes, bool]:
    """The file's bytes and whether they still match the checksum recorded; ``NotFound(missing)`` when
    the file is gone from the data folder."""
    path = data_dir / stored_path
    if not path.exists():
        raise NotFound(missing)
    data = path.read_bytes()
    return data, hashlib.sha256(data).hexdigest() == sha256
