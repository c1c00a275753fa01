"""WhatIsTheTime.com [004:2338-2343]: a stateless page with the current UTC time.

No database and no session: any instance answers any request alike, which is why the
architecture can go from one instance with an Elastic IP to an Auto Scaling group behind an ALB
without changing this program. The page names the instance and AZ that served it, so a reader
sees the load balancer spread requests. ``GET /health`` is the ALB's health check.

Run: ``python3 time_server.py /etc/time-server/config.json`` (``{"port": 80}``).
"""

from __future__ import annotations

import datetime
import html
import sys

from app_common import Handler, instance_identity, load_config, make_http_server, page


def now_utc() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)  # noqa: UP017 - UTC is 3.11+


def time_page(now: datetime.datetime, identity: dict) -> bytes:
    stamp = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    return page(
        "WhatIsTheTime.com",
        f'<p>It is <time datetime="{stamp}">{html.escape(stamp)}</time> (UTC).</p>'
        f"<p>Served by {html.escape(identity['instance_id'])} in "
        f"{html.escape(identity['availability_zone'])}.</p>",
    )


def make_server(host: str, port: int, identity: dict, clock=now_utc):
    class TimeHandler(Handler):
        def do_GET(self) -> None:
            path = self.path_only()
            if path == "/":
                self.respond(200, time_page(clock(), identity))
            elif path == "/health":
                self.text(200, "ok\n")
            else:
                self.not_found()

        do_HEAD = do_GET

    return make_http_server(host, port, TimeHandler)


def main(port: int = 80, host: str = "0.0.0.0") -> None:
    """Serve until stopped (systemd restarts it if it dies)."""
    make_server(host, int(port), instance_identity()).serve_forever()


if __name__ == "__main__":
    main(**load_config(sys.argv[1]))
