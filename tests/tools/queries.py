"""What the tools' tests read off a cost estimate or a topology, in one place."""

from __future__ import annotations

from tools import cost
from tools.topology import Topology


def priced_items(result: cost.Estimate) -> dict[str, float]:
    """Label -> monthly price of each priced item."""
    return {item.label: round(item.monthly, 4) for item in result.items}


def usage_prices(result: cost.Estimate) -> dict[str, list[str]]:
    """Resource type -> what each usage-priced resource of it is priced by."""
    found: dict[str, list[str]] = {}
    for item in result.usage:
        found.setdefault(item.resource_type, []).append(item.prices)
    return found


def nodes(topo: Topology, prefix: str) -> list[str]:
    """The ids of the nodes whose labels start with ``prefix``."""
    return sorted(n.id for n in topo.nodes.values() if n.label.startswith(prefix))


def edges(topo: Topology, src: str, dst: str, kind: str | None = None) -> set[tuple]:
    """(src node, dst node, label) of edges between nodes whose labels start so."""
    a, b = set(nodes(topo, src)), set(nodes(topo, dst))
    return {
        (e.src, e.dst, e.label)
        for e in topo.edges
        if e.src in a and e.dst in b and (kind is None or e.kind == kind)
    }


def az_of(topo: Topology, node_id: str) -> str | None:
    """The label of the AZ cluster a node sits in, if any."""
    cluster = topo.nodes[node_id].parent
    while cluster:
        if topo.clusters[cluster].kind == "az":
            return topo.clusters[cluster].label
        cluster = topo.clusters[cluster].parent
    return None
