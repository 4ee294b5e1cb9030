"""`python -m handouts` is the same as the `sheets` command."""

from .cli import main

main()
