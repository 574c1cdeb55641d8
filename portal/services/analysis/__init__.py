"""Analysis: bind a use case to a module, run it on uploaded files or its sample, store, reopen, compare.

A run reads every named input, checks it against the module's schema and validates the parameters
*before* anything is written: a bad file stores nothing. The validated frames, the uploaded bytes,
the result tables and the charts are stored compressed (Parquet, gzip) with a SHA-256 checksum.

``run`` computes and stores in one transaction (CLI, tests, demo). ``start_run`` validates, stores the
run as ``running`` with its inputs, then computes in a background thread that writes its progress; the
page polls ``get_run`` and never freezes. ``set_reference`` marks the run monitoring compares with and
then calls the ``on_reference`` hook with the run's inputs.

Parts: ``bindings`` (which module runs behind a use case), ``runs`` (validate, compute, store, read
back, mark the reference), ``comparison`` (two runs side by side), ``storage`` (artifacts and
checksums) and ``views`` (what pages receive).
"""

from portal.services.analysis.service import AnalysisService
from portal.services.analysis.storage import param_choices, param_labels
from portal.services.analysis.views import (
    MAX_UPLOAD_BYTES,
    STATUS_FR,
    AnalysisFailed,
    BindingView,
    Comparison,
    ModuleInfo,
    RunDetail,
    RunView,
    TableDiff,
    UploadedFile,
)

__all__ = [
    "MAX_UPLOAD_BYTES",
    "STATUS_FR",
    "AnalysisFailed",
    "AnalysisService",
    "BindingView",
    "Comparison",
    "ModuleInfo",
    "RunDetail",
    "RunView",
    "TableDiff",
    "UploadedFile",
    "param_choices",
    "param_labels",
]
