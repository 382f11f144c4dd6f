"""Tests of odoo_async._blocking: the blocking client."""
