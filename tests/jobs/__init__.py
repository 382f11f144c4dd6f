"""Tests of odoo_async.jobs."""
