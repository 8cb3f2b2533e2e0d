"""NumPy's scalar types, type hierarchy and dtype information (``float16 ... void``,
``generic number integer floating ...``, ``finfo iinfo typename mintypecode``).

These describe types, not values: legate arrays use NumPy's dtypes, so NumPy's own
objects are the exact answer and are re-exported unchanged. (A store holds only
boolean, integer, floating and complex types; the others exist so that code naming
them, e.g. in ``issubdtype``, works.)
"""

from __future__ import annotations

import numpy as _np

# Every scalar type and abstract type of NumPy's namespace (``np.float64``,
# ``np.floating``, ``np.longdouble``, ...), by the names NumPy gives them.
SCALAR_TYPES = {
    name: obj
    for name, obj in vars(_np).items()
    if not name.startswith("_") and isinstance(obj, type) and issubclass(obj, _np.generic)
}

finfo = _np.finfo
iinfo = _np.iinfo
typename = _np.typename
mintypecode = _np.mintypecode
