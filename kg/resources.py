"""Where the package's data lives: the ``ontology/`` folder, found through the package.

In a wheel, ``ontology/`` ships as the data package ``kg.ontology``; in a source checkout
(editable install or ``PYTHONPATH``) setuptools maps that name onto the top-level folder. Either
way ``importlib.resources`` finds it, and nothing is read until a caller asks.
"""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files
from pathlib import Path


@lru_cache(maxsize=1)
def ontology_dir() -> Path:
    """The folder holding ``sg.ttl``, ``shapes.ttl``, the vocabularies and ``queries/``."""
    try:
        found = Path(str(files("kg.ontology")))
    except ModuleNotFoundError:  # a bare checkout on sys.path, nothing installed
        found = Path(__file__).resolve().parent.parent / "ontology"
    return found


def ontology_file(name: str) -> Path:
    """One file under ``ontology/`` (``"shapes.ttl"``, ``"queries/evidence.rq"``)."""
    return ontology_dir() / name
