"""Elementwise sin, cos, atan2, hypot, log and power that give the same bits on every CPU.

numpy picks a SIMD kernel for these at run time (AVX-512 machines get different last bits
than AVX2 ones); C's libm gives one answer everywhere. The demo town must be rebuilt byte for
byte on any machine, so its generator computes them here.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["arctan2", "cos", "hypot", "log", "power", "sin"]


def _each(fn, *args):
    arrays = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in args))
    out = np.fromiter((fn(*values) for values in zip(*(a.ravel() for a in arrays), strict=True)),
                      dtype=float, count=arrays[0].size).reshape(arrays[0].shape)
    return float(out) if out.ndim == 0 else out


def sin(x):
    return _each(math.sin, x)


def cos(x):
    return _each(math.cos, x)


def arctan2(y, x):
    return _each(math.atan2, y, x)


def hypot(x, y):
    return _each(math.hypot, x, y)


def log(x):
    return _each(math.log, x)


def power(x, p):
    return _each(math.pow, x, p)
