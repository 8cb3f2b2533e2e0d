//! NumPy-like arrays on Legate stores (see the legate_numeric issue); the crate exists so the workspace layout matches DESIGN.md.
