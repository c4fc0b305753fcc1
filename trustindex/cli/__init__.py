"""The ``trustindex`` command line: parse, call the core, render. Errors become exit codes here only."""

from __future__ import annotations

import os
import sys

import click

from .. import __version__
from ..errors import ExitCode, TrustIndexError

# The CLI's matrix products are small: on a busy machine a BLAS thread pool spends a hundred times longer
# waking its threads than computing (0.16 ms against 16 ms for a 100 × 33 × 200 product measured here).
# Before numpy loads (nothing above imports it), and only where the user has not chosen.
for _variable in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

EPILOG = """\b
Examples:
  trustindex score                          # the embedded default, balanced weights
  trustindex score --weights management-first --level pillar
  trustindex score --data path/to/dataset -f csv -o scores.csv

\b
Shell completion (bash; use zsh_source or fish_source for those shells):
  eval "$(_TRUSTINDEX_COMPLETE=bash_source trustindex)"
"""


def _one_line(exc: click.ClickException, ctx: click.Context | None) -> None:
    """A usage error as one line on stderr, like every other error."""
    message = exc.format_message()
    message = message[:1].lower() + message[1:]
    command = getattr(exc, "ctx", None) or ctx
    path = command.command_path.replace(command.find_root().info_name or "", "trustindex", 1) if command else ""
    hint = f" (see {path or 'trustindex'} --help)" if isinstance(exc, click.UsageError) else ""
    click.echo(f"trustindex: error: {' '.join(message.split())}{hint}", err=True)


class TrustIndexGroup(click.Group):
    """Maps every TrustIndexError to one line on stderr and its exit code; usage errors to one line and 2;
    Ctrl-C to 130; a bug to 70."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.ClickException as exc:
            _one_line(exc, None)
            code = exc.exit_code
        except click.exceptions.Abort:
            click.echo("trustindex: interrupted", err=True)
            code = int(ExitCode.INTERRUPTED)
        if not standalone_mode:
            return code
        sys.exit(code if isinstance(code, int) else 0)

    def invoke(self, ctx: click.Context):
        from ..io.files import forget

        forget()
        try:
            return super().invoke(ctx)
        except TrustIndexError as exc:
            if ctx.obj and ctx.obj.get("debug"):
                import traceback

                traceback.print_exc(file=sys.stderr)
            else:
                click.echo(f"trustindex: error: {exc}", err=True)
            ctx.exit(int(exc.exit_code))
        except KeyboardInterrupt:
            click.echo("trustindex: interrupted", err=True)
            ctx.exit(int(ExitCode.INTERRUPTED))
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort):
            raise
        except Exception as exc:  # a bug: still one line, unless --debug asks for the traceback
            if ctx.obj and ctx.obj.get("debug"):
                raise
            message = f"trustindex: error: internal error: {type(exc).__name__}: {exc}"
            click.echo(f"{message} (a bug: please report it; --debug shows the traceback)", err=True)
            ctx.exit(int(ExitCode.INTERNAL))


@click.group(cls=TrustIndexGroup, epilog=EPILOG, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="trustindex")
@click.option("--debug", is_flag=True, help="Show the full traceback of an error.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Construct, explain and stress-test composite indices.

    trustindex computes the Balanced Coexistence index (management, connectivity, support,
    explainability) or any index tree from a dataset and a weights profile in TOML.
    """
    ctx.obj = {"debug": debug}


def _register() -> None:
    from .audit import audit
    from .check import check
    from .datasets import datasets
    from .experts import experts
    from .explain import compare, explain, importance
    from .fitweights import fit_weights
    from .init import init
    from .report import report
    from .robustness import sensitivity, stability, uncertainty
    from .score import score
    from .trends import trends
    from .tui import tui

    for command in (score, explain, compare, importance, audit, uncertainty, sensitivity, stability, report, check,
                    datasets):  # fmt: skip
        cli.add_command(command)
    cli.add_command(tui)
    cli.add_command(init)
    cli.add_command(experts)
    cli.add_command(fit_weights)
    cli.add_command(trends)


_register()


def main(argv: list[str] | None = None) -> None:
    """Console entry point."""
    cli.main(args=argv, prog_name="trustindex")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
