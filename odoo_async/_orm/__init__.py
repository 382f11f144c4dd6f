"""The repository layer: what a user reads and writes Odoo with.

- ``_repository``: :class:`~odoo_async.AsyncModel`, written against ``_caller.ModelClient``;
- ``_domain``, ``_command``, ``_records`` (and ``_records_gen``): domains, x2many
  commands, typed records;
- the fetch engine: ``_engine`` (sizes, measures and schedules), fed by ``_pager``
  (streamed and awaited ``search_read``) and ``_chunks`` (long ``read()``s and
  list ``create()``s); ``_adaptive`` (its pure decisions), ``_order`` (paging
  arithmetic and order strings);
- ``_batcher`` (``get()`` merged into few reads) and ``_cache`` (per-client caches).
"""
