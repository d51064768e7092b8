"""The exceptions of agora (pure Python, so the native module can raise them)."""


class AgoraError(Exception):
    """An agora command failed: reading or writing files, a busy or
    unverified results folder (the CLI's exit code 1). The message is the
    one the CLI prints after ``error:``."""


class InputError(AgoraError, ValueError):
    """Bad input: a scenario or sweep file, a parameter path or value, an
    option (the CLI's exit code 2). The message is the CLI's, naming the
    file position or the parameter path and the allowed range."""
