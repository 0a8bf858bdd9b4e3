from callkpi.cli.app import main

main()
