"""The public International Interest Survey (SPEC §4): forms, views and intake into crm.

This package imports ``crm``; ``crm`` never imports it (``tests/test_architecture.py``).
"""
