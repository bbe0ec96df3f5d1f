"""The Progress and Evaluation Report (¶53) as data: a typed view of the snapshot.

This package computes everything the report shows (figures, bar positions, rows) so that
templates stay presentation only and users can restyle them (`render.py`, `--templates`).
`view.py` holds the types every template reads; each section has its builder, named as its
partial (`templates/html/*.html.j2`, `templates/md/*.md.j2`); `build.py` joins them.
"""

from .build import build_report, error_lines
from .institutions import acronyms
from .view import GANTT_LABEL, GANTT_WIDTH, ReportView

__all__ = ["GANTT_LABEL", "GANTT_WIDTH", "ReportView", "acronyms", "build_report", "error_lines"]
