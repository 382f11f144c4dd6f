"""The client: AsyncOdoo (``_client``), the state its views share and the retry loop
(``_core``), the pure retry rules (``_retry``), and the limits (``_limits``)."""
