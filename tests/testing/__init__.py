"""Tests of the Odoo test double (odoo_async.testing)."""
