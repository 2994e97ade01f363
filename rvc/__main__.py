"""`python -m rvc` runs the command-line interface."""

from rvc.entry import main

main()
