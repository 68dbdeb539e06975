"""``python -m ahpo.cli``: the same as the ``ahpo`` command."""

from ahpo.cli import main

if __name__ == "__main__":
    main(prog_name="ahpo")
