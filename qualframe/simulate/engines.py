"""Choosing a simulation engine by name.

Why a module of its own: the engines implement :class:`~qualframe.simulate.model.Engine` and
import the model's types, so a lookup inside ``model.py`` would import its own importers (a cycle
hidden inside a function). Here the NumPy engine is imported plainly; Mesa only when asked for.
"""

from __future__ import annotations

from qualframe.errors import InputError
from qualframe.simulate.engine_numpy import NumpyEngine
from qualframe.simulate.model import ENGINES, Engine

__all__ = ["get_engine"]


def get_engine(name: str) -> Engine:
    """The engine called ``name`` (``numpy`` or ``mesa``); Mesa is imported only when asked for."""
    if name == "numpy":
        return NumpyEngine()
    if name == "mesa":
        from qualframe.simulate.engine_mesa import MesaEngine  # lazy: Mesa is slow to load and optional

        return MesaEngine()
    raise InputError(f"unknown engine {name!r}: choose {' or '.join(ENGINES)}")
