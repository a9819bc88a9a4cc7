"""Scenario modules. Every module here is imported by bench.registry.load_scenarios().

One module per area (platform.py now; customers.py, leads.py … in later issues); each
registers its scenarios with ``@scenario`` from bench.registry.
"""
