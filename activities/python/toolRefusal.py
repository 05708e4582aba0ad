"""The refusal every model tool command may answer with: `Refused(kind, message)` says the model or
its inputs are unusable (retrying will not help); modelTools.py prints it as
{"error": {"type": kind, "message": ...}} and exits 2. `kind` is one of the SDK's failure types.
"""


class Refused(Exception):
    """The model or its inputs are unusable: retrying will not help."""

    def __init__(self, kind, message):
        super().__init__(message)
        self.kind = kind
