"""Templates of the MyClothes constructs' options no version uses (SessionStore's and
RelationalDatabase's), for ``options:<name>`` template paths in facts/my-clothes.toml (contract:
tests/option_templates.py). ``session_*`` come from session_store_options.py, ``db_*`` from
relational_database_options.py; one synthesis of them all, with the cdk-nag gate on.
"""

from __future__ import annotations

from tests.my_clothes import relational_database_options, session_store_options
from tests.option_templates import templates_of

STACKS = {**session_store_options.STACKS, **relational_database_options.STACKS}
TEMPLATES = templates_of(STACKS)
