"""teacache-pytorch: the PyTorch side of teacache-toolkit.

- ``TraceRecorder`` records calibration traces from your own sampling loop (``teacache fit`` reads them);
- ``TeaCacheRuntime`` runs TeaCache with the fitted coefficients, really skipping the cached span (one block stack, or several in a row or interleaved);
- ``save_run`` writes a run's output and record for ``teacache score``;
- ``HOOK_POINTS`` says which module gives the indicator in the published integrations.
"""
from .coefficients import Coefficients, read_coefficients
from .errors import BridgeError
from .hook_points import HOOK_POINTS, HookPoint
from .outputs import save_run, to_fhwc
from .recorder import TraceRecorder
from .rule import Decision, TeaCacheRule, forced_decision
from .runtime import TeaCacheRuntime
from .trace_files import run_id_for, weights_hash, write_trace

__all__ = ["BridgeError", "Coefficients", "Decision", "HOOK_POINTS", "HookPoint", "TeaCacheRule", "TeaCacheRuntime", "TraceRecorder",
           "forced_decision", "read_coefficients", "run_id_for", "save_run", "to_fhwc", "weights_hash", "write_trace"]
