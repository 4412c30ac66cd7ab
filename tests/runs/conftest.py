import logging

import pytest


@pytest.fixture
def compile_log():
    """The messages of the "gdlab.compiled" logger at INFO while the test runs (a handler of its own:
    pytest's caplog does not see this logger once other tests have configured it in the full suite)."""
    log = logging.getLogger("gdlab.compiled")
    seen = []

    class Catch(logging.Handler):
        def emit(self, record):
            seen.append(record.getMessage())

    catch = Catch(logging.INFO)
    log.addHandler(catch)
    level = log.level
    log.setLevel(logging.INFO)  # setLevel, not the attribute: it clears logging's isEnabledFor cache
    try:
        yield seen
    finally:
        log.removeHandler(catch)
        log.setLevel(level)
