"""legate_sparse.io (being written)."""
