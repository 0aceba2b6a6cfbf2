"""The study's queries, one module per aggregate (issue 20: SQL lives only in ``qualframe/store/``).

Each function takes an open :class:`~sqlalchemy.orm.Session` (the caller owns the transaction, from
``Study.read()`` or ``Study.write()``) and returns plain values, small frozen rows defined here, or
the ORM rows of :mod:`qualframe.store.models`. Nothing here imports a domain package: the domain
modules above compute on what these return, and ``tests/test_sql_in_store.py`` keeps new SQL from
appearing anywhere else.
"""

__all__: list[str] = []
