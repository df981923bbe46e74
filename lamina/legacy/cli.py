"""The `lamina` command: `lamina legacy script.py [args]` runs an old Keras script;
`lamina upgrade script.py [--write]` rewrites one in today's API."""

import argparse
import sys


def _parser():
    parser = argparse.ArgumentParser(prog="lamina", description="lamina's command-line tools.")
    commands = parser.add_subparsers(dest="command", required=True)
    legacy = commands.add_parser("legacy", help="run a Keras 0.x/1.x/2.x script unmodified "
                                                "(LAMINA_SEED=n fixes the random seed)")
    legacy.add_argument("script", help="path of the script")
    legacy.add_argument("args", nargs=argparse.REMAINDER, help="the script's own arguments")
    upgrade = commands.add_parser("upgrade", help="rewrite an old Keras script in today's API")
    upgrade.add_argument("script", help="path of the script")
    upgrade.add_argument("--write", action="store_true",
                         help="rewrite the file in place instead of printing the result")
    return parser


def main(argv=None):
    """Entry point of the `lamina` console script; returns the exit status.

    Args:
        argv: Arguments without the program name; default `sys.argv[1:]`.

    Returns:
        0 on success, 1 on a usage or input error.
    """
    args = _parser().parse_args(sys.argv[1:] if argv is None else argv)
    if args.command == "legacy":
        from lamina.legacy.runner import run_script
        try:
            run_script(args.script, args.args)
        except FileNotFoundError as error:
            print(error, file=sys.stderr)
            return 1
        return 0
    from lamina.legacy.upgrade import upgrade_file
    try:
        text = upgrade_file(args.script, write=args.write)
    except (FileNotFoundError, SyntaxError, ValueError) as error:
        print(f"lamina upgrade: {error}", file=sys.stderr)
        return 1
    if not args.write:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
