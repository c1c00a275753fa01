"""Tools over the synthesized templates: idle-cost estimates (``tools.cost``), architecture
pictures (``tools.topology`` -> ``tools.pictures``), the generated parts of ``docs/``
(``tools.docs``, with the facts index of ``tools.facts``) and the study site (``tools.site``)."""
