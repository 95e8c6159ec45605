"""Allow ``python -m handover_docs``."""

import sys

from handover_docs.cli import main

sys.exit(main())
