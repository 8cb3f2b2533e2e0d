//! legate-core
