"""The ``ahpo`` command line: list, inspect, export, create and delete studies; workers.

Every command takes ``--storage URL``; it defaults to the ``AHPO_STORAGE``
environment variable, else to ``sqlite:///ahpo.db`` (the file ``make demo`` writes).

Examples
--------
.. code-block:: console

    $ ahpo studies
    $ ahpo best --study demo
    $ ahpo trials --study demo --format csv --output demo.csv
    $ ahpo worker --study demo --objective train:objective --max-trials 500
"""

from __future__ import annotations

import click

from ahpo import __version__
from ahpo.cli._commands import best, create, delete, studies, trials
from ahpo.cli._worker import worker

__all__ = ["main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(version=__version__, prog_name="ahpo")
def main() -> None:
    """Inspect and manage ahpo studies kept in a database, and run workers."""


for _command in (studies, best, trials, create, delete, worker):
    main.add_command(_command)
