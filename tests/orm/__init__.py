"""Tests of odoo_async._orm: repositories, domains, commands, records, the fetch engine."""
