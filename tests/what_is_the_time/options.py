"""Templates of the WhatIsTheTime constructs' options no version uses (FixedFleet's and
DnsRecords'), for ``options:<name>`` template paths in facts/what-is-the-time.toml (contract:
tests/option_templates.py). ``fleet_*`` come from fixed_fleet_options.py, ``dns_*`` from
dns_records_options.py; one synthesis of them all, with the cdk-nag gate on.
"""

from __future__ import annotations

from tests.option_templates import templates_of
from tests.what_is_the_time import dns_records_options, fixed_fleet_options

STACKS = {**fixed_fleet_options.STACKS, **dns_records_options.STACKS}
TEMPLATES = templates_of(STACKS)
