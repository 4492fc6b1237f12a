"""Indexing stage: scanning with the one set of ignore rules, the indexer and its batch writer,
and the watcher that follows folders live."""
