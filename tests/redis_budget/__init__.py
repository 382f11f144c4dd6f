"""Tests of odoo_async.redis and of sharded jobs, with several processes."""
