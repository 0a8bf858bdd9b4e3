"""`python -m callkpi.cli`, the same as the `callkpi` command."""

from callkpi.cli.app import main

main()
