from __future__ import annotations

import os
from pathlib import Path

import pytest

from gateway.exceptions import SpecError
from gateway.services import ReloadingRegistry

from .test_spec import GOOD

# explicit, distinct modification times: the tests never depend on the clock's resolution
T0 = 1_700_000_000_000_000_000
T1 = T0 + 7_000_000_000
T2 = T1 + 7_000_000_000
T3 = T2 + 7_000_000_000


def write(path: Path, text: str, mtime_ns: int) -> None:
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(mtime_ns, mtime_ns))


@pytest.fixture
def path(tmp_path: Path) -> Path:
    p = tmp_path / "services.yaml"
    write(p, GOOD, T0)
    return p


def test_starts_with_the_file_in_force(path: Path) -> None:
    reloading = ReloadingRegistry(path)
    assert reloading.current.numbers == ("DX-0123", "DX-0456", "DX-0789")
    assert reloading.last_error is None


def test_a_bad_file_stops_the_start(tmp_path: Path) -> None:
    p = tmp_path / "services.yaml"
    write(p, GOOD.replace("version: 1", "version: 2"), T0)
    with pytest.raises(SpecError, match=r"services.yaml:1: version must be 1"):
        ReloadingRegistry(p)


def test_an_unchanged_file_is_not_reloaded(path: Path) -> None:
    reloading = ReloadingRegistry(path)
    before = reloading.current
    assert reloading.refresh() is False
    assert reloading.refresh() is False
    assert reloading.current is before


def test_a_changed_valid_file_takes_effect(path: Path) -> None:
    reloading = ReloadingRegistry(path)
    before = reloading.current
    service = before.get("DX-0789")
    assert service is not None
    assert not service.may_request("201000003", "201000004")

    write(path, GOOD.replace('requesters: ["201000002"]', 'requesters: ["201000003"]'), T1)
    assert reloading.refresh() is True
    assert reloading.current is not before
    assert reloading.last_error is None
    service = reloading.current.get("DX-0789")
    assert service is not None
    assert service.may_request("201000003", "201000004")
    assert not service.may_request("201000002", "201000004")
    # and once in force, the same file is not reloaded again
    assert reloading.refresh() is False


def test_same_size_edit_with_a_new_mtime_is_seen(path: Path) -> None:
    reloading = ReloadingRegistry(path)
    edited = GOOD.replace("deadline: 3", "deadline: 5")
    assert len(edited) == len(GOOD)
    write(path, edited, T1)
    assert reloading.refresh() is True
    service = reloading.current.get("DX-0789")
    assert service is not None
    assert service.deadline.business_days == 5


def test_a_changed_invalid_file_keeps_the_last_good_registry(path: Path) -> None:
    reloading = ReloadingRegistry(path)
    before = reloading.current

    write(path, GOOD.replace('provider: "201000004"', "provider: 201000004"), T1)
    assert reloading.refresh() is False
    assert reloading.current is before
    assert isinstance(reloading.last_error, SpecError)
    assert reloading.last_error.line == 23
    assert f"{path}:23" in str(reloading.last_error)
    # the same bad file is reported once, not reloaded on every tick
    assert reloading.refresh() is False
    assert reloading.current is before

    # fixing the file brings the new version in and clears the error
    write(path, GOOD.replace("deadline: 3", "deadline: 2"), T2)
    assert reloading.refresh() is True
    assert reloading.last_error is None
    service = reloading.current.get("DX-0789")
    assert service is not None
    assert service.deadline.business_days == 2


def test_a_vanished_file_keeps_the_registry(path: Path) -> None:
    reloading = ReloadingRegistry(path)
    before = reloading.current
    path.unlink()
    assert reloading.refresh() is False
    assert reloading.current is before
    write(path, GOOD.replace("deadline: 3", "deadline: 4"), T3)
    assert reloading.refresh() is True
    service = reloading.current.get("DX-0789")
    assert service is not None
    assert service.deadline.business_days == 4
