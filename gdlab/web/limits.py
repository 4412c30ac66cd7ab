"""What one request may ask of the server, in one place (the page reads them from ``GET /api/limits``).

The counts are the issue's; the number budgets keep every response and every computation
bounded in memory (a float is about 20 bytes of JSON and 8 bytes of NumPy), and the time
budget bounds the work: it is checked at every gradient evaluation of a run (and between
the optimizers of a race), so an over-long request stops within one step of the budget.
"""

MAX_STEPS = 20_000
MAX_STARTS = 10_000
MAX_OPTIMIZERS = 12
MAX_FORMULA = 500            # characters of a function name or formula
MAX_BODY = 1_000_000         # bytes of a request body
MAX_DIM = 100                # coordinates of one start point
#: numbers one race may record and send: (steps + 1) x starts x optimizers x (d + 1), more with grad/state
MAX_RACE_NUMBERS = 2_000_000
#: numbers one tune may hold per optimizer: (steps + 1) x starts x learning rates (loss curves only)
MAX_TUNE_NUMBERS = 4_000_000
MAX_TUNE_LRS = 50
MAX_BASIN_GRID = 100         # start points per side of a basin map
#: numbers one basin map may hold: (steps + 1) x grid^2 x d (every start's path)
MAX_BASIN_NUMBERS = 8_000_000
MAX_SURFACE_GRID = 300       # grid points per side of a contour map
TIME_BUDGET = 20.0           # seconds of computation per request
# the Networks page (POST /api/train ...)
MAX_EPOCHS = 5_000
MAX_SAMPLES = 5_000
MAX_LAYERS = 6               # hidden layers
MAX_NEURONS_API = 256        # neurons per hidden layer, POST /api/train
MAX_NEURONS_PAGE = 8         # neurons per hidden layer, the page's sessions
MAX_COPIES = 4               # networks trained in lockstep (the optimizer and up to 3 to compare)
MAX_EXPLAIN_NEURONS = 8      # hidden neurons in all, for "Explain step"
MAX_CSV = 500_000            # bytes of an uploaded CSV
MAX_TRAIN_GRID = 100         # grid points per side of the decision boundary
MAX_SESSIONS = 64            # live training sessions of the page (the oldest idle one goes first)
SESSION_IDLE = 1800.0        # seconds an idle session is kept
MAX_ADVANCE = 500            # epochs one session request may add


def as_dict() -> dict:
    """The limits, for ``GET /api/limits``."""
    return {name.lower(): value for name, value in globals().items() if name.isupper()}
