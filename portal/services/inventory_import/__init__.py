"""Bring in the inventory a collectivité already keeps: a spreadsheet (CSV or Excel) of its
algorithms, or a register in the Eurocities Algorithmic Transparency Standard v0.3.1 (CSV or JSON).

Steps, the same from the page and from ``vigie import``:

1. **read** the file with the strict reader of user files (:func:`usecases.loading.read_table`:
   ``;`` or ``,``, decimal comma, UTF-8 with or without BOM, Windows-1252/Latin-1, Excel), or the
   Eurocities JSON (``{"registrations": [...]}`` or a list);
2. **map** the columns onto the sheet's fields: guessed from the headers (French labels, field codes,
   usual synonyms), or the mapping saved for files with the same headers, or one given; a mapping
   also holds default values (the family, a direction) for what the file does not say. The Eurocities
   attributes map by the standard (the inverse of :mod:`portal.services.eurocities`);
3. **preview**: every row validated like the form (``SheetFields``), with French problems naming the
   row, the column and the problem, and likely duplicates (similar title, same service or provider,
   in the register or earlier in the file) flagged for the person to decide;
4. **import**: all or nothing (one bad row and nothing is written), or the valid rows only (each
   refused row listed with its reason). Creation goes through :meth:`RegisterService.create_many`:
   the role check, one transaction, and one audit event per use case carrying the source file's
   SHA-256, its line and the values of the row that no field of the sheet holds, so nothing the
   file said is lost.

Mappings are saved as JSON in the data folder (``import-mappings.json``), keyed by format and headers.

Parts: ``mapping`` (fields, guesses, saved mappings), ``rows`` (cells to fields, likely duplicates,
Eurocities records), ``results`` (row results, preview, report) and ``service``.
"""

from portal.services.inventory_import.mapping import (
    FORMAT_LABELS,
    FORMATS,
    LABELS,
    MAPPINGS_FILE,
    REQUIRED,
    ColumnMapping,
    guess_mapping,
)
from portal.services.inventory_import.results import ImportPreview, ImportReport, RowResult
from portal.services.inventory_import.rows import likely_duplicates
from portal.services.inventory_import.service import InventoryImportService

__all__ = [
    "FORMATS",
    "FORMAT_LABELS",
    "LABELS",
    "MAPPINGS_FILE",
    "REQUIRED",
    "ColumnMapping",
    "ImportPreview",
    "ImportReport",
    "InventoryImportService",
    "RowResult",
    "guess_mapping",
    "likely_duplicates",
]
