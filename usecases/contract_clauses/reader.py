"""Read uploaded contracts (PDF, DOCX, TXT, or a zip of them) into a frame of documents.

Bytes in, ``DataFrame(document, text)`` out, one row per document; every failure raises
``usecases.loading.InvalidInput`` with French messages naming the file. A CSV with ``document``
and ``text`` columns goes through the strict table reader.
"""

from __future__ import annotations

import io
import logging
import zipfile
from pathlib import PurePosixPath

import pandas as pd

from usecases.loading import DEFAULT_MAX_BYTES, InvalidInput, detect_encoding, read_table

SUFFIXES = (".pdf", ".docx", ".txt", ".md")
#: Fewer letters than this over the whole document: no usable text (scanned PDF, empty file).
MIN_LETTERS = 40
MAX_FILES = 200
#: Documents are capped below the table limit: a contract's text rarely needs more, and pdfminer is slow.
MAX_DOCUMENT_BYTES = 15 * 1024 * 1024


def _mo(n: int) -> str:
    return f"{n / (1024 * 1024):.0f} Mo"


def _pdf(data: bytes, name: str) -> str:
    import pdfplumber
    from pdfminer.pdfdocument import PDFPasswordIncorrect

    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            pages = [page.extract_text() or "" for page in pdf.pages]
    except PDFPasswordIncorrect:
        raise InvalidInput([f"« {name} » : PDF protégé par un mot de passe ; "
                            "enregistrez-le sans protection puis déposez-le à nouveau."]) from None
    except Exception as exc:  # pdfminer raises many types for damaged files
        causes = [exc, exc.__cause__, *getattr(exc, "args", ())]
        if any("password" in (type(c).__name__ + repr(c)).lower() for c in causes if c is not None):
            raise InvalidInput([f"« {name} » : PDF protégé par un mot de passe ; "
                                "enregistrez-le sans protection puis déposez-le à nouveau."]) from None
        raise InvalidInput([f"« {name} » : PDF illisible ou endommagé ({type(exc).__name__})."]) from None
    text = "\n\n".join(pages)
    if sum(ch.isalpha() for ch in text) < MIN_LETTERS:
        raise InvalidInput([f"« {name} » : ce PDF ne contient pas de texte exploitable ({len(pages)} page(s)) ; "
                            "c'est sans doute un document scanné : passez-le d'abord dans un logiciel de "
                            "reconnaissance de caractères (OCR)."])
    return text


def _docx(data: bytes, name: str) -> str:
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception:
        if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
            raise InvalidInput([f"« {name} » : document Word protégé par un mot de passe ou au format .doc "
                                "ancien ; enregistrez-le en .docx sans protection."]) from None
        raise InvalidInput([f"« {name} » : document Word illisible ou endommagé."]) from None
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append(" | ".join(cell.text for cell in row.cells))
    return "\n\n".join(p for p in parts if p.strip())


def _txt(data: bytes, name: str) -> str:
    if b"\x00" in data[:4096] and data[:2] not in (b"\xff\xfe", b"\xfe\xff"):
        raise InvalidInput([f"« {name} » : fichier binaire, pas un texte."])
    return data.decode(detect_encoding(data), errors="replace").lstrip("\ufeff")


def _one(data: bytes, name: str) -> str:
    suffix = PurePosixPath(name).suffix.lower()
    if suffix == ".pdf" or data[:5] == b"%PDF-":
        text = _pdf(data, name)
    elif suffix == ".docx":
        text = _docx(data, name)
    elif suffix in (".txt", ".md", ""):
        text = _txt(data, name)
    elif suffix == ".doc":
        raise InvalidInput([f"« {name} » : format Word .doc ancien non lu ; enregistrez-le en .docx ou en PDF."])
    else:
        raise InvalidInput([f"« {name} » : format non pris en charge ({suffix}) ; "
                            "formats acceptés : PDF, DOCX, TXT, ou un zip de ces fichiers."])
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    if sum(ch.isalpha() for ch in text) < MIN_LETTERS:
        raise InvalidInput([f"« {name} » : document vide ou presque (moins de {MIN_LETTERS} lettres)."])
    return text


def read_documents(data: bytes, filename: str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> pd.DataFrame:
    """``DataFrame(document, text)`` from one uploaded file (a document, a zip of documents, or a CSV)."""
    max_bytes = min(max_bytes, MAX_DOCUMENT_BYTES)
    if len(data) > max_bytes:
        raise InvalidInput([f"« {filename} » : fichier trop volumineux ({_mo(len(data))}, {_mo(max_bytes)} au plus)."])
    if len(data) == 0:
        raise InvalidInput([f"« {filename} » : fichier vide."])
    suffix = PurePosixPath(filename).suffix.lower()
    if suffix == ".csv":
        return read_table(data, filename, max_bytes=max_bytes)
    if suffix == ".zip" or (data[:4] == b"PK\x03\x04" and suffix != ".docx"):
        return _zip(data, filename, max_bytes)
    return pd.DataFrame({"document": [filename], "text": [_one(data, filename)]})


def _zip(data: bytes, filename: str, max_bytes: int) -> pd.DataFrame:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise InvalidInput([f"« {filename} » : archive zip illisible ou endommagée."]) from None
    members = [i for i in archive.infolist() if not i.is_dir() and not PurePosixPath(i.filename).name.startswith(".")
               and "__MACOSX" not in i.filename]
    wanted = [i for i in members if PurePosixPath(i.filename).suffix.lower() in SUFFIXES]
    if not wanted:
        raise InvalidInput([f"« {filename} » : l'archive ne contient aucun document PDF, DOCX ou TXT."])
    if len(wanted) > MAX_FILES:
        raise InvalidInput([f"« {filename} » : {len(wanted)} documents dans l'archive, {MAX_FILES} au plus."])
    if sum(i.file_size for i in wanted) > max_bytes:
        raise InvalidInput([f"« {filename} » : documents décompressés trop volumineux "
                            f"({_mo(sum(i.file_size for i in wanted))}, {_mo(max_bytes)} au plus)."])
    rows, problems = [], []
    for info in sorted(wanted, key=lambda i: i.filename):
        try:
            raw = archive.read(info)
        except RuntimeError:  # encrypted member
            problems.append(f"« {info.filename} » (dans {filename}) : fichier protégé par un mot de passe.")
            continue
        try:
            rows.append({"document": info.filename, "text": _one(raw, info.filename)})
        except InvalidInput as exc:
            problems.extend(f"{p} (dans {filename})" for p in exc.problems)
    if problems:
        raise InvalidInput(problems)
    return pd.DataFrame(rows, columns=["document", "text"])
