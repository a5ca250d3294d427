from graphx.cli import main

main()
