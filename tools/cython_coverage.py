"""The coverage.py plugin of ``tools/coverage``: Cython's own (``Cython.Coverage``), fixed for included files.

coverage.py asks a file tracer with a dynamic source file name for it as
``dynamic_source_filename(filename, frame)`` with ``filename=None``. Cython's
tracer needs that name to find an included ``.pxi`` whose path, as recorded in
the generated C (``cyjose/_speedups/<name>.pxi``), does not exist relative to the
working directory: it raises TypeError on the first traced ``.pxi`` line, and
coverage.py then disables the plugin for the rest of the run, so no compiled twin
is measured. Given the module's own file instead, the lookup goes on to
``sys.path``, where the installed ``cyjose/_speedups/<name>.pxi`` is found.
"""

from __future__ import annotations

from typing import Any, Optional

from Cython.Coverage import CythonModuleTracer, Plugin


class _ModuleTracer(CythonModuleTracer):  # type: ignore[misc]
    def dynamic_source_filename(self, filename: Optional[str], frame: Any) -> Optional[str]:
        return super().dynamic_source_filename(filename or self.module_file, frame)  # type: ignore[no-any-return]


class CythonPlugin(Plugin):  # type: ignore[misc]
    def file_tracer(self, filename: str) -> Optional[CythonModuleTracer]:
        tracer = super().file_tracer(filename)
        if tracer is not None:
            tracer.__class__ = _ModuleTracer
        return tracer  # type: ignore[no-any-return]


def coverage_init(reg: Any, options: Any) -> None:
    plugin = CythonPlugin()
    reg.add_configurer(plugin)
    reg.add_file_tracer(plugin)
