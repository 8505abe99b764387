"""`policylint rules [RULE]` (the catalogue, or one rule's page) and `policylint docs --out DIR`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from policylint.cli.common import handle_errors, write_output, writing_to
from policylint.docs import catalogue, rule_page
from policylint.registry import default_registry
from policylint.reporters.pipe import quiet_on_closed_pipe


@click.command("rules")
@click.argument("rule", required=False)
def rules_command(rule: str | None) -> None:
    """List the rules, or print the documentation of RULE (id or name)."""
    with handle_errors(debug=False):
        _rules(rule)


def _rules(rule: str | None) -> None:
    registry = default_registry()
    if rule is None:
        rows = [
            (s.id, s.name, s.default_severity.value, "on" if s.enabled_by_default else "off", s.summary)
            for s in registry.rules
        ]
        width = max(len(r[1]) for r in rows)
        lines = [f"{rid}  {name:<{width}}  {sev:<7}  {on:<3}  {summary}\n" for rid, name, sev, on, summary in rows]
        with quiet_on_closed_pipe():
            write_output("".join(lines), None)
        return
    entry = registry.entry(rule)
    if entry is None:
        raise click.BadParameter(f"unknown rule {rule!r} (see `policylint rules`)", param_hint="RULE")
    with quiet_on_closed_pipe():
        write_output(rule_page(entry, level=1), None)


@click.command("docs")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    default="docs",
    show_default=True,
    help="Directory to write rules.md into.",
)
@click.option("--check", is_flag=True, help="Do not write; exit 1 when DIR/rules.md is out of date.")
def docs_command(out_dir: str, check: bool) -> None:
    """Generate the rule reference (DIR/rules.md) from the rule modules and their fixtures."""
    target = Path(out_dir) / "rules.md"
    text = catalogue(default_registry())
    if check:
        current = target.read_text(encoding="utf-8") if target.is_file() else ""
        if current != text:
            click.echo(f"{target} is out of date; run `policylint docs --out {out_dir}`", err=True)
            sys.exit(1)
        return
    with handle_errors(debug=False):
        with writing_to(str(target)):
            target.parent.mkdir(parents=True, exist_ok=True)
        write_output(text, str(target))
    click.echo(f"wrote {target}", err=True)
