"""``python -m trustindex``."""

from .cli import main

main()
