"""The Typer app, the one error boundary, and the one clock.

Commands are plain functions that return an exit code (0 clean, 1 findings at or above
--fail-on, 2 usage or setup error), registered with `@command()`.  Every expected failure
reaches the user as one line through `boundary`; heavy modules are imported inside the
command that needs them, so that `uncoop --help` stays fast.  Only this package knows
about argv, the clock, exit codes and file writes.
"""

import functools
import os
import sys
from collections.abc import Callable
from datetime import date

import typer

from ..problem import UncoopError

app = typer.Typer(
    name="uncoop",
    help="Keep the UN-OIC Cooperation Matrix honest: validate it, follow it up, report on it.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        from .. import __version__

        sys.stdout.write(f"uncoop {__version__}\n")
        raise typer.Exit(0)


@app.callback()
def main(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print uncoop's version and exit."
    ),
) -> None:
    """Keep the UN-OIC Cooperation Matrix honest: validate it, follow it up, report on it."""


# every command as registered: (words after `uncoop`, function), for --help-derived documentation
COMMANDS: list[tuple[tuple[str, ...], Callable[..., int]]] = []


class Fail(UncoopError):
    """A usage or setup error found by the command line itself: message to stderr, exit 2."""


class OverBudget(UncoopError):
    """The Matrix is over one of uncoop's size budgets (the finding is already shown): exit 1."""

    exit_code = 1


def command(group: typer.Typer | None = None, name: str | None = None) -> Callable:
    """Register a command whose function returns its exit code, behind the error boundary."""

    def register(fn: Callable[..., int]) -> Callable[..., int]:
        @functools.wraps(fn)
        def run(*args: object, **kwargs: object) -> None:
            raise typer.Exit(boundary(functools.partial(fn, *args, **kwargs)))

        (group or app).command(name)(run)
        words = (name or fn.__name__.replace("_", "-"),)
        COMMANDS.append(((group.info.name, *words) if group is not None and group.info.name else words, fn))
        return fn

    return register


# what a command leaves to do when it ends, whatever its outcome (cached.Cached registers its save)
AT_END: list[Callable[[], None]] = []


def boundary(body: Callable[[], int]) -> int:
    """Run a command body; every failure becomes one line on stderr and an exit code."""
    import gc

    # A command is a short burst that keeps what it builds until it exits: the cyclic
    # collector would only rescan live records (measured: reading the cache 4x slower with it).
    gc.disable()
    streams = _guard_streams()
    try:
        return body() or 0
    except UncoopError as exc:
        sys.stderr.write(f"uncoop: {exc}\n")
        return getattr(exc, "exit_code", 2)
    except BrokenPipeError:  # `uncoop status | head -1`: the reader has what it wanted; exit quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so the flush at exit does not complain either
        return 0
    except KeyboardInterrupt:
        sys.stderr.write("uncoop: interrupted\n")
        return 130
    except OSError as exc:  # a folder that cannot be written, a disk that is full: say so, no traceback
        where = f" {exc.filename}" if getattr(exc, "filename", None) else ""
        sys.stderr.write(f"uncoop: cannot write or read{where}: {exc.strerror or exc}\n")
        return 2
    except Exception as exc:  # a bug, not a user's mistake: one line, the details on request
        if os.environ.get("UNCOOP_DEBUG"):
            raise
        sys.stderr.write(
            f"uncoop: internal error: {type(exc).__name__}: {exc} "
            "(please report it; UNCOOP_DEBUG=1 shows the traceback)\n"
        )
        return 2
    finally:
        # run last (the record cache saves itself here): positions found while reporting are kept
        while AT_END:
            AT_END.pop()()
        gc.enable()
        _unguard_streams(streams)


def _guard_streams() -> tuple:
    """Standard output and error through `markup.LogGuard` while a command runs: no text from
    the data can print a line that a CI runner would take as a workflow command."""
    from ..markup import LogGuard

    streams = (sys.stdout, sys.stderr)
    if not isinstance(sys.stdout, LogGuard):
        sys.stdout, sys.stderr = LogGuard(sys.stdout), LogGuard(sys.stderr)
    return streams


def _unguard_streams(streams: tuple) -> None:
    from ..markup import LogGuard

    for guard in (sys.stdout, sys.stderr):
        if isinstance(guard, LogGuard) and guard not in streams:
            try:
                guard.finish()
            except (BrokenPipeError, ValueError):  # the reader went away, or the stream was closed
                pass
    sys.stdout, sys.stderr = streams


def today() -> date:
    """The one place uncoop asks the clock; everything below the command line is given the day."""
    return date.today()


def resolve_today(as_of: str | None) -> date:
    """--as-of, else today."""
    from ..dates import MAX_YEAR, MIN_YEAR

    if as_of is None:
        return today()
    try:
        day = date.fromisoformat(as_of)
    except ValueError:
        raise Fail(f"--as-of '{as_of}' is not a date; write YYYY-MM-DD") from None
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise Fail(f"--as-of '{as_of}' is outside the years {MIN_YEAR}-{MAX_YEAR} uncoop works with")
    return day
