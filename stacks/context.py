"""The collection's context keys, and the refusal of a key it does not know.

A mistyped key is otherwise ignored in silence: ``-c profle=production`` would synthesize the
sandbox, ``-c ssh-cidr=...`` would open nothing. aws-cdk-lib's own keys (feature flags such as
``@aws-cdk/...``, lookups such as ``availability-zones:...``, the CLI's ``aws:cdk:...``) all
carry an ``@`` or a ``:``; a key with neither is the collection's, and must be one of these.
"""

from __future__ import annotations

import difflib
import json
import os
from collections.abc import Iterable
from pathlib import Path

# Key -> what it chooses (the README's "Context keys" table says the same, with values).
KNOWN_KEYS = {
    "profile": "sandbox or production",
    "arch": "which architectures to build",
    "network": "own or shared networks",
    "lease_hours": "when sandbox stacks delete themselves (0: never)",
    "ssh_cidr": "the range the bastion accepts SSH from",
    "certificate_arn": "the web tier's ACM certificate",
    "api_auth": "the serverless API's authentication",
    "aurora_primary_region": "the Aurora global database's primary region",
    "aurora_secondary_regions": "its secondary regions",
    "site_domain": "the static site's custom domain (production asks for it)",
    "site_certificate_arn": "the static site's ACM certificate in us-east-1 (production)",
    "data_replica_region": "the data-protection replica bucket's region",
    "domain": "WhatIsTheTime's public hosted zone (a private zone without it)",
    "session_store": "MyClothes' session store from v3 on: dynamodb or valkey",
}


def is_ours(key: str) -> bool:
    return "@" not in key and ":" not in key


def refuse_unknown_context_keys(keys: Iterable[str]) -> None:
    """ValueError naming each key that looks like one of ours but is not, and the known keys."""
    unknown = sorted(key for key in keys if is_ours(key) and key not in KNOWN_KEYS)
    if not unknown:
        return
    hints = []
    for key in unknown:
        close = difflib.get_close_matches(key.replace("-", "_"), KNOWN_KEYS, n=1)
        hints.append(f"{key!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
    raise ValueError(
        f"unknown context key {', '.join(hints)}; the collection's keys: "
        f"{', '.join(KNOWN_KEYS)} (aws-cdk-lib's own keys, with '@' or ':', are left alone)"
    )


def cli_context_keys() -> list[str]:
    """The keys the CLI passes to the app (cdk.json, cdk.context.json, ``-c``), as App reads them.

    The CLI sets CDK_CONTEXT_JSON, or writes a large context to the file CONTEXT_OVERFLOW_LOCATION
    names.
    """
    context: dict = json.loads(os.environ.get("CDK_CONTEXT_JSON") or "{}")
    overflow = os.environ.get("CONTEXT_OVERFLOW_LOCATION_ENV")
    if overflow and Path(overflow).is_file():
        context.update(json.loads(Path(overflow).read_text()))
    return list(context)
