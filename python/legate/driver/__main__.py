"""``python -m legate.driver`` is the ``legate`` command."""

import sys

from legate.driver.main import main

sys.exit(main())
