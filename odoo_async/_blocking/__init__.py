"""The blocking API: ``Odoo`` and ``Model``, the async client run on an event loop
of its own in a background thread (``_loop``)."""
