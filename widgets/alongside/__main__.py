"""Run the command line: ``python -m alongside ...``."""

from alongside.cli import main

raise SystemExit(main())
