"""Reading uploaded files: French CSV conventions, Excel, and French error messages."""

import io
import time

import pandas as pd
import pytest

from usecases.base import Column, InputSchema
from usecases.loading import InvalidInput, prepare, read_table

SCHEMA = InputSchema((
    Column("commune", "categorical", role="id"),
    Column("date", "datetime", role="timestamp"),
    Column("montant", "numerical", role="target"),
    Column("actif", "boolean", required=False),
))


def _problems(data: bytes, filename: str = "f.csv", schema: InputSchema = SCHEMA) -> list[str]:
    with pytest.raises(InvalidInput) as info:
        prepare(read_table(data, filename), schema)
    return info.value.problems


def test_french_csv_semicolon_latin1_decimal_comma_dayfirst():
    text = "commune;date;montant;actif\nSaint-Étienne;13/02/2024;1 234,5;oui\nLe Château;01/03/2024;-2,25;non\n"
    df = prepare(read_table(text.encode("cp1252"), "export.csv"), SCHEMA)
    assert df["commune"].tolist() == ["Saint-Étienne", "Le Château"]
    assert df["montant"].tolist() == [1234.5, -2.25]
    assert df["date"].tolist() == [pd.Timestamp("2024-02-13"), pd.Timestamp("2024-03-01")]
    assert df["actif"].tolist() == [True, False]


def test_non_breaking_and_narrow_spaces_as_thousands_separator():
    text = "commune;date;montant\nA;2024-01-05;1\u00a0234\u00a0567,8\nB;2024-01-06;12\u202f000\n"
    df = prepare(read_table(text.encode("utf-8"), "f.csv"), SCHEMA)
    assert df["montant"].tolist() == [1234567.8, 12000.0]


def test_utf8_bom_and_comma_separator():
    text = "commune,date,montant\nÉvry,2024-01-05,10.5\n"
    df = prepare(read_table(("\ufeff" + text).encode("utf-8"), "f.csv"), SCHEMA)
    assert list(df.columns) == ["commune", "date", "montant"]
    assert df["commune"].iloc[0] == "Évry"


def test_tab_separator():
    df = read_table(b"commune\tdate\tmontant\nA\t05/01/2024\t3\n", "f.tsv")
    assert list(df.columns) == ["commune", "date", "montant"]


def test_excel_round_trip():
    original = pd.DataFrame({"commune": ["Rennes", "Brest"], "date": pd.to_datetime(["2024-01-31", "2024-02-29"]),
                             "montant": [1.5, 2000.0]})
    buffer = io.BytesIO()
    original.to_excel(buffer, index=False)
    df = prepare(read_table(buffer.getvalue(), "tableau.xlsx"), SCHEMA)
    pd.testing.assert_frame_equal(df[["commune", "date", "montant"]], original, check_dtype=False)


def test_unreadable_excel():
    with pytest.raises(InvalidInput) as info:
        read_table(b"PK\x03\x04 not really a zip", "tableau.xlsx")
    assert "Excel est illisible" in info.value.problems[0]


def test_wrong_separator_is_named():
    text = "commune;date;montant\nA,05/01/2024,3\n"
    with pytest.raises(InvalidInput) as info:
        read_table(text.encode(), "f.csv", sep=",")
    assert "séparateur semble incorrect" in info.value.problems[0]


def test_missing_column_is_named():
    problems = _problems(b"commune;date\nA;05/01/2024\n")
    assert problems == ["Colonne manquante : « montant »"]


def test_text_in_numeric_column_names_column_value_and_line():
    rows = "".join(f"C{i};05/01/2024;{'abc' if i in (12, 20, 30, 31) else i}\n" for i in range(40))
    problems = _problems(("commune;date;montant\n" + rows).encode())
    assert problems == ["Colonne « montant » : valeur non numérique « abc » ligne 14 (et 3 autres lignes)"]


def test_bad_date_names_line():
    problems = _problems(b"commune;date;montant\nA;05/01/2024;1\nB;31/02/2024;2\n")
    assert problems == ["Colonne « date » : valeur non reconnue comme date « 31/02/2024 » ligne 3"]


def test_empty_file():
    with pytest.raises(InvalidInput) as info:
        read_table(b"", "vide.csv")
    assert info.value.problems == ["Le fichier est vide."]


def test_header_only():
    with pytest.raises(InvalidInput) as info:
        read_table(b"commune;date;montant\n", "f.csv")
    assert "aucune ligne de données" in info.value.problems[0]


def test_large_file_refused_quickly(tmp_path):
    path = tmp_path / "gros.csv"
    line = b"commune;date;montant\n" + b"A;05/01/2024;1\n" * (50 * 1024 * 1024 // 15)
    path.write_bytes(line)
    start = time.perf_counter()
    with pytest.raises(InvalidInput) as info:
        read_table(path.read_bytes(), "gros.csv")
    assert time.perf_counter() - start < 1.0
    message = info.value.problems[0]
    assert "trop volumineux" in message and "Mo" in message and "20,0 Mo" in message


def test_unsupported_extension():
    with pytest.raises(InvalidInput) as info:
        read_table(b"data", "f.pdf")
    assert "non pris en charge" in info.value.problems[0]


def test_messages_are_french():
    french = ("Colonne", "fichier", "Fichier", "Le ")
    cases = [
        lambda: read_table(b"", "f.csv"),
        lambda: read_table(b"a;b\n", "f.csv"),
        lambda: read_table(b"x" * 30, "f.csv", max_bytes=10),
        lambda: prepare(read_table(b"commune;date\nA;1\n", "f.csv"), SCHEMA),
    ]
    for case in cases:
        with pytest.raises(InvalidInput) as info:
            case()
        assert all(any(w in p for w in french) for p in info.value.problems), info.value.problems


def test_line_numbers_are_the_files_own_across_blank_lines_and_multiline_cells():
    text = ('commune;date;montant\nA;05/01/2024;1\n\n"B\nsur deux lignes";05/01/2024;2\n'
            'C;05/01/2024;trois\n')
    problems = _problems(text.encode())
    assert problems == ["Colonne « montant » : valeur non numérique « trois » ligne 6"]


def test_utf16_without_bom_is_read():
    text = "commune\tdate\tmontant\nÉvry\t05/01/2024\t1,5\n"
    df = prepare(read_table(text.encode("utf-16-le"), "export.txt"), SCHEMA)
    assert df["commune"].tolist() == ["Évry"] and df["montant"].tolist() == [1.5]


def test_a_comma_file_with_decimal_commas_is_refused_not_shifted():
    with pytest.raises(InvalidInput) as info:
        read_table(b"commune,date,montant\nA,05/01/2024,1,5\nB,06/01/2024,2\n", "f.csv")
    assert "Lecture ambiguë" in info.value.problems[0] and "ligne 2" in info.value.problems[0]


def test_infinite_numbers_are_named():
    problems = _problems(b"commune;date;montant\nA;05/01/2024;inf\n")
    assert problems == ["Colonne « montant » : valeur non finie (infinie ou hors limites) « inf » ligne 2"]
