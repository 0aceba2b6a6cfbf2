"""The workbench's pages, one module each (see :mod:`qualframe.web.pages` for the protocol).

Built: ``login`` (public), ``dashboard``, ``sources`` (source view and coding API), ``suggestions``
(review), ``codebook`` (editor), ``quotes``, ``search``, ``themes``, ``matrix`` (framework
matrix), ``reliability``, ``saturation`` (with prevalence), ``cooccurrence``, ``networks``,
``simulation``, ``downloads`` (report, exports, study files) and ``assets`` (code colours).
``_analysis`` holds what the analysis pages share (its leading underscore keeps it out of
discovery).
"""
