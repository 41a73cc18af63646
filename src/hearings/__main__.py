from hearings.entry import main

main()
