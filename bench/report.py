"""The figures a benchmark prints: each lsnotify value beside its baseline, their ratio, and the target it meets."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Figure:
    key: str
    """A short stable identifier (``read``, ``write_tag``, …) for results.json and the tests."""
    name: str
    value: float
    unit: str
    base: float | None = None
    base_name: str = ""
    ratio: float | None = None
    target: str = ""
    met: bool | None = None
    """Whether the target is met; None where the figure has no target."""
    must_met: bool | None = None
    """Whether the issue's must-target is met, where it names one."""

    def as_json(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True)
class Pending:
    """A benchmark that cannot run yet, named in the output instead of a made-up number."""

    name: str
    reason: str


def _ratio(ratio: float) -> str:
    """Two decimals, or two significant digits for a ratio too small for them (ingestion against a canned answer)."""
    return f"{ratio:.2f}" if ratio >= 0.01 else f"{ratio:.2g}"


def _number(value: float, unit: str) -> str:
    if unit in ("req/s", "messages/s", "datums/s"):
        return f"{value:,.0f} {unit}"
    if unit in ("MB", "s"):
        return f"{value:,.1f} {unit}"
    return f"{value:,.2f} {unit}"


def _verdict(figure: Figure) -> str:
    if figure.met is None:
        return ""
    if figure.met:
        return "met"
    return "MISSED (must-target met)" if figure.must_met else "MISSED"


def render(title: str, figures: list[Figure], pending: list[Pending]) -> str:
    rows = [("", "lsnotify", "baseline", "ratio", "target", "")]
    for f in figures:
        base = f"{_number(f.base, f.unit)} ({f.base_name})" if f.base is not None else ""
        ratio = _ratio(f.ratio) if f.ratio is not None else ""
        rows.append((f.name, _number(f.value, f.unit), base, ratio, f.target, _verdict(f)))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [title, ""]
    for n, row in enumerate(rows):
        cells = [
            cell.ljust(width) if i in (0, 4, 5) else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * width for width in widths))
    lines += [f"{item.name}: {item.reason}" for item in pending]
    return "\n".join(lines)
