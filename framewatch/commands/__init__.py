"""One module per command group; each has ``register(subparsers)``, listed in
:data:`framewatch.cli.COMMAND_MODULES`."""
