"""The local stack: template.yaml's API, functions and tables served on loopback over moto's server."""
