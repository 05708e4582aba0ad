"""Whether onnxruntime's CPU session creation crashes on a model: tried in a child process (a crash is a
signal such as SIGSEGV, which would otherwise take this tool down), at the level the serving runtime
loads with (`all` graph optimizations). fp16 transformer graphs crash it today.
"""
import signal
import subprocess
import sys

PROBE = """
import sys
import onnxruntime as ort
options = ort.SessionOptions()
options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
ort.InferenceSession(sys.argv[1], options, providers=["CPUExecutionProvider"])
"""


def cpu_session_crash(path, timeout=300):
    """The signal's name if creating a CPU session for the model at `path` crashes onnxruntime, else None."""
    result = subprocess.run([sys.executable, "-c", PROBE, path], capture_output=True, timeout=timeout)
    if result.returncode >= 0:
        return None
    try:
        return signal.Signals(-result.returncode).name
    except ValueError:
        return f"signal {-result.returncode}"
