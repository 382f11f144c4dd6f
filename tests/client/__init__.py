"""Tests of odoo_async._client: the client, its retry loop and rules, its limits."""
