"""One small tree of errors. Each message says what went wrong, where, and what to do.

The build catches ``KgError`` per document, records a ``Failure`` and goes on; anything
else is a bug and surfaces.
"""

from __future__ import annotations

from pathlib import Path


class KgError(Exception):
    """Base class: ``path`` names the file concerned, where there is one."""

    def __init__(self, message: str, path: Path | str | None = None, line: int | None = None):
        self.path = Path(path) if path is not None else None
        self.line = line
        self.reason = message
        where = ""
        if self.path is not None:
            where = f"{self.path}:{line}: " if line else f"{self.path}: "
        super().__init__(where + message)


class IngestError(KgError):
    """A file could not be read as a document."""


class SegmentError(KgError):
    """A document's structure could not be understood."""


class ExportError(KgError):
    """An output could not be written."""


class QueryError(KgError):
    """A SPARQL query could not be parsed or run."""


class ValidationError(KgError):
    """The graph does not conform to the SHACL shapes."""


class DataError(KgError):
    """A data file under ontology/ (a cue list, a vocabulary) is malformed."""


class StoreError(KgError):
    """The export can be read neither from its store nor as Turtle."""


class PushError(KgError):
    """A triple store could not be reached, or refused what was sent to it."""
