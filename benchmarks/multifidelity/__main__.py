"""Command line: ``python -m benchmarks.multifidelity --seeds 10 --jobs 2`` (see ``run``)."""

from benchmarks.multifidelity.run import main

main()
