"""Architecture pictures of every stack, drawn with the ``diagrams`` library (AWS icons).

``python -m tools.pictures`` (part of ``make docs``) synthesizes both profiles in-process, turns
each template into a ``tools.topology.Topology``, and writes under ``docs/pictures/``:

- ``<stack>.dot`` (or ``<stack>-<profile>.dot`` where the profiles draw differently): the graph
  description, Graphviz DOT as ``diagrams`` builds it, with icon paths relative to the ``diagrams``
  package, so it is the same on every machine;
- ``<name>.png``: that description rendered by Graphviz's ``dot`` (the Debian package graphviz),
  stamped with the SHA-256 of the description in a PNG text chunk.

The test suite rebuilds the descriptions from its own synthesis and compares them, and compares
each PNG's stamp with its description: a stale picture fails without Graphviz installed.
``--check`` writes nothing and fails when a picture is out of date.
"""

from __future__ import annotations

import hashlib
import importlib
import re
import struct
import zlib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import diagrams
from diagrams import Cluster, Diagram, Edge, Node

from tools.topology import Topology, composition, replication_sources, topology

ROOT = Path(__file__).resolve().parents[1]
PICTURES = ROOT / "docs" / "pictures"
ICONS = Path(diagrams.__file__).resolve().parent.parent / "resources"
ICON_TOKEN = "<diagrams-resources>"
STAMP_KEY = "refarch-description-sha256"
_EDGE_STYLE = {
    "traffic": {"color": "#1f6feb", "style": "bold"},
    "rule": {"color": "#cf222e"},
    "route": {"color": "#6e7781", "style": "dashed", "constraint": "false"},
    "control": {"color": "#8250df", "style": "dotted", "constraint": "false"},
    "order": {"style": "invis"},
}
_CLUSTER_STYLE = {
    "global": {"bgcolor": "#ffffff", "pencolor": "#6e7781", "style": "dashed"},
    "region": {"bgcolor": "#f6f8fa", "pencolor": "#00a4a6", "style": "dashed"},
    "vpc": {"bgcolor": "#ffffff", "pencolor": "#8c4fff"},
    "az": {"bgcolor": "#ffffff", "pencolor": "#007cbc", "style": "dashed"},
    "subnet": {"bgcolor": "#e6f6e6"},
    "series": {"bgcolor": "#ffffff", "pencolor": "#6e7781", "style": "dashed"},
}
_PROFILE_NOTE = re.compile(r"\s*\((?:sandbox|production) profile\)")
_SUBNET_COLOURS = {"public": "#e6f6e6", "private": "#e6f2f8", "isolated": "#fdf2e9"}


_PLAIN_ATTRS = {
    "shape": "box",
    "style": "rounded,dashed",
    "fixedsize": "false",
    "labelloc": "c",
    "height": "0.6",
    "margin": "0.15",
}


@dataclass(frozen=True)
class Picture:
    """One picture: its file name (without suffix), what it shows, and its description."""

    name: str
    stack: str
    profiles: tuple[str, ...]
    description: str
    topology: Topology


class _Plain(Node):
    """A node without an icon: a security group with no member in the stack, a prefix list."""

    _icon = None


def _icon_class(path: str) -> type[Node]:
    module, _, name = path.rpartition(".")
    return getattr(importlib.import_module(f"diagrams.{module}"), name)


@contextmanager
def _diagram(title: str) -> Iterator[Diagram]:
    """A ``diagrams`` Diagram context that builds the graph and never renders it."""
    graph = Diagram(
        title,
        filename="picture",
        show=False,
        direction="TB",
        # splines: diagrams' ortho and curved styles cannot place edge labels
        graph_attr={
            "splines": "spline",
            "fontsize": "20",
            "pad": "0.4",
            "nodesep": "0.9",
            "ranksep": "0.9",
        },
        node_attr={"fontsize": "11"},
        edge_attr={"fontsize": "10"},
    )
    diagrams.setdiagram(graph)
    try:
        yield graph
    finally:
        diagrams.setdiagram(None)


def describe(topo: Topology) -> str:
    """The topology as Graphviz DOT built by ``diagrams``, icon paths made machine-independent."""
    with _diagram(topo.title) as graph:
        children: dict[str | None, list[str]] = {}
        for cid, cluster in sorted(topo.clusters.items()):
            children.setdefault(cluster.parent, []).append(cid)
        nodes_in: dict[str | None, list[str]] = {}
        for nid, node in sorted(topo.nodes.items()):
            nodes_in.setdefault(node.parent, []).append(nid)
        made: dict[str, Node] = {}

        def place(parent: str | None) -> None:
            for nid in nodes_in.get(parent, []):
                node = topo.nodes[nid]
                cls = _icon_class(node.icon) if node.icon else _Plain
                attrs = {} if node.icon else _PLAIN_ATTRS
                made[nid] = cls(node.label, nodeid=nid, **attrs)
            for cid in children.get(parent, []):
                cluster = topo.clusters[cid]
                style = dict(_CLUSTER_STYLE.get(cluster.kind, {}))
                if cluster.kind == "subnet":
                    tier = cluster.label.rsplit("(", 1)[-1].rstrip(")")
                    style["bgcolor"] = _SUBNET_COLOURS.get(tier, style["bgcolor"])
                with Cluster(cluster.label, graph_attr=style) as box:
                    box.dot.name = f"cluster_{cid}"
                    place(cid)

        place(None)
        for edge in sorted(topo.edges):
            if edge.src not in made or edge.dst not in made:
                continue
            attrs = dict(_EDGE_STYLE.get(edge.kind, {}))
            if edge.label:
                attrs["label"] = edge.label
            if edge.kind == "order":
                attrs["weight"] = "10"
            made[edge.src] >> Edge(**attrs) >> made[edge.dst]
        source = graph.dot.source
    return source.replace(str(ICONS), ICON_TOKEN)


COMPOSITION = "composition-network-shared"


def pictures(
    templates: Mapping[str, Mapping[str, dict]],
    regions: Mapping[str, Mapping[str, str]],
    shared: tuple[Mapping[str, dict], Mapping[str, str]] | None = None,
) -> list[Picture]:
    """Per stack: one picture when every profile draws it alike, else one per profile; and,
    given ``shared`` (the sandbox app with ``-c network=shared``: templates, regions), the
    composition of its stacks."""
    out = []
    if shared is not None:
        topo = composition(
            dict(shared[0]),
            dict(shared[1]),
            title="The sandbox collection with -c network=shared: "
            "stacks by region, and what each reads from another",
        )
        out.append(Picture(COMPOSITION, "", ("sandbox",), describe(topo), topo))
    stacks = sorted({s for per_profile in templates.values() for s in per_profile})
    sources = {
        profile: replication_sources(templates[profile], regions.get(profile, {}))
        for profile in templates
    }
    for stack in stacks:
        drawn: dict[str, Topology] = {}
        for profile in templates:
            if stack not in templates[profile]:
                continue
            region = regions.get(profile, {}).get(stack, "?")
            drawn[profile] = topology(
                templates[profile][stack],
                stack=stack,
                region=region,
                replicated_from=sources[profile].get(stack),
            )
        if len({_drawing(topo) for topo in drawn.values()}) == 1:
            topo = next(iter(drawn.values()))
            topo = replace(topo, title=_title(topo.title, "both profiles"))
            out.append(Picture(stack, stack, tuple(drawn), describe(topo), topo))
            continue
        for profile, topo in drawn.items():
            topo = replace(topo, title=_title(topo.title, f"{profile} profile"))
            out.append(Picture(f"{stack}-{profile}", stack, (profile,), describe(topo), topo))
    return out


def _title(title: str, profiles: str) -> str:
    """The stack's title, saying which profiles the picture draws (once)."""
    return f"{_PROFILE_NOTE.sub('', title)} [{profiles}]"


def _drawing(topo: Topology) -> tuple:
    """What a topology draws, without its title (which quotes the profile's stack description)."""
    return (
        frozenset(topo.clusters.items()),
        frozenset(topo.nodes.items()),
        frozenset(topo.edges),
    )


# -- PNG rendering and its stamp ---------------------------------------------------------------
class GraphvizMissing(RuntimeError):
    """Rendering needs Graphviz's ``dot``; checking a description does not."""


def render_png(description: str) -> bytes:
    """Render with Graphviz's ``dot`` (needs the Debian package graphviz) and stamp it."""
    import graphviz

    source = description.replace(ICON_TOKEN, str(ICONS))
    try:
        png = graphviz.Source(source).pipe(format="png", quiet=True)
    except graphviz.ExecutableNotFound as error:
        raise GraphvizMissing(
            "drawing the pictures needs Graphviz's `dot`: `sudo apt-get install graphviz` "
            "(Debian/Ubuntu) or `brew install graphviz`"
        ) from error
    return stamp(png, description)


def stamp(png: bytes, description: str) -> bytes:
    """``png`` with a tEXt chunk holding the description's SHA-256, before IEND."""
    data = f"{STAMP_KEY}\0{digest(description)}".encode("latin-1")
    chunk = struct.pack(">I", len(data)) + b"tEXt" + data
    chunk += struct.pack(">I", zlib.crc32(b"tEXt" + data) & 0xFFFFFFFF)
    end = png.rindex(b"IEND") - 4
    return png[:end] + chunk + png[end:]


def png_chunks(png: bytes) -> Iterator[tuple[bytes, bytes]]:
    if png[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    offset = 8
    while offset < len(png):
        (length,) = struct.unpack(">I", png[offset : offset + 4])
        kind = png[offset + 4 : offset + 8]
        yield kind, png[offset + 8 : offset + 8 + length]
        offset += 12 + length


def stamped_digest(png: bytes) -> str | None:
    for kind, data in png_chunks(png):
        if kind == b"tEXt" and data.startswith(STAMP_KEY.encode() + b"\0"):
            return data.split(b"\0", 1)[1].decode()
    return None


def png_size(png: bytes) -> tuple[int, int]:
    kind, data = next(png_chunks(png))
    if kind != b"IHDR":
        raise ValueError("PNG without IHDR first")
    return struct.unpack(">II", data[:8])


def digest(description: str) -> str:
    return hashlib.sha256(description.encode()).hexdigest()


def _picture_problems(picture: Picture, directory: Path) -> list[str]:
    """Why one committed picture is not ``picture`` (empty: current)."""
    problems = []
    dot = directory / f"{picture.name}.dot"
    png = directory / f"{picture.name}.png"
    if not dot.exists() or dot.read_text() != picture.description:
        problems.append(f"{dot.name}: description differs from the templates")
    if not png.exists():
        problems.append(f"{png.name}: missing")
    elif stamped_digest(png.read_bytes()) != digest(picture.description):
        problems.append(f"{png.name}: not rendered from the current description")
    return problems


def _orphans(found: list[Picture], directory: Path) -> list[Path]:
    """Committed pictures that no stack draws any more."""
    expected = {p.name for p in found}
    paths = sorted(directory.glob("*.dot")) + sorted(directory.glob("*.png"))
    return [path for path in paths if path.stem not in expected]


def stale(found: list[Picture], directory: Path = PICTURES) -> list[str]:
    """Why the committed pictures are not the ones ``found`` describes (empty: current)."""
    problems = [problem for picture in found for problem in _picture_problems(picture, directory)]
    return problems + [
        f"{path.name}: no stack draws it any more" for path in _orphans(found, directory)
    ]


def write(found: list[Picture], directory: Path = PICTURES) -> list[Path]:
    """Write what changed (and delete pictures no stack draws); the paths written."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for picture in found:
        if not _picture_problems(picture, directory):
            continue
        dot = directory / f"{picture.name}.dot"
        png = directory / f"{picture.name}.png"
        dot.write_text(picture.description)
        png.write_bytes(render_png(picture.description))
        written += [dot, png]
    for path in _orphans(found, directory):
        path.unlink()
        written.append(path)
    return written
