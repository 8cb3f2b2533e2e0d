"""``legate_numeric.fft``: every function of ``numpy.fft``, natively.

The transforms (``fft ifft rfft irfft hfft ihfft`` and their 2-d and n-d forms) launch
the Rust ``fft`` task once per transformed axis (``_transforms``); the frequencies and
shifts are composed from native functions (``_helper``). Dtypes NumPy computes in
``longdouble`` fall back to NumPy.
"""

from __future__ import annotations

import numpy as _np

from .. import _fallback
from ._helper import fftfreq, fftshift, ifftshift, rfftfreq  # noqa: F401
from ._transforms import (  # noqa: F401
    fft,
    fft2,
    fftn,
    hfft,
    ifft,
    ifft2,
    ifftn,
    ihfft,
    irfft,
    irfft2,
    irfftn,
    rfft,
    rfft2,
    rfftn,
)


def __getattr__(name):
    if hasattr(_np.fft, name):
        func = getattr(_np.fft, name)

        def fallback(*args, **kwargs):
            return _fallback.call(f"fft.{name}", func, args, kwargs)

        return fallback
    raise AttributeError(f"module 'legate_numeric.fft' has no attribute '{name}'")


# Functions taking `out=` take a NumPy array there too (see _hostout).
from .. import _hostout  # noqa: E402

_hostout.install(globals())
