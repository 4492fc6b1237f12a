"""The engine: extraction, chunking, embedding, storage, indexing, watching and search. No Qt."""
