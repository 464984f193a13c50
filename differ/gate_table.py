"""Writes the table of keyword gates that :mod:`differ.gate` ships (``differ/gates.json``).

Run ``python -m differ.gate_table`` after editing a pattern of the differ or the lexicon: a
test fails while the table lacks a gate the differ builds. Kept apart from the gates
themselves because it imports the whole differ to find them.
"""

from __future__ import annotations

import json
from pathlib import Path

from differ import gate


def built_table() -> dict[str, gate.Gate]:
    """Every gate the differ makes: those its modules build on import and those a first
    comparison builds (the workers' warm-up), keyed as the table keys them."""
    import differ.compare  # noqa: F401 - its modules build their gates on import
    from differ.warmup import warm_up

    warm_up()
    return dict(sorted(gate.BUILT.items()))


def write(path: Path = gate.SHIPPED) -> int:
    """Write :func:`built_table` where :func:`differ.gate.gate_of` reads it; returns how many
    gates."""
    lines = [json.dumps(k, ensure_ascii=False) + ": " + json.dumps(
        [None if w is None else list(w), [list(x) for x in sets]], ensure_ascii=False)
        for k, (w, sets) in built_table().items()]  # one gate a line: reviewable diffs
    path.write_text(f'{{"reader": "{gate.reader_digest()}", "gates": {{\n' + ",\n".join(lines)
                    + "\n}}\n", encoding="utf-8")
    return len(lines)


if __name__ == "__main__":
    print(f"{write()} gates written to {gate.SHIPPED}")
