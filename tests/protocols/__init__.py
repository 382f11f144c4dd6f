"""Tests of odoo_async._protocols: JSON-RPC, XML-RPC, JSON-2, the web session, auto."""
