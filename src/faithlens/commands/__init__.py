"""The subcommands of the command line, one module each (`register(sub)` adds its parser, `run(args)` runs it)."""
