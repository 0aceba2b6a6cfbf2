"""The workbench's pages, one module each (see :mod:`qualframe.web.pages` for the protocol).

Built: ``login`` (public), ``dashboard``, ``sources`` (source view and coding API), ``codebook``
(editor), ``quotes``, ``search``, ``downloads`` (report, exports, study files) and ``assets``
(code colours). Planned, declared but not yet written (their navigation entries stay hidden):
``suggestions``, ``matrix``, ``reliability``, ``saturation``, ``cooccurrence``, ``networks``,
``simulation``.
"""
