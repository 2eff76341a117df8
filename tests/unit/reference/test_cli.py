"""``gateway reference serve``: the names it takes, and a real run stopped by Ctrl-C."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import aiohttp
from click.testing import CliRunner

from gateway.cli.reference import NAMES, reference
from gateway.reference import REFERENCE_SERVERS


def test_the_command_knows_every_server() -> None:
    assert tuple(sorted(REFERENCE_SERVERS)) == NAMES
    shown = CliRunner().invoke(reference, ["serve", "--help"])
    assert shown.exit_code == 0
    assert "{eqaror|generic|nisuz|portal}" in shown.output
    refused = CliRunner().invoke(reference, ["serve", "e-qaror"])
    assert refused.exit_code == 2


async def test_serve_prints_its_url_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    db = tmp_path / "portal.sqlite"
    log = tmp_path / "serve.log"
    with log.open("wb") as stderr:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "gateway.cli",
            "reference",
            "serve",
            "portal",
            "--port",
            "0",
            "--db",
            str(db),
            "--token",
            "t-1",
            stdout=asyncio.subprocess.PIPE,
            stderr=stderr,
            env=os.environ | {"PYTHONUNBUFFERED": "1", "GATEWAY_HOME": str(tmp_path)},
        )
    assert process.stdout is not None
    line = (await asyncio.wait_for(process.stdout.readline(), 30)).decode()
    url = line.split(" at ", 1)[1].split()[0]
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{url}/api/v1/cases/c-1") as denied:
            assert denied.status == 401
        headers = {"Authorization": "Bearer t-1"}
        async with session.get(f"{url}/api/v1/cases/c-1", headers=headers) as missing:
            assert missing.status == 404
    process.send_signal(signal.SIGINT)
    try:
        # its stdout closes when it exits: what it printed last says it stopped by Ctrl-C
        rest = (await asyncio.wait_for(process.stdout.read(), 60)).decode()
        code = await asyncio.wait_for(process.wait(), 60)
    except TimeoutError:
        status = Path(f"/proc/{process.pid}/status").read_text()  # noqa: ASYNC240 -- /proc
        masks = [
            line for line in status.splitlines() if line.startswith(("SigBlk", "SigIgn", "SigCgt"))
        ]
        process.kill()
        await process.wait()
        raise AssertionError(
            f"no exit 60 s after Ctrl-C ({masks}); its log:\n{log.read_text()}"
        ) from None
    assert code == 0, log.read_text()
    assert "portal reference server stopped" in rest
    assert db.exists()
