"""legate_sparse.linalg (being written)."""
