"""Extraction stage: one reader per format behind one registry, the worker pool that runs them
with time and memory caps, and the process that draws page previews."""
