from perks.cli import main

main()
