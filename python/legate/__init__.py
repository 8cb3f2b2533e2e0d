"""Legate in Rust: the runtime's Python face.

``legate.core`` is the API for library authors; ``legate.driver`` is the ``legate``
command. Importing ``legate`` alone does not start the runtime.
"""

__version__ = "0.1.0"
