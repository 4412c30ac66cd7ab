"""``gdlab animate TARGET OUT``: the run of ``gdlab minimize`` (one optimizer) or the race of ``gdlab race``
(several), drawn step by step by gdlab.viz.animate into a GIF, an MP4 or an HTML player."""

from __future__ import annotations

import click

from . import minimize, race
from .common import (CONTEXT, check_animation, check_drawable, converter, frames_option, function_and_starts,
                     lr_option, make_console, noise_option, optimizer_specs, optimizers_option, options,
                     param_option, report_written, reserve_outputs, run_progress, seed_option, start_option,
                     steps_option, tol_option, write_outputs)


@click.command("animate", context_settings=CONTEXT)
@click.argument("target", metavar="FUNCTION_OR_FORMULA")
@click.argument("out", metavar="OUT", callback=converter(lambda v, p: check_animation(v, "OUT")))
@optimizers_option
@options(lr_option, param_option, steps_option, start_option, noise_option, seed_option, tol_option, frames_option)
@click.option("--view", type=click.Choice(["contour", "surface", "both"]), default="contour", show_default=True,
              help="The picture of a 2-D function: its contour map, its 3-D surface, or both side by side.")
def command(target, out, optimizers, lr, params, steps, start, noise, seed, tol, frames, view):
    """Animate optimization on FUNCTION_OR_FORMULA into OUT (.gif, .mp4 with ffmpeg, or .html).

    One optimizer (default gd) is the run of 'gdlab minimize' (500 steps by default), several
    are the race of 'gdlab race' (300 steps): the same options, the same numbers.

    \b
    Examples:
      gdlab animate rosenbrock rosen.gif -o adam --lr 0.05 --start -1.5,2 --steps 400
      gdlab animate himmelblau starts.gif --start -4,4 --start 4,4 --start 0,0 --lr 0.01
      gdlab animate beale race.html -o gd:lr=1e-3,momentum:lr=1e-3,adam:lr=0.05 --view both --frames 30
    """
    f, x0 = function_and_starts(target, start)
    check_drawable(f, out, None, option_names=("OUT", None))
    specs = optimizer_specs(optimizers, "gd", lr=lr, params=params)
    one = len(specs) == 1
    steps = (minimize.DEFAULT_STEPS if one else race.DEFAULT_STEPS) if steps is None else steps
    with reserve_outputs({"OUT": out}) as files:
        import gdlab

        with run_progress("running", steps * len(specs)) as progress:
            if one:
                (label, spec), = specs.items()
                hp = {k: v for k, v in spec.items() if k != "optimizer"}
                result = gdlab.minimize(f, x0, optimizer=spec["optimizer"], steps=steps, tol=tol, noise=noise,
                                        seed=seed, progress=progress, **hp)
            else:
                result = gdlab.race(f, x0, optimizers=specs, steps=steps, tol=tol, noise=noise, seed=seed,
                                    progress=progress)
        if one:
            minimize.print_summary(make_console(), f, result)
        else:
            race.print_race(make_console(), f, result)
        write_outputs("animate", f, result, files, animate=out, frames=frames, view=view)
    report_written(files.paths)
