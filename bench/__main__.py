"""`python -m bench [answer|retrieval|scale|all] [--units N]`: print the benchmark tables."""

from __future__ import annotations

import argparse

from bench import retrieval


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench")
    parser.add_argument("which", nargs="?", default="all", choices=["answer", "retrieval", "scale", "all"])
    parser.add_argument("--units", type=int, default=100_000, help="synthetic base size for the scale bench")
    args = parser.parse_args()
    if args.which in ("answer", "all"):
        from bench import answer

        answer.main()
    if args.which in ("retrieval", "all"):
        retrieval.main()
    if args.which in ("scale", "all"):
        from bench import scale

        scale.main(args.units)


if __name__ == "__main__":
    main()
