"""Launchers: detecting the rank layout of a running job, and the command prefixes
that start several ranks (``mpirun``, ``srun``, ``jsrun``).
"""

from __future__ import annotations

import shlex
from typing import Iterable, Mapping, Sequence

from legate.driver.flags import DriverError

#: Variables exported to every rank besides ``LEGATE_*``, when set. ``mpirun`` passes
#: only what it is told to; ``srun`` and ``jsrun`` pass the whole environment.
STANDARD_VARIABLES = (
    "PATH",
    "LD_LIBRARY_PATH",
    "PYTHONPATH",
    "PYTHONHOME",
    "VIRTUAL_ENV",
    "CONDA_PREFIX",
    "RUST_LOG",
    "RUST_BACKTRACE",
    "CUDA_VISIBLE_DEVICES",
)


def _int(environ: Mapping[str, str], name: str) -> int | None:
    text = environ.get(name, "").strip()
    return int(text) if text.isdigit() and int(text) > 0 else None


def _layout(size: int, local: int) -> tuple[int, int]:
    # A last, partly filled node still counts as a node.
    local = min(local, size)
    return -(-size // local), local


def detect_ranks(environ: Mapping[str, str]) -> tuple[int, int, str] | None:
    """The rank layout of the job this process already runs in, if any.

    Looks at the variables launchers set for each rank: Open MPI
    (``OMPI_COMM_WORLD_SIZE``/``OMPI_COMM_WORLD_LOCAL_SIZE``), PMI-based MPIs such as
    MPICH (``PMI_SIZE`` with ``MPI_LOCALNRANKS`` or ``PMI_LOCAL_SIZE``) and Slurm
    (``SLURM_NTASKS`` with ``SLURM_NTASKS_PER_NODE`` or ``SLURM_NNODES``).

    Parameters
    ----------
    environ
        The environment to inspect.

    Returns
    -------
    tuple[int, int, str] | None
        ``(nodes, ranks_per_node, variables)``, where ``variables`` names what the
        layout was read from; ``None`` when no launcher's variables are set.
    """
    size = _int(environ, "OMPI_COMM_WORLD_SIZE")
    if size is not None:
        local = _int(environ, "OMPI_COMM_WORLD_LOCAL_SIZE") or size
        return (*_layout(size, local), "OMPI_COMM_WORLD_SIZE")
    size = _int(environ, "PMI_SIZE")
    if size is not None:
        local = _int(environ, "MPI_LOCALNRANKS") or _int(environ, "PMI_LOCAL_SIZE") or size
        return (*_layout(size, local), "PMI_SIZE")
    size = _int(environ, "SLURM_NTASKS")
    if size is not None:
        local = _int(environ, "SLURM_NTASKS_PER_NODE")
        if local is None:
            nnodes = _int(environ, "SLURM_NNODES") or 1
            local = -(-size // nnodes)
        return (*_layout(size, local), "SLURM_NTASKS")
    return None


def exported_variables(environ: Mapping[str, str]) -> list[str]:
    """The variables ``mpirun`` must forward: ``LEGATE_CONFIG``, every other
    ``LEGATE_*`` that is set, and the :data:`STANDARD_VARIABLES` that are set."""
    legate = sorted(name for name in environ if name.startswith("LEGATE_") and name != "LEGATE_CONFIG")
    return ["LEGATE_CONFIG", *legate, *(name for name in STANDARD_VARIABLES if name in environ)]


def split_extra(values: Iterable[str] | None) -> list[str]:
    """Each ``--launcher-extra`` value split like a shell would, in order."""
    extra: list[str] = []
    for value in values or ():
        try:
            extra += shlex.split(value)
        except ValueError as e:
            raise DriverError(f"cannot split --launcher-extra {value!r}: {e}") from None
    return extra


def mpirun_options(
    nodes: int,
    ranks_per_node: int,
    cores: int | None,
    as_root: bool,
    extra: Sequence[str] = (),
) -> list[str]:
    """The Open MPI options a run needs besides the layout.

    - ``--allow-run-as-root`` when the driver runs as root (Open MPI refuses otherwise);
    - ``--oversubscribe`` on one node (Open MPI's default slot count is the number of
      cores, and a single-node run is where several ranks share a few cores, in tests
      and on laptops), and on several nodes when ``ranks_per_node`` exceeds this
      machine's cores (taken as the shape of every node).

    An option already in ``extra`` (``--launcher-extra``) is not repeated.

    Parameters
    ----------
    nodes, ranks_per_node
        The layout.
    cores
        This machine's cores (``None`` when unknown).
    as_root
        Whether the driver runs as root.
    extra
        The ``--launcher-extra`` arguments.
    """
    options = []
    if as_root:
        options.append("--allow-run-as-root")
    if nodes == 1 or (cores is not None and ranks_per_node > cores):
        options.append("--oversubscribe")
    return [option for option in options if option not in extra]


def launcher_prefix(
    launcher: str,
    nodes: int,
    ranks_per_node: int,
    extra: Sequence[str] = (),
    exported: Sequence[str] = (),
    options: Sequence[str] = (),
) -> list[str]:
    """The command that starts ``nodes * ranks_per_node`` ranks of a program.

    Parameters
    ----------
    launcher
        ``"none"``, ``"mpirun"``, ``"srun"`` or ``"jsrun"``.
    nodes, ranks_per_node
        The layout.
    extra
        Arguments appended after the launcher's own (``--launcher-extra``).
    exported
        Variables ``mpirun`` forwards with ``-x`` (see :func:`exported_variables`).
    options
        Further ``mpirun`` options, after the layout (see :func:`mpirun_options`).

    Returns
    -------
    list[str]
        The tokens to put before the program's command (empty for ``"none"``, which
        takes no extra arguments).
    """
    ranks = nodes * ranks_per_node
    if launcher == "none":
        return []
    if launcher == "mpirun":
        # --bind-to none: the runtime pins its own threads; MPI's default binding would
        # squeeze every rank's threads onto one core.
        prefix = ["mpirun", "-n", str(ranks), "--npernode", str(ranks_per_node), "--bind-to", "none"]
        prefix += options
        for name in exported:
            prefix += ["-x", name]
        return prefix + list(extra)
    if launcher == "srun":
        return ["srun", "-n", str(ranks), "--ntasks-per-node", str(ranks_per_node), *extra]
    if launcher == "jsrun":
        # One resource set per node, each running all of that node's ranks.
        return ["jsrun", "-n", str(nodes), "-r", "1", "-a", str(ranks_per_node), *extra]
    raise DriverError(f"unknown launcher {launcher!r}: use none, mpirun, srun or jsrun")
