"""Whether onnxruntime's CPU session creation crashes on a model: tried in a child process (a crash is a
signal such as SIGSEGV, which would otherwise take this tool down), at the level the serving runtime
loads with (`all` graph optimizations). fp16 transformer graphs crash it today. A session that is not
made within the timeout counts as a failure too (the child is killed); the child stays in this tool's
process group, so a tool killed for its own timeout takes the probe with it (pythonTool.ts).
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
    """What went wrong if creating a CPU session for the model at `path` crashes onnxruntime (the signal's
    name) or does not finish within `timeout` seconds, else None."""
    try:
        result = subprocess.run([sys.executable, "-c", PROBE, path], capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return f"no session within {timeout} s"
    if result.returncode >= 0:
        return None
    try:
        return signal.Signals(-result.returncode).name
    except ValueError:
        return f"signal {-result.returncode}"
