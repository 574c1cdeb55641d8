"""contract_clauses: documents reader, French refusals, rules and model on the sample, shipped figures."""

import io
import json
import re
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from fpdf import FPDF

from usecases import registry
from usecases.contract_clauses import reader, segment
from usecases.contract_clauses.module import language
from usecases.headless import analyse_to_dir
from usecases.loading import InvalidInput

FOLDER = Path(reader.__file__).parent
FR_TEXT = ("Article 1 – Durée du contrat. Le contrat est conclu pour une durée de cinq ans.\n\n"
           "Article 2 – Résiliation. La personne publique peut résilier le contrat pour motif d'intérêt général.")


def _pdf(text: str | None, password: str | None = None) -> bytes:
    pdf = FPDF()
    pdf.add_page()
    if text:
        pdf.set_font("helvetica", size=11)
        pdf.multi_cell(0, 6, text=text)
    else:
        pdf.rect(20, 20, 100, 100, style="F")  # a "scan": drawing, no text
    if password:
        pdf.set_encryption(owner_password="owner", user_password=password)
    return bytes(pdf.output())


def _docx(text: str) -> bytes:
    import docx

    document = docx.Document()
    for para in text.split("\n\n"):
        document.add_paragraph(para)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def _refusal(data: bytes, name: str, **kw) -> str:
    with pytest.raises(InvalidInput) as info:
        reader.read_documents(data, name, **kw)
    return " ".join(info.value.problems)


def test_reads_txt_docx_pdf_and_zip():
    ascii_text = "Article 1 - Duree du contrat. Le contrat est conclu pour une duree de cinq ans et prend effet le 1er mai."
    assert reader.read_documents(FR_TEXT.encode("utf-8"), "c.txt")["text"][0].startswith("Article 1")
    assert "Résiliation" in reader.read_documents(_docx(FR_TEXT), "c.docx")["text"][0]
    assert "cinq ans" in reader.read_documents(_pdf(ascii_text), "c.pdf")["text"][0]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("lot/a.txt", FR_TEXT)
        z.writestr("b.docx", _docx(FR_TEXT))
        z.writestr("notes.png", b"\x89PNG")
    docs = reader.read_documents(buf.getvalue(), "contrats.zip")
    assert docs["document"].tolist() == ["b.docx", "lot/a.txt"]


def test_bad_documents_get_french_messages():
    assert "scanné" in _refusal(_pdf(None), "scan.pdf")
    assert "mot de passe" in _refusal(_pdf("Texte du contrat, assez long pour compter.", password="x"), "secret.pdf")
    assert "trop volumineux (19 Mo, 15 Mo au plus)" in _refusal(b"a" * 20_000_000, "gros.txt")
    assert "vide" in _refusal(b"", "vide.txt")
    assert "vide ou presque" in _refusal(b"   \n\n  ", "blanc.txt")
    assert "vide ou presque" in _refusal(_docx(" "), "vide.docx")
    assert "format non pris en charge" in _refusal(b"abc", "image.png")
    message = _refusal(zipfile.ZipFile and _zip_with_scan(), "lot.zip")
    assert "scan.pdf" in message and "lot.zip" in message


def _zip_with_scan() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("ok.txt", FR_TEXT)
        z.writestr("scan.pdf", _pdf(None))
    return buf.getvalue()


def test_segmentation_offsets_cover_the_text():
    spans = segment.split(FR_TEXT)
    assert len(spans) == 2
    assert FR_TEXT[spans[1][0]:spans[1][1]].startswith("Article 2")
    assert language(FR_TEXT) == "fr"


def test_sample_run_finds_catalogue_flags_and_cuad_types():
    module = registry.get("contract_clauses")
    result = module.run(module.sample_inputs(), module.params_model())
    clauses = result.tables["clauses"]
    assert list(clauses.columns[:6]) == ["document", "clause_type", "start", "end", "text", "score"]
    fr = "contrat_dsp_eau_exemple.txt"
    cat = result.tables["catalogue"].set_index(["document", "rubrique"])["trouvee"]
    assert cat[(fr, "Pénalités")] == "oui" and cat[(fr, "Rapport annuel du délégataire")] == "oui"
    assert cat[(fr, "Propriété des données et réversibilité")] == "non"
    flags = result.tables["alertes"]
    fr_flags = set(flags.loc[flags["document"] == fr, "alerte"])
    assert {"Exclusivité", "Changement de contrôle"} <= fr_flags
    assert not any("résiliation pour convenance" in f for f in fr_flags)
    cuad = clauses[clauses["source"] == "modèle CUAD"]
    types = set(json.loads((FOLDER / "model.json").read_text(encoding="utf-8"))["types"])
    assert set(cuad["clause_type"]) <= types and "Governing Law" in set(cuad["clause_type"])
    docs = module.sample_inputs()["documents"].set_index("document")["text"]
    for row in clauses.itertuples():
        assert docs[row.document][row.start:row.end] == row.text


def test_vigie_analyse_writes_clauses_csv(tmp_path):
    src = tmp_path / "contrat.docx"
    src.write_bytes(_docx(FR_TEXT))
    analyse_to_dir("contract_clauses", {"documents": src}, {}, tmp_path / "out")
    clauses = pd.read_csv(tmp_path / "out" / "clauses.csv")
    assert set(clauses["document"]) == {"contrat.docx"}
    bad = tmp_path / "scan.pdf"
    bad.write_bytes(_pdf(None))
    with pytest.raises(InvalidInput, match="scanné"):
        analyse_to_dir("contract_clauses", {"documents": bad}, {}, tmp_path / "out2")
    assert not (tmp_path / "out2").exists()


def test_readme_reports_the_validation_figures():
    res = json.loads((FOLDER / "validation.json").read_text(encoding="utf-8"))
    readme = (FOLDER / "README.md").read_text(encoding="utf-8")
    assert f"{res['macro_f1_model']:.3f}" in readme and f"{res['macro_f1_baseline']:.3f}" in readme
    for t, r in res["per_type"].items():
        row = re.search(rf"^\| {re.escape(t)} \| (\d+) \| ([\d.]+) \| ([\d.]+) \|", readme, re.M)
        assert row, t
        assert (int(row[1]), float(row[2]), float(row[3])) == (r["test_positives"], r["f1_model"], r["f1_baseline"])
    for k in (10, 20):
        f = res[f"macro_f1_{k}plus"]
        assert f"({f['types']} types) : modèle {f['model']:.3f}, référence {f['baseline']:.3f}" in readme
    assert res["macro_f1_model"] > res["macro_f1_baseline"]
