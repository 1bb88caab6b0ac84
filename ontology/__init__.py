"""Data, not code: the ontology, shapes, vocabularies and named queries of safeguarding-kg.

This file makes the folder the regular package ``kg.ontology`` inside the wheel (see
pyproject.toml), so that ``importlib.resources`` finds the data as plain files.
"""
