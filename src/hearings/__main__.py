from hearings.cli import main

main()
