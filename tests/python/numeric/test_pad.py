"""``pad`` against NumPy with the fallback off: every mode, per-axis widths and values,
widths larger than the array (repeated reflections), views, and NumPy's errors."""

import numpy as np
import pytest
from conftest import check, check_same_error, make, quiet

import legate_numeric as lnp

WIDTHS = [1, (2, 3), ((1, 0), (0, 2)), ((5, 7), (3, 0)), 0, ((0, 0), (4, 9))]
MODES = [
    ("constant", {}), ("constant", {"constant_values": 7}), ("constant", {"constant_values": ((1, 2), (3, 4))}),
    ("edge", {}), ("wrap", {}), ("reflect", {}), ("reflect", {"reflect_type": "odd"}), ("symmetric", {}),
    ("symmetric", {"reflect_type": "odd"}), ("maximum", {}), ("minimum", {"stat_length": 2}),
    ("mean", {}), ("mean", {"stat_length": ((1, 2), (3, 1))}), ("median", {"stat_length": 3}),
    ("linear_ramp", {}), ("linear_ramp", {"end_values": (5, -3)}),
]


@pytest.fixture(autouse=True)
def _native(no_fallback):
    pass


@pytest.mark.parametrize("dtype", [np.bool_, np.int32, np.float64, np.complex128], ids=str)
@pytest.mark.parametrize("mode", range(len(MODES)))
def test_pad_modes(dtype, mode):
    name, kw = MODES[mode]
    if dtype == np.complex128 and name in ("maximum", "minimum", "median"):
        return
    x = make(dtype, (3, 4))
    a = lnp.array(x)
    with quiet():
        for width in WIDTHS:
            for xx, aa in ((x, a), (x[::-1, ::2], a[::-1, ::2]), (x[:1], a[:1])):
                expected, _ = check_same_error(lambda: np.pad(xx, width, name, **kw), lambda: lnp.pad(aa, width, name, **kw))
                if expected is not None:
                    check(lnp.pad(aa, width, name, **kw), expected)


def test_pad_1d_3d_empty_and_errors():
    v = make(np.float64, (5,))
    c = lnp.array(v)
    with quiet():
        for name in ("reflect", "symmetric", "wrap", "edge"):
            for width in ((12, 3), (0, 11), 25):
                check(lnp.pad(c, width, name), np.pad(v, width, name))
                check(lnp.pad(c[:1], width, name), np.pad(v[:1], width, name))
        check(lnp.pad(c, (12, 9), "reflect", reflect_type="odd"), np.pad(v, (12, 9), "reflect", reflect_type="odd"))
        x = make(np.int64, (2, 3, 2))
        check(lnp.pad(lnp.array(x), ((1, 2), (0, 1), (3, 3)), "mean"), np.pad(x, ((1, 2), (0, 1), (3, 3)), "mean"))
        out = lnp.pad(lnp.array(x), 2, "empty")
        assert out.shape == np.pad(x, 2, "empty").shape and out.dtype == x.dtype
        check(out[2:-2, 2:-2, 2:-2], x)
        check(lnp.pad(lnp.array(5.0), 3), np.pad(np.array(5.0), 3))
        check(lnp.pad(c[:0], 2), np.pad(v[:0], 2))
    for args, kw in (((v, 2, "wrap"), {"constant_values": 1}), ((v, 2, "nope"), {}), ((v, -1), {}), ((v, 1.5), {}),
                     ((v[:0], 2, "edge"), {}), ((v, ((1, 2, 3),)), {}), ((v, 2, "maximum"), {"stat_length": 0}),
                     ((v, 2, "reflect"), {"reflect_type": "diagonal"})):
        check_same_error(lambda: np.pad(*args, **kw), lambda: lnp.pad(*[lnp.array(x) if isinstance(x, np.ndarray) else x for x in args], **kw))
