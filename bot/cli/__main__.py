"""Run the `porte-voix` command as `python -m bot.cli`."""

from bot.cli import main

main()
