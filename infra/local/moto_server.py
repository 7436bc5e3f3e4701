"""moto's server for the local stack, with DynamoDB writes made atomic (see atomic_moto.py).

Run as ``python -m infra.local.moto_server -H 127.0.0.1 -p PORT`` (moto.server's own arguments).
"""

from __future__ import annotations

from infra.local import atomic_moto


def main() -> None:
    """Install the lock, then hand over to moto's server."""
    atomic_moto.install()
    from moto.server import main as moto_main

    moto_main()


if __name__ == "__main__":
    main()
