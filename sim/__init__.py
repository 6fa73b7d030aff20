"""ISF scenario lab: bargaining and agent-based ground model for the Gaza stabilization force."""

__version__ = "0.1.0"
