from citymodel.cli import main

main()
