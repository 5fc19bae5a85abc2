"""oauthctl, the operators' CLI (``scripts/oauthctl``): one module per command group, ``main`` for the parser."""
