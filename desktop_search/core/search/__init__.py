"""Search stage: the query parser, hybrid retrieval and fusion, snippets."""
