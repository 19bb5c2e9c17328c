"""meshlint: lint, validate and explain Istio service-mesh configuration offline."""

__version__ = "0.1.0"
