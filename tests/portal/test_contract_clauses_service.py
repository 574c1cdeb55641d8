"""The portal reads contract documents through the module's reader: a docx runs, a scanned PDF is refused."""

from __future__ import annotations

import io

import docx
import pytest
from fpdf import FPDF

from portal.db.models import AnalysisArtifact, AnalysisRun
from portal.services.analysis import UploadedFile
from portal.services.errors import InvalidInput
from tests.conftest import use_case_data
from tests.rows import count_rows


@pytest.fixture
def case(services, people):  # type: ignore[no-untyped-def]
    uc = services.register.create(people["lead"], use_case_data(title="Relecture des contrats"))
    services.analysis.bind(people["lead"], uc.id, "contract_clauses")
    return uc


def test_docx_runs_and_scanned_pdf_is_refused(services, people, case):
    document = docx.Document()
    document.add_paragraph("Article 1 – Durée du contrat. Le contrat est conclu pour une durée de cinq ans.")
    document.add_paragraph("Article 2 – Pénalités. Le titulaire encourt une pénalité de 100 euros par jour de retard.")
    buf = io.BytesIO()
    document.save(buf)
    run = services.analysis.run(people["lead"], case.id, {"documents": UploadedFile("marché.docx", buf.getvalue())})
    clauses = services.analysis.open_run(run.id).tables["clauses"]
    assert set(clauses["document"]) == {"marché.docx"} and "Pénalités" in set(clauses["clause_type"])

    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 100, 100, style="F")
    before = (count_rows(services, AnalysisRun), count_rows(services, AnalysisArtifact))
    with pytest.raises(InvalidInput, match="scanné"):
        services.analysis.run(people["lead"], case.id, {"documents": UploadedFile("scan.pdf", bytes(pdf.output()))})
    assert (count_rows(services, AnalysisRun), count_rows(services, AnalysisArtifact)) == before


def _protected_pdf() -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=11)
    pdf.multi_cell(0, 6, text="Article 1 - Duree du contrat. Le contrat est conclu pour cinq ans.")
    pdf.set_encryption(owner_password="owner", user_password="secret")
    return bytes(pdf.output())


@pytest.mark.parametrize(("name", "data", "message"), [
    ("secret.pdf", None, "protégé par un mot de passe"),
    ("gros.txt", b"a" * 20_000_000, "trop volumineux"),
    ("vide.txt", b"", "fichier vide"),
    ("blanc.txt", b" \n\n  \n", "vide ou presque"),
])
def test_bad_documents_are_refused_in_french_and_nothing_is_stored(services, people, case, name, data, message):
    before = (count_rows(services, AnalysisRun), count_rows(services, AnalysisArtifact))
    upload = UploadedFile(name, _protected_pdf() if data is None else data)
    with pytest.raises(InvalidInput) as info:
        services.analysis.run(people["lead"], case.id, {"documents": upload})
    assert any(name in p and message in p for p in info.value.problems), info.value.problems
    assert (count_rows(services, AnalysisRun), count_rows(services, AnalysisArtifact)) == before


def test_dsp_unknown_operator_column_is_refused_and_nothing_is_stored(services, people):
    from pathlib import Path

    import pandas as pd

    uc = services.register.create(people["lead"], use_case_data(title="Suivi des délégataires de l'eau"))
    services.analysis.bind(people["lead"], uc.id, "dsp_performance")
    sample = Path(__file__).resolve().parents[2] / "usecases" / "dsp_performance" / "sample_services.csv"
    renamed = pd.read_csv(sample).rename(columns={"operator": "exploitant"}).to_csv(index=False).encode("utf-8")
    before = (count_rows(services, AnalysisRun), count_rows(services, AnalysisArtifact))
    with pytest.raises(InvalidInput) as info:
        services.analysis.run(people["lead"], uc.id, {"services": UploadedFile("services.csv", renamed)})
    assert any("« operator »" in p for p in info.value.problems), info.value.problems
    assert (count_rows(services, AnalysisRun), count_rows(services, AnalysisArtifact)) == before
