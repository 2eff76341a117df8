"""``gateway calendar show|check`` as operators run it: a real process, its output and exit code."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def gateway(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GATEWAY_")}
    env["GATEWAY_LOG_FORMAT"] = "console"
    return subprocess.run(
        [sys.executable, "-m", "gateway.cli", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_passes_for_2026_on_the_repository_file() -> None:
    done = gateway("calendar", "check", "--year", "2026")
    assert done.returncode == 0, done.stderr
    assert "calendar.yaml: 2026 ready (8 entries)" in done.stdout
    assert "notice: 2026: 6 entries cite an act whose number or date is to be confirmed" in (
        done.stdout
    )
    assert "error" not in done.stderr


def test_check_says_plainly_what_2027_lacks() -> None:
    done = gateway("calendar", "check", "--year", "2027")
    assert done.returncode == 1
    assert "calendar.yaml: 2027 NOT READY (0 entries)" in done.stdout
    assert "only estimates Eid al-Fitr (estimated) on 2027-03-09 (Tue)" in done.stderr
    assert "has no entry for 2027" in done.stderr
    as_json = json.loads(gateway("calendar", "check", "--year", "2027", "--json").stdout)
    assert as_json["ok"] is False
    assert as_json["years"][0]["unconfirmed_estimates"][0] == {
        "date": "2027-03-09",
        "name": "Eid al-Fitr (estimated)",
    }


def test_show_lists_each_day_with_its_origin() -> None:
    done = gateway("calendar", "show", "2026")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("2026: 248 working days (calendar.yaml over the holidays package")
    assert any(
        line.startswith("  Sat 2026-12-12  working")
        and "[calendar.yaml: Presidential decree on the days off of 2025-2026" in line
        for line in lines
    )
    assert any("2026-03-20" in line and "PQ-106 of 2026-03-17" in line for line in lines)
    assert any("2026-01-01" in line and "[package]" in line for line in lines)
    estimated = gateway("calendar", "show", "2027", "--json")
    days = {d["date"]: d for d in json.loads(estimated.stdout)["days"]}
    assert days["2027-03-09"]["origin"] == "package_estimated"
    assert days["2027-03-09"]["working"] is False


def test_a_bad_file_stops_with_its_line(tmp_path: Path) -> None:
    bad = tmp_path / "calendar.yaml"
    bad.write_text("version: 1\ndays:\n  - date: 2026-12-14\n    kind: day_off\n")
    done = gateway("calendar", "check", "--file", str(bad))
    assert done.returncode == 2
    assert f"error [bad_configuration]: {bad}:3 (entry '2026-12-14'): missing key 'source'" in (
        done.stderr
    )
