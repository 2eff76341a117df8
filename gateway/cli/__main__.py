"""``python -m gateway.cli``: the same as the ``gateway`` command."""

from __future__ import annotations

from gateway.cli.main import main

main()
