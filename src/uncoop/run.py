"""The program door: every program uncoop starts (git, Pagefind) starts here.

A program reads more than its arguments: its working directory (Pagefind reads `pagefind.yml`
there, and a committed one could name a log file anywhere, such as a `.pth` file Python runs),
its environment (`GIT_DIR`, `PAGEFIND_*`, `PYTHONPATH`…) and its user's configuration (`~/.gitconfig`
may name a pager or an fsmonitor hook).  So each one starts in a fresh, empty working directory
that is also its home, with an allow-listed environment and explicit arguments: nothing the
repository under review or the caller's environment holds can steer it.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .problem import UncoopError

# what a program may see of the caller's environment: where programs are, and nothing else
_PASSED = ("PATH",)
_FIXED = {
    "LC_ALL": "C.UTF-8",  # messages uncoop relays are in one language, bytes in one encoding
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_OPTIONAL_LOCKS": "0",  # a read never rewrites the index
    "GIT_PAGER": "cat",
}


class ProgramError(UncoopError):
    pass


@dataclass(frozen=True)
class Finished:
    code: int
    out: bytes
    err: bytes


def environment(extra: Mapping[str, str] | None = None, home: str = os.devnull) -> dict[str, str]:
    """The whole environment a program gets: the allow-list, the fixed settings, `extra`."""
    env = {k: os.environ[k] for k in _PASSED if k in os.environ}
    env.update(_FIXED, HOME=home, XDG_CONFIG_HOME=home)
    env.update(extra or {})
    return env


def run(
    argv: Sequence[str],
    *,
    stdin: bytes | None = None,
    timeout: float = 600,
    extra_env: Mapping[str, str] | None = None,
) -> Finished:
    """Run `argv` to completion in an empty folder of its own; a missing program or one that runs
    past `timeout` seconds is a `ProgramError` naming it."""
    with tempfile.TemporaryDirectory(prefix="uncoop-run-") as empty:
        try:
            done = subprocess.run(
                list(argv),
                cwd=empty,
                env=environment(extra_env, home=empty),
                input=stdin,
                stdin=None if stdin is not None else subprocess.DEVNULL,
                capture_output=True,
                timeout=timeout,
                check=False,
            )
        except FileNotFoundError:
            raise ProgramError(f"{argv[0]} is not installed (or not on PATH)") from None
        except subprocess.TimeoutExpired:
            raise ProgramError(f"{os.path.basename(argv[0])} ran longer than {timeout:.0f} s and was stopped") from None
    return Finished(done.returncode, done.stdout, done.stderr)
