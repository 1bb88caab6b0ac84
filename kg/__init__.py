"""safeguarding-kg: a knowledge graph of child safeguarding case reviews and the
responses to their recommendations."""

__version__ = "0.1.0"
