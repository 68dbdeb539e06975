"""Tests of the storages: one contract suite run against every backend."""
