"""Delivering posts to channels exactly once: the publisher interface, the ledger, the engine."""
