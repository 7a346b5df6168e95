"""Shared fixtures: the scaleml binary (SCALEML_BINARY, set by ctest; build/scaleml otherwise)."""

import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def scaleml_binary():
    path = os.environ.get("SCALEML_BINARY", str(ROOT / "build" / "scaleml"))
    if not os.path.exists(path):
        pytest.skip(f"{path} is not built")
    return path


@pytest.fixture
def run_cli(scaleml_binary):
    def run(*args):
        result = subprocess.run(
            [scaleml_binary, *map(str, args)], capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, result.stderr
        return result

    return run
