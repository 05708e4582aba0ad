"""Loading a skops archive (MLflow 3's default serialization of scikit-learn and LightGBM models)
without running arbitrary code: skops lists the types the archive would construct that it does not
trust by default; Modelship trusts those of the model libraries it converts (modules under sklearn.,
numpy., scipy., lightgbm., xgboost.) and a plain container, and refuses the archive, naming the rest.
"""
import zipfile

from toolRefusal import Refused

# Modules whose types a skops archive may construct: the libraries Modelship converts from and their array types.
TRUSTED_MODULES = ("sklearn.", "numpy.", "scipy.", "lightgbm.", "xgboost.")
# Plain containers the model libraries keep their state in (LightGBM's scikit-learn wrapper holds an OrderedDict).
TRUSTED_TYPES = frozenset({"collections.OrderedDict"})


def is_skops(path):
    """Whether `path` is a skops archive (a zip holding schema.json), not a pickle or a PyTorch archive."""
    if not zipfile.is_zipfile(path):
        return False
    with zipfile.ZipFile(path) as archive:
        return "schema.json" in archive.namelist()


def untrusted(types):
    """The types, of those skops does not trust by default, that Modelship does not trust either."""
    return [t for t in types if not (t.startswith(TRUSTED_MODULES) or t in TRUSTED_TYPES)]


def load_skops(path, framework):
    """The object in the skops archive at `path`; refused (not retried) when it would construct a type outside the trusted ones."""
    import skops.io

    try:
        types = skops.io.get_untrusted_types(file=path)
    except Exception as e:  # noqa: BLE001
        raise Refused("ModelUnloadable", f"not a valid skops archive of a {framework} model: {type(e).__name__}: {e}")
    refused = untrusted(types)
    if refused:
        raise Refused(
            "ModelUnloadable",
            f"the skops archive would construct types Modelship does not trust: {', '.join(sorted(refused))} "
            f"(trusted: types under {', '.join(m.rstrip('.') for m in TRUSTED_MODULES)})",
        )
    try:
        return skops.io.load(path, trusted=types)
    except Exception as e:  # noqa: BLE001
        raise Refused("ModelUnloadable", f"not a valid skops archive of a {framework} model: {type(e).__name__}: {e}")
