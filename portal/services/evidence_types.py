"""Which evidence files Vigie keeps: an allow-list of document types, checked by content and extension.

Compliance officers download what project leads upload, so an evidence file must be a document a
collectivité exchanges every day: PDF, office documents (OOXML, OpenDocument, legacy Office), PNG or
JPEG images, plain text, CSV, or a zip archive of those. The extension says what the file claims to
be; its first bytes (and, for the zip-based formats, its table of contents) must agree. Anything else
(programs, HTML, SVG, scripts, archives of them) is refused with a French message naming the file.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import PurePosixPath

#: What a refusal lists as accepted.
ACCEPTED_FR = ("PDF, documents bureautiques (Word, Excel, PowerPoint, OpenDocument), images PNG ou JPEG, "
               "texte, CSV, ou archive zip de ces documents")

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .doc/.xls/.ppt
_ZIP = b"PK\x03\x04"
_MARKUP = (b"<!doctype", b"<html", b"<svg", b"<?xml", b"<script", b"<head", b"<body", b"<iframe")
MAX_ZIP_MEMBERS = 1000
MAX_ZIP_UNCOMPRESSED = 200 * 1024 * 1024

#: Extensions offered to the browser's file picker (without the dot).
EXTENSIONS = ("pdf", "docx", "xlsx", "pptx", "odt", "ods", "odp", "doc", "xls", "ppt", "png", "jpg", "jpeg",
              "txt", "md", "csv", "zip")


class RefusedEvidence(ValueError):
    """The file is not an accepted document type; the message is French and names the file."""


def _zip_names(data: bytes) -> list[str] | None:
    if not data.startswith(_ZIP):
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return zf.namelist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return None


def _ooxml(part: str) -> Callable[[bytes], bool]:
    def check(data: bytes) -> bool:
        names = _zip_names(data)
        return names is not None and "[Content_Types].xml" in names and part in names
    return check


def _opendocument(mimetype: str) -> Callable[[bytes], bool]:
    def check(data: bytes) -> bool:
        if _zip_names(data) is None:
            return False
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            try:
                return zf.read("mimetype").strip() == mimetype.encode()
            except KeyError:
                return False
    return check


def _text(data: bytes) -> bool:
    """Plain text (UTF-8, UTF-16 with its mark, or Windows-1252), no control bytes, not markup."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            return False
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = data.decode("cp1252")
            except UnicodeDecodeError:
                return False
    if any(ord(c) < 32 and c not in "\t\r\n\f" for c in text[:65536]):
        return False
    head = text.lstrip()[:200].lower().encode("utf-8", "ignore")
    return not head.startswith(_MARKUP)


_CHECKS: dict[str, tuple[str, Callable[[bytes], bool]]] = {
    "pdf": ("un PDF", lambda d: d.startswith(b"%PDF-")),
    "png": ("une image PNG", lambda d: d.startswith(b"\x89PNG\r\n\x1a\n")),
    "jpg": ("une image JPEG", lambda d: d.startswith(b"\xff\xd8\xff")),
    "jpeg": ("une image JPEG", lambda d: d.startswith(b"\xff\xd8\xff")),
    "docx": ("un document Word", _ooxml("word/document.xml")),
    "xlsx": ("un classeur Excel", _ooxml("xl/workbook.xml")),
    "pptx": ("une présentation PowerPoint", _ooxml("ppt/presentation.xml")),
    "odt": ("un texte OpenDocument", _opendocument("application/vnd.oasis.opendocument.text")),
    "ods": ("un classeur OpenDocument", _opendocument("application/vnd.oasis.opendocument.spreadsheet")),
    "odp": ("une présentation OpenDocument", _opendocument("application/vnd.oasis.opendocument.presentation")),
    "doc": ("un document Word", lambda d: d.startswith(_OLE)),
    "xls": ("un classeur Excel", lambda d: d.startswith(_OLE)),
    "ppt": ("une présentation PowerPoint", lambda d: d.startswith(_OLE)),
    "txt": ("un texte", _text),
    "md": ("un texte", _text),
    "csv": ("un fichier CSV", _text),
}
assert set(_CHECKS) | {"zip"} == set(EXTENSIONS)


def _extension(filename: str) -> str:
    return PurePosixPath((filename or "").replace("\\", "/")).suffix.lower().lstrip(".")


def check_evidence(filename: str, data: bytes) -> None:
    """Raise :class:`RefusedEvidence` unless ``data`` is an accepted document of the type ``filename`` says."""
    name = PurePosixPath((filename or "").replace("\\", "/")).name
    ext = _extension(name)
    if ext == "zip":
        _check_zip(name, data)
        return
    if ext not in _CHECKS:
        shown = f"« .{ext} »" if ext else "sans extension"
        raise RefusedEvidence(f"« {name} » : type de fichier non accepté ({shown}) ; types acceptés : {ACCEPTED_FR}.")
    what, check = _CHECKS[ext]
    if not check(data):
        raise RefusedEvidence(f"« {name} » : le contenu n'est pas {what} comme l'indique son extension "
                              f"« .{ext} » ; fichier refusé.")


def _check_zip(name: str, data: bytes) -> None:
    if _zip_names(data) is None:
        raise RefusedEvidence(f"« {name} » : le contenu n'est pas une archive zip lisible ; fichier refusé.")
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        members = [i for i in zf.infolist() if not i.is_dir()]
        if len(members) > MAX_ZIP_MEMBERS:
            raise RefusedEvidence(f"« {name} » : archive de plus de {MAX_ZIP_MEMBERS} fichiers ; fichier refusé.")
        if sum(i.file_size for i in members) > MAX_ZIP_UNCOMPRESSED:
            raise RefusedEvidence(f"« {name} » : archive de plus de 200 Mo une fois décompressée ; fichier refusé.")
        for info in members:
            inner = PurePosixPath(info.filename).name
            if _extension(inner) == "zip" or _extension(inner) not in _CHECKS:
                raise RefusedEvidence(f"« {name} » contient « {info.filename} », type de fichier non accepté ; "
                                      f"types acceptés dans une archive : {ACCEPTED_FR.rsplit(',', 1)[0]}.")
            try:
                check_evidence(inner, zf.read(info))
            except RefusedEvidence as exc:
                raise RefusedEvidence(f"« {name} » contient un fichier refusé : {exc}") from None
            except (zipfile.BadZipFile, RuntimeError, OSError, NotImplementedError):
                raise RefusedEvidence(f"« {name} » : « {info.filename} » illisible (archive chiffrée ou "
                                      "abîmée) ; fichier refusé.") from None
