"""The public International Interest Survey (``docs/domain.md#survey``): forms, views and
intake into crm.

This package imports ``crm``; ``crm`` never imports it (``tests/test_architecture.py``).
"""
