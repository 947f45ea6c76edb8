"""Size limits on untrusted input, in one place so the checks and docs/threat_model.md agree.

Every limit is checked before the work it bounds starts (before parsing, allocating or computing),
and input beyond it is refused as bad input (exit 2, HTTP 4xx) naming the limit and its value.
"""
from __future__ import annotations

#: bytes of one scenario, parameter or observed-CSV file
MAX_FILE_BYTES = 5_000_000
#: YAML nodes of one document once every alias is expanded (a "billion laughs" file has 10⁹)
MAX_YAML_NODES = 200_000
#: files in one `extends:` chain (the scenario itself included)
MAX_EXTENDS_DEPTH = 32
#: rows of one observed-values CSV
MAX_CSV_ROWS = 100_000
#: points of a sweep design (grid points multiply across levers)
MAX_DESIGN_POINTS = 1_000_000
#: bytes a design may need in memory (points × columns × 8 bytes, runs × years for the draws)
MAX_DESIGN_BYTES = 2 * 1024**3
#: bytes of one explorer request body
MAX_REQUEST_BYTES = 64 * 1024
#: characters of a scenario name (report folders add suffixes such as '-sensitivity' to it)
MAX_NAME_CHARS = 80
