"""Security: evidence files are documents of an allow-listed type, by content.

Before the fix ``.exe``, ``.html`` and ``.svg`` files were kept and handed to compliance officers.
"""

from __future__ import annotations

import io
import zipfile

import pytest

from portal.services.errors import InvalidInput
from portal.services.evidence_types import RefusedEvidence, check_evidence
from tests.portal.governance_fixtures import HIGH_RISK, make_use_case

PDF = b"%PDF-1.7\n1 0 obj << >> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


def _docx() -> bytes:
    import docx

    doc = docx.Document()
    doc.add_paragraph("Analyse d'impact relative à la protection des données")
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _xlsx() -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active["A1"] = "Registre"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _zip(members: dict[str, bytes], *, mimetype: str | None = None) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        if mimetype:
            zf.writestr("mimetype", mimetype)
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


ODT = _zip({"content.xml": b"<office:document-content/>"}, mimetype="application/vnd.oasis.opendocument.text")

ACCEPTED = {
    "aipd.pdf": PDF, "capture.png": PNG, "photo.JPG": JPEG, "aipd.docx": _docx(), "suivi.xlsx": _xlsx(),
    "note.odt": ODT, "lisez-moi.txt": "Compte rendu du comité éthique\n".encode(),
    "mesures.csv": "date;valeur\n2026-01-01;3,5\n".encode("cp1252"),
    "dossier.zip": _zip({"aipd.pdf": PDF, "annexes/tableau.csv": b"a,b\n1,2\n"}),
}
REFUSED = {
    "setup.exe": (b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64, "non accepté"),
    "page.html": (b"<!doctype html><script>alert(1)</script>", "non accepté"),
    "logo.svg": (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "non accepté"),
    "aipd.pdf": (b"MZ\x90\x00 not a pdf", "n'est pas un PDF"),
    "faux.docx": (PDF, "n'est pas un document Word"),
    "page.txt": (b"<html><body onload=alert(1)></body></html>", "n'est pas un texte"),
    "binaire.csv": (b"a,b\n\x00\x01\x02", "n'est pas un fichier CSV"),
    "sans_extension": (PDF, "sans extension"),
    "dossier.zip": (_zip({"aipd.pdf": PDF, "outil.exe": b"MZ\x00"}), "outil.exe"),
    "imbrique.zip": (_zip({"autre.zip": _zip({"a.pdf": PDF})}), "autre.zip"),
    "faux.zip": (PDF, "archive zip"),
}


@pytest.mark.parametrize("name", list(ACCEPTED))
def test_accepted_documents(name):
    check_evidence(name, ACCEPTED[name])


@pytest.mark.parametrize("name", list(REFUSED))
def test_refused_files_get_a_french_message(name):
    data, words = REFUSED[name]
    with pytest.raises(RefusedEvidence, match=words) as exc:
        check_evidence(name, data)
    assert name in str(exc.value)


def test_the_service_refuses_and_keeps_nothing(services, people, tmp_path):
    gov = services.governance
    gov.data_dir = tmp_path / "data"
    uc = make_use_case(services, people["lead"])
    gov.classify(people["compliance"], uc.id, **HIGH_RISK)
    ob = gov.obligations(uc.id)[0]
    for name in ("setup.exe", "page.html", "logo.svg"):
        with pytest.raises(InvalidInput, match=r"Fichier.*type de fichier non accepté"):
            gov.add_evidence_file(people["lead"], ob.id, name, REFUSED[name][0])
    assert not (tmp_path / "data" / "evidence").exists() or not any((tmp_path / "data" / "evidence").rglob("*.*"))
    ev = gov.add_evidence_file(people["lead"], ob.id, "aipd.docx", ACCEPTED["aipd.docx"])
    assert ev.filename == "aipd.docx"
