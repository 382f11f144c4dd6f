"""Tests of odoo_async.shared and of sharded jobs, with several processes."""
