"""``isf-lab lab``: start the Streamlit scenario lab (the README's main command)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

APP = Path(__file__).resolve().parents[1] / "app.py"


def lab(
    port: Annotated[
        int,
        typer.Option(
            "--port",
            "--server.port",
            min=1,
            max=65535,
            help="Port to serve the app on (--server.port, Streamlit's spelling, works too).",
        ),
    ] = 8501,
    headless: Annotated[
        bool, typer.Option(help="Do not try to open a browser (servers, containers).")
    ] = False,
) -> None:
    """Start the Streamlit app: edit, run and compare scenarios in the browser."""
    if not APP.is_file():
        typer.echo(f"error: the app file {APP} is missing", err=True)
        raise typer.Exit(2)
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP),
        "--server.port",
        str(port),
        "--server.headless",
        "true" if headless else "false",
        "--browser.gatherUsageStats",
        "false",
        "--client.toolbarMode",
        "minimal",
    ]
    typer.echo(f"Starting the ISF scenario lab on http://localhost:{port} (Ctrl-C to stop)")
    sys.stdout.flush()
    env = {**os.environ, "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
    # Replace this process with the server, so that a plain kill stops it too.
    os.execve(sys.executable, command, env)
