//! Sparse matrices on Legate stores (see the legate_sparse issue); the crate exists so the workspace layout matches DESIGN.md.
