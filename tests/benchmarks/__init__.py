"""Tests of the benchmarks package: its helpers, mirrored module by module."""
