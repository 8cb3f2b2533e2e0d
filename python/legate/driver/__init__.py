"""The ``legate`` command: run a Python program with a Legate configuration.

The driver is pure Python and never imports the compiled runtime: it turns flags and
``LEGATE_*`` variables into the ``LEGATE_CONFIG`` flag string, builds the command line
(launcher, debugger, the NumPy patch bootstrap) and runs the program in a child
process. Modules:

``machine``
    What the driver reads about this machine (cores, memory, CPU model).
``flags``
    The flag table and the argument parser.
``config``
    Resolution of flags, environment and detected defaults; validation;
    ``LEGATE_CONFIG``.
``launcher``
    Rank detection and the ``mpirun``/``srun``/``jsrun`` command prefixes.
``command``
    The child's command line and environment.
``main``
    The ``legate`` entry point.
``patch``
    The ``lgpatch`` entry point and the child-side bootstrap behind ``--patch``.
"""
