"""The build stages, one module each: citations, text, similarity, metrics, communities, labels, layout.

:mod:`graphx.build.pipeline` runs them in order for a new graph; :mod:`graphx.build.update` adds
papers to a built graph without rebuilding it.
"""
