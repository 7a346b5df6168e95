"""The ddp process group of this process (engine="ddp"): formed on first use from the launcher's
environment (`scaleml launch` or torchrun: RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT, and
SCALEML_TOKEN or SCALEML_TOKEN_FILE for a group with a token), kept for the life of the process
as torch.distributed's default group is, and closed at exit after every rank got there."""

import atexit
import os
import pathlib

from . import _core

_group = None


def _gloo_library():
    """libscaleml_gloo.so beside the package (copied there by the build), or the build tree's."""
    here = pathlib.Path(__file__).resolve().parent
    for candidate in (here / "libscaleml_gloo.so", here.parents[1] / "libscaleml_gloo.so"):
        if candidate.is_file():
            return str(candidate)
    return None


def process_group():
    """The group, joined on the first call (every rank must make it)."""
    global _group
    if _group is None:
        if not os.environ.get("SCALEML_GLOO_LIBRARY"):
            library = _gloo_library()
            if library is not None:
                os.environ["SCALEML_GLOO_LIBRARY"] = library
        _group = _core.DdpGroup.from_environment()
        atexit.register(_close)
    return _group


def rank():
    """This process's rank in the group (joining it if need be)."""
    return process_group().rank


def world_size():
    return process_group().size


def _close():
    global _group
    if _group is not None:
        try:
            _group.close()
        finally:
            _group = None
