"""Tests of the odoo-async command (odoo_async.cli)."""
