"""Tools over the synthesized templates: idle-cost estimates (``tools.cost``), Mermaid diagrams
(``tools.diagram``) and the generated parts of ``docs/`` (``tools.docs``)."""
