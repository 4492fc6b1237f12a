"""Storage stage: the SQLite catalog, the FTS5 keyword index, the vector stores, and the index
facade that owns write order and repair."""
