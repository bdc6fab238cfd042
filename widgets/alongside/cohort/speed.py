"""Make nbgrader's fixed cost per notebook small in a grading worker, without changing what it does.

With no kernel to run, most of the time nbgrader spends on a submission goes on set-up it repeats
for every notebook: a new database engine and connection for each of its many short gradebook
sessions, each of which also checks that every table exists, a JSON-schema check that first
re-checks the schema itself for every cell, and the feedback page's templates compiled afresh each
time. :func:`quicken_nbgrader` keeps one of each per process: one engine per URL whose
connections stay open (on a PostgreSQL server a new connection is a new server process), the
tables checked once per engine. It is for :mod:`alongside.cohort.grade`'s worker processes; the
results are the same as without it.
"""

from __future__ import annotations

import functools
import json

import jinja2
import jsonschema


class _Templates(jinja2.BytecodeCache):
    """Compiled templates kept in memory for the life of the process."""

    def __init__(self):
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket):
        """Reuse a template compiled earlier in this process."""
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket):
        """Keep a newly compiled template."""
        self.compiled[bucket.key] = bucket.bytecode_to_string()


class _Schemas:
    """Stands in for the jsonschema module in nbgrader's metadata check: one validator per schema."""

    ValidationError = jsonschema.ValidationError
    _validators: dict[str, object] = {}

    @classmethod
    def validate(cls, instance, schema):
        """Raise the best-matching ValidationError, as ``jsonschema.validate`` does, without re-checking the schema."""
        key = json.dumps(schema, sort_keys=True)
        validator = cls._validators.get(key)
        if validator is None:
            validator = cls._validators[key] = jsonschema.validators.validator_for(schema)(schema)
        error = jsonschema.exceptions.best_match(validator.iter_errors(instance))
        if error is not None:
            raise error


def quicken_nbgrader() -> None:
    """Share one database engine per URL, one schema validator per schema and compiled templates. Idempotent."""
    import nbgrader.api
    import nbgrader.nbgraderformat.common
    from nbconvert.exporters.templateexporter import TemplateExporter

    if getattr(nbgrader.api, "_alongside_quick", False):
        return
    plain_engine = nbgrader.api.create_engine

    @functools.lru_cache(maxsize=None)
    def create_engine(*args, **kwargs):
        engine = plain_engine(*args, **kwargs)
        engine.dispose = lambda close=True: None  # Gradebook.close disposes it: keep its open connections
        return engine

    metadata = nbgrader.api.Base.metadata
    plain_create_all, checked = metadata.create_all, set()

    def create_all(bind, **kwargs):
        if bind not in checked:
            plain_create_all(bind=bind, **kwargs)
            checked.add(bind)

    nbgrader.api.create_engine = create_engine
    metadata.create_all = create_all
    nbgrader.nbgraderformat.common.jsonschema = _Schemas
    templates = _Templates()
    plain = TemplateExporter._create_environment

    def _create_environment(self):
        environment = plain(self)
        environment.bytecode_cache = templates
        return environment

    TemplateExporter._create_environment = _create_environment
    nbgrader.api._alongside_quick = True
