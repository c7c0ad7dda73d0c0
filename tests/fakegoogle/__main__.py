"""Run the fake Google server for demos and benchmarks: ``python -m tests.fakegoogle``."""

from __future__ import annotations

import argparse
import json
import sys
import time

from tests.fakegoogle.server import FakeGoogle


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fakegoogle", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    parser.add_argument("--email", default="user@example.com", help="the mailbox's address")
    parser.add_argument(
        "--access-token",
        default="fake-access-token",
        help="a static bearer token the server accepts",
    )
    parser.add_argument(
        "--quota",
        type=float,
        default=None,
        metavar="UNITS",
        help="enforce a per-user quota of UNITS per second (Gmail: 6,000 a minute = 100)",
    )
    parser.add_argument(
        "--latency",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="add this latency to every request",
    )
    parser.add_argument(
        "--credentials",
        metavar="FILE",
        help="write an authorized-user JSON for this server to FILE",
    )
    args = parser.parse_args(argv)

    fake = FakeGoogle(
        args.email, host=args.host, port=args.port, access_token=args.access_token or None
    )
    if args.quota:
        fake.quota(args.quota)
    if args.latency:
        fake.inject(latency=args.latency)
    fake.start()
    if args.credentials:
        with open(args.credentials, "w", encoding="utf-8") as handle:
            json.dump(fake.authorized_user_info(), handle, indent=2)
    print(fake.url, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        fake.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
