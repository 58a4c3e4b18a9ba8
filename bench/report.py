"""The results as a table on the terminal and as the latest section of docs/benchmarks.md."""

from __future__ import annotations

import datetime
from pathlib import Path

from bench.harness import Row

DOCUMENT = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
BEGIN, END = "<!-- bench:latest -->", "<!-- /bench:latest -->"


def _figures(row: Row) -> str:
    return ", ".join(f"{name} {value}" for name, value in row.figures.items())


def table(rows: list[Row]) -> str:
    """A Markdown table, which reads well on a terminal too."""
    lines = [
        "| benchmark | database | figures | target | result |",
        "| --- | --- | --- | --- | --- |",
    ]
    for row in rows:
        figures = _figures(row) + (f" ({row.note})" if row.note else "")
        lines.append(
            f"| {row.benchmark} | {row.database} | {figures} | {row.target} | {row.verdict} |"
        )
    return "\n".join(lines)


def section(rows: list[Row], machine: dict[str, str], took: float) -> str:
    today = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    machine_lines = "\n".join(f"- {name}: {value}" for name, value in machine.items())
    return (
        f"{BEGIN}\n## Latest run\n\n"
        f"Command: `make bench` (`python -m bench.run`), {today}, {took / 60:.1f} minutes.\n\n"
        f"Machine:\n\n{machine_lines}\n\n{table(rows)}\n{END}\n"
    )


def write(rows: list[Row], machine: dict[str, str], took: float) -> Path:
    """Replace the latest-run section of the document (or add it at the end)."""
    text = DOCUMENT.read_text(encoding="utf-8") if DOCUMENT.exists() else "# Benchmarks\n"
    new = section(rows, machine, took)
    if BEGIN in text and END in text:
        before, rest = text.split(BEGIN, 1)
        text = before + new + rest.split(END, 1)[1].lstrip("\n")
    else:
        text = text.rstrip("\n") + "\n\n" + new
    DOCUMENT.write_text(text, encoding="utf-8")
    return DOCUMENT
