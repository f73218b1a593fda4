"""The one error type of the bridge: what went wrong, where, and what was expected."""


class BridgeError(ValueError):
    """Bad input to the recorder, the runtime or the file writers; the message names the module, step or file."""
