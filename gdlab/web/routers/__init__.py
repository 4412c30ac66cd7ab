"""One router per API area or page: ``meta`` (health, limits, style), ``functions`` (the catalog,
parsing, surfaces; shared by every page), ``optimizers`` (the Optimizers page's races, streams,
tuning and basins), ``networks`` (the Networks page's training, whole, streamed or in
sessions), ``pages`` (the HTML shell of each page and the vendored plotly.js)."""
