"""Legate in Rust: the runtime's Python face.

``legate.core`` is the API for library authors; ``legate.driver`` is the ``legate``
command. Importing ``legate`` alone does not start the runtime.
"""


def _version() -> str:
    # One source: the workspace's Cargo.toml version, which maturin writes into the
    # installed package's metadata (and compiles into the extension module).
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("legate-rs")
    except PackageNotFoundError:  # a source checkout on sys.path, not installed
        from legate import _legate

        return _legate.__version__


def __getattr__(name):
    # ``__version__`` on first use: importlib.metadata alone costs ~25 ms of start-up.
    if name == "__version__":
        global __version__
        __version__ = _version()
        return __version__
    raise AttributeError(f"module 'legate' has no attribute '{name}'")
