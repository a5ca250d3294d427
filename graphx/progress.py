"""The progress callback every long-running step takes, in a module any layer can import.

``progress(stage, done, total)``: ``total`` 0 means "unknown"; ``done == total`` means the stage is
over. Sources report the ``"fetch"`` stage, the build its own stages; the CLI draws bars, the web
app stores the numbers for polling.
"""

from collections.abc import Callable

Progress = Callable[[str, int, int], None]
