"""`gateway adapters new` scaffolds a package that passes the contract suite unmodified."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import EntryPoint
from pathlib import Path

import pytest

from gateway.adapters import AdapterRegistry
from gateway.adapters.scaffold import scaffold
from gateway.exceptions import ConfigError


def test_the_scaffolded_adapter_passes_the_contract_suite_unmodified(tmp_path: Path) -> None:
    root = scaffold("city-archive", tmp_path)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root), *sys.path])}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(root / "tests")],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "passed" in done.stdout
    assert "failed" not in done.stdout


def test_the_scaffolded_entry_point_registers_the_adapter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = scaffold("city-archive", tmp_path)
    monkeypatch.syspath_prepend(str(root))
    pyproject = (root / "pyproject.toml").read_text()
    value = pyproject.split('city-archive = "', 1)[1].split('"', 1)[0]
    point = EntryPoint("city-archive", value, "gateway.adapters")
    registry = AdapterRegistry.discover([point])
    assert registry.names() == ["city-archive"]
    assert registry.get("city-archive").__name__ == "CityArchiveAdapter"


def test_a_bad_name_or_an_existing_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not valid"):
        scaffold("City Archive", tmp_path)
    scaffold("ok", tmp_path)
    with pytest.raises(ConfigError, match="exists already"):
        scaffold("ok", tmp_path)


def test_broken_entry_points_are_reported_not_fatal() -> None:
    points = [
        EntryPoint("portal", "gateway.adapters.portal:PortalAdapter", "gateway.adapters"),
        EntryPoint("ghost", "no_such_module:Adapter", "gateway.adapters"),
        EntryPoint("wrong", "gateway.adapters.portal:PortalAdapter", "gateway.adapters"),
        EntryPoint("notone", "gateway.adapters.retry:RetryBudget", "gateway.adapters"),
    ]
    registry = AdapterRegistry.discover(points)
    assert registry.names() == ["portal"]
    assert "cannot import" in registry.broken["ghost"]
    assert "entry point is called 'wrong'" in registry.broken["wrong"]
    assert "not a subclass" in registry.broken["notone"]
    with pytest.raises(ConfigError, match="installed but unusable"):
        registry.get("ghost")
    with pytest.raises(ConfigError, match="no adapter 'nothing'; installed: portal"):
        registry.get("nothing")
