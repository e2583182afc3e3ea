"""Root pytest set-up, shared by the tests and the nbval run of the notebooks."""

import os
import tempfile
from pathlib import Path


def pytest_configure(config):
    # Notebook kernels inherit the environment: they must never touch a developer's real workshop data.
    folder = Path(tempfile.mkdtemp(prefix="workshop-tests-"))
    os.environ["WORKSHOP_DATABASE_URL"] = f"sqlite:///{folder / 'notebooks.sqlite3'}"
