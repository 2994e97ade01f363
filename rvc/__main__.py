"""`python -m rvc` runs the command-line interface."""

from rvc.cli import main

main()
