"""Tests of odoo_async._transports: the HTTP session, the transports, TLS, Retry-After."""
