"""The cost of the request stack: an authenticated affiliate GET and a loyalty authorize, against the bare
/healthz route of the same server (the framework + client ceiling), in one run.

    python -m bench.stack [--total N] [--concurrency C]
"""

from __future__ import annotations

import argparse

from bench.support import machine, perks_server, run_load, summary


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--total", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    print(machine())
    with perks_server() as server:
        affiliate = {"x-auth-referralstack": server.api_key}
        loyalty = {"x-api-key": server.api_key}
        run_load("warm-up", server.base_url, lambda i: ("GET", "/healthz", {}, None), 300, args.concurrency)
        results = [
            run_load(
                "GET /healthz (baseline)",
                server.base_url,
                lambda i: ("GET", "/healthz", {}, None),
                args.total,
                args.concurrency,
            ),
            run_load(
                "GET /api/v1/workspaces/list",
                server.base_url,
                lambda i: ("GET", "/api/v1/workspaces/list", affiliate, None),
                args.total,
                args.concurrency,
            ),
            run_load(
                "GET /api/storefront/v1/auth/authorize",
                server.base_url,
                lambda i: ("GET", "/api/storefront/v1/auth/authorize", loyalty, None),
                args.total,
                args.concurrency,
            ),
        ]
    print(summary(results))


if __name__ == "__main__":
    main()
