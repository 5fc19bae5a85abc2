"""``python -m oauthctl_cli``, as ``scripts/oauthctl`` runs it."""

import sys

from .main import main

sys.exit(main())
