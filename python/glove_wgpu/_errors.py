"""The exceptions of glove_wgpu. Each carries the Rust library's message and
derives from GloveError and from the built-in exception of its kind, so that
``except KeyError`` and ``except GloveError`` both catch an unknown word."""


class GloveError(Exception):
    """Base class of every error raised by glove_wgpu."""


class UnknownWordError(GloveError, KeyError):
    """A word that is not in the vocabulary."""

    def __str__(self) -> str:
        # KeyError quotes its argument; the library's message is already a sentence.
        return str(self.args[0]) if self.args else ""


class InvalidInputError(GloveError, ValueError):
    """An argument or an input file that cannot be used (wrong shape, malformed
    line, unknown option name, ...)."""


class FileError(GloveError, OSError):
    """Reading or writing a file failed; ``errno`` is set when the OS gave one."""


class GpuError(GloveError, RuntimeError):
    """No GPU adapter, a lost device, or another error reported by the GPU driver."""


class OutOfMemoryError(GloveError, MemoryError):
    """Memory ran out, on the GPU or on the host."""
