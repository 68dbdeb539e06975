"""Distributed throughput and ask time on PostgreSQL: ahpo against Optuna's RDBStorage."""
