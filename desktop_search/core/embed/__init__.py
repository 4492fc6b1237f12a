"""Embedding stage: the embedder interface, the factory that picks a backend, one module per
backend."""
