"""legate_sparse on several ranks: CG on a 2-D Poisson problem under ``mpirun -n 2``
and ``-n 4`` (``make test-ranks`` runs this file with the rest of ``tests/ranks``).

Each rank runs ``sparse_cg.py`` (through ``as_rank.py``, which checks that the runtime
sees the ranks), which compares 40 CG iterations with SciPy's and a converged solve's
residual, checks ``eigsh`` on a small Poisson matrix (double eigenvalues included), and
reports what its runtime moved per CG iteration (``Runtime.stats()``).
The matrix keeps its row partition: per iteration a rank moves at most a few vectors
(the SpMV's gather of ``x`` and the dot products), never the matrix.
"""

from __future__ import annotations

import importlib.util
import json
import shutil

import pytest
from test_mpirun import HERE, mpirun, rank_env

pytestmark = pytest.mark.skipif(not shutil.which("mpirun"), reason="mpirun (OpenMPI) is not installed")

#: The brief's environment for running as root on an oversubscribed machine (the
#: flags of ``mpirun`` in ``test_mpirun`` say the same).
MPI_ENV = dict(OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1", OMPI_MCA_rmaps_base_oversubscribe="1")
GRID = 48


@pytest.mark.parametrize("ranks", [2, 4])
def test_cg_poisson_keeps_the_row_partition(tmp_path, ranks):
    done = mpirun(ranks, [str(HERE / "sparse_cg.py"), str(tmp_path), str(GRID)], tmp_path,
                  limit=240, env=rank_env(**MPI_ENV))
    assert done.returncode == 0 and not done.timed_out, str(done)
    reports = [json.loads((tmp_path / f"rank{r}.txt").read_text()) for r in range(ranks)]
    native = importlib.util.find_spec("legate_sparse._legate_sparse") is not None
    n = GRID * GRID
    vector_bytes = 8 * n
    for rank, rep in enumerate(reports):
        assert rep["ranks"] == ranks and rep["n"] == n
        assert rep["err"] < 1e-8
        per_it = rep["per_iteration"]
        moved = per_it["bytes_sent"] + per_it["bytes_received"]
        # A gathered matrix would be ~11 vectors (data, indices: 5 entries a row).
        assert moved < 5 * vector_bytes, (rank, per_it, rep["matrix_bytes"])
        assert moved < rep["matrix_bytes"] / 3, (rank, per_it, rep["matrix_bytes"])
        if native:
            # The native SpMV reads x through the image of its rows' column indices: a
            # rank fetches its neighbours' boundary rows (a halo of about GRID
            # entries), not the vector.
            assert moved < vector_bytes / 2, (rank, per_it)
    # Something moved between the ranks: the vectors really are split.
    assert sum(r["per_iteration"]["bytes_received"] for r in reports) > 0
