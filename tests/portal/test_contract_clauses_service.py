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
