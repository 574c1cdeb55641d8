from pathlib import Path

import pytest

from tests.conftest import SHARED_DATA, require_shared


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The shared real datasets: the modules' backtests run on them (required in CI)."""
    return require_shared(SHARED_DATA)
