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


def section(rows: list[Row], machine: dict[str, str], took: float, kept: list[str]) -> str:
    today = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    machine_lines = "\n".join(f"- {name}: {value}" for name, value in machine.items())
    command = "`make bench` (`python -m bench.run`)"
    earlier = (
        f" {len(kept)} rows marked (earlier run) are kept from the runs before." if kept else ""
    )
    body = table(rows)
    if kept:
        body += "\n" + "\n".join(kept)
    return (
        f"{BEGIN}\n## Latest run\n\n"
        f"Command: {command}, {today}, {took / 60:.1f} minutes.{earlier}\n\n"
        f"Machine:\n\n{machine_lines}\n\n{body}\n{END}\n"
    )


def _earlier_rows(latest: str, fresh: list[Row]) -> list[str]:
    """Table lines of the recorded run for benchmarks this run did not measure."""
    measured = {row.benchmark for row in fresh}
    kept = []
    for line in latest.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 5 or cells[0] in ("benchmark", "---") or cells[0] in measured:
            continue
        if not cells[4].endswith("(earlier run)"):
            line = line.rstrip().rstrip("|").rstrip() + " (earlier run) |"
        kept.append(line)
    return kept


def write(rows: list[Row], machine: dict[str, str], took: float, *, partial: bool) -> Path:
    """Replace the latest-run section of the document (or add it at the end). A partial
    run keeps the recorded rows of the benchmarks it did not run, marked as earlier."""
    text = DOCUMENT.read_text(encoding="utf-8") if DOCUMENT.exists() else "# Benchmarks\n"
    if BEGIN in text and END in text:
        before, rest = text.split(BEGIN, 1)
        latest, after = rest.split(END, 1)
        kept = _earlier_rows(latest, rows) if partial else []
        text = before + section(rows, machine, took, kept) + after.lstrip("\n")
    else:
        text = text.rstrip("\n") + "\n\n" + section(rows, machine, took, [])
    DOCUMENT.write_text(text, encoding="utf-8")
    return DOCUMENT
