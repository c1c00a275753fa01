"""`make vendor`: copy the kernel's pieces into each construct module that names them.

constructs_lib/_kernel.py holds every shared default and check once. A module names the pieces it
uses on the ``# pieces:`` lines under its begin marker::

    # BEGIN VENDORED from constructs_lib/_kernel.py by `make vendor`; edit it there
    # pieces: _check_int, _peer
    ...             (written by this tool: the pieces and those they need, in kernel order)
    # END VENDORED

``python -m tools.vendor`` rewrites every block; ``--check`` changes nothing and exits 1 naming
each stale module. Either way it fails when a module lacks an import its pieces use.
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIBRARY = ROOT / "constructs_lib"
KERNEL = LIBRARY / "_kernel.py"
BEGIN = "# BEGIN VENDORED from constructs_lib/_kernel.py by `make vendor`; edit it there"
NAMES = "# pieces:"
END = "# END VENDORED"
_PIECE = re.compile(r"^# piece: (\w+)\s*$", re.MULTILINE)


@dataclass(frozen=True)
class Kernel:
    pieces: dict[str, str]  # name -> source, in kernel order
    imports: frozenset[str]  # names the kernel's imports bind

    def closure(self, names: list[str]) -> list[str]:
        """``names`` and every piece they use, in kernel order."""
        unknown = [name for name in names if name not in self.pieces]
        if unknown:
            raise SystemExit(f"unknown kernel piece(s) {unknown}; known: {', '.join(self.pieces)}")
        wanted, queue = set(), list(names)
        while queue:
            name = queue.pop()
            if name in wanted:
                continue
            wanted.add(name)
            used = _names_used(self.pieces[name])
            queue.extend(other for other in self.pieces if other in used and other != name)
        return [name for name in self.pieces if name in wanted]

    def imports_used(self, names: list[str]) -> set[str]:
        used = set().union(*(_names_used(self.pieces[name]) for name in names))
        return used & self.imports


def read_kernel(path: Path = KERNEL) -> Kernel:
    text = path.read_text()
    starts = list(_PIECE.finditer(text))
    pieces = {}
    for index, match in enumerate(starts):
        end = starts[index + 1].start() if index + 1 < len(starts) else len(text)
        pieces[match.group(1)] = text[match.end() : end].strip("\n") + "\n"
    return Kernel(pieces, frozenset(_bound_by_imports(text[: starts[0].start()])))


def _names_used(source: str) -> set[str]:
    """Every name the code reads (not its docstrings or comments)."""
    return {node.id for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Name)}


def _bound_by_imports(source: str) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module != "__future__":
            names.update(alias.asname or alias.name for alias in node.names)
    return names


def render(module_text: str, kernel: Kernel, module_name: str) -> str:
    """The module with its vendored block rewritten; unchanged when it has no block."""
    lines = module_text.splitlines(keepends=True)
    begin = [i for i, line in enumerate(lines) if line.startswith(BEGIN)]
    if not begin:
        return module_text
    if len(begin) > 1:
        raise SystemExit(f"{module_name}: more than one vendored block")
    start = begin[0]
    try:
        end = next(i for i in range(start + 1, len(lines)) if lines[i].rstrip() == END)
    except StopIteration:
        raise SystemExit(f"{module_name}: `{BEGIN}` has no `{END}` line") from None
    first = start + 1
    while first < end and lines[first].startswith(NAMES):
        first += 1
    names = [
        name.strip()
        for line in lines[start + 1 : first]
        for name in line[len(NAMES) :].split(",")
        if name.strip()
    ]
    if not names:
        raise SystemExit(f"{module_name}: name the pieces on `{NAMES}` lines under `{BEGIN}`")
    chosen = kernel.closure(names)
    missing = kernel.imports_used(chosen) - _bound_by_imports(
        "".join(lines[:start] + lines[end + 1 :])
    )
    if missing:
        raise SystemExit(
            f"{module_name}: its vendored pieces use {', '.join(sorted(missing))}; "
            "import them as constructs_lib/_kernel.py does"
        )
    block = "\n\n".join(kernel.pieces[name] for name in chosen)
    return "".join(lines[:first]) + "\n\n" + block + "\n\n" + "".join(lines[end:])


def stale_modules(write: bool) -> list[str]:
    kernel = read_kernel()
    stale = []
    for path in sorted(LIBRARY.glob("*.py")):
        if path.name.startswith("_"):
            continue
        text = path.read_text()
        fresh = render(text, kernel, path.name)
        if fresh != text:
            stale.append(path.name)
            if write:
                path.write_text(fresh)
    return stale


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if stale")
    args = parser.parse_args()
    stale = stale_modules(write=not args.check)
    if args.check and stale:
        print(f"stale vendored kernel copies in {', '.join(stale)}: run `make vendor`")
        sys.exit(1)
    print(f"vendored: {', '.join(stale) or 'every copy was current'}")


if __name__ == "__main__":
    main()
