"""`policylint lint` as a user runs it: formats, exit codes 0/1/2, config, suppression, --fail-on."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from policylint.cli import cli

ROOT = Path(__file__).resolve().parents[2]
BAD_PEER = ROOT / "fixtures" / "rules" / "np105_invalid_peer" / "bad.yaml"
NONCANONICAL = ROOT / "fixtures" / "rules" / "np102_noncanonical_cidr" / "bad.yaml"
GOOD = ROOT / "fixtures" / "rules" / "np105_invalid_peer" / "good.yaml"


def loader_ready() -> bool:
    try:
        from policylint.load import load_paths  # noqa: F401
    except ImportError:
        return False
    return True


needs_loader = pytest.mark.skipif(not loader_ready(), reason="policylint.load.load_paths has not landed")


def run(args: list[str], cwd: Path, stdin: str | None = None) -> tuple[int, str, str]:
    with contextlib.chdir(cwd):
        result = CliRunner().invoke(cli, ["lint", *args], input=stdin)
    return result.exit_code, result.stdout, result.stderr


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_unknown_rule_in_config_is_a_config_error_with_file_and_line(tmp_path: Path) -> None:
    config = write(tmp_path, "c.yaml", "rules:\n  NP101: disable\n  invalid-peers: disable\n")
    code, out, err = run(["--config", str(config), str(GOOD)], tmp_path)
    assert code == 2 and out == ""
    assert f"{config}:3: unknown rule 'invalid-peers'; did you mean 'invalid-peer'?" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("colour: true\n", ":1: (top level): Additional properties are not allowed ('colour' was unexpected)"),
        ("rules:\n  NP102:\n    severity: fatal\n", ":3: rules.NP102.severity: 'fatal' is not one of"),
        ("expect:\n  - allow: {from: a}\n", ":2: expect.0.allow: 'to' is a required property"),
        ("rules:\n  NP001: disable\n", ":2: NP001 yaml-syntax reports input problems; it cannot be disabled"),
        ("rules: [\n", ":2: invalid YAML"),
    ],
)
def test_invalid_config_exits_2_and_cites_the_line(tmp_path: Path, text: str, message: str) -> None:
    config = write(tmp_path, "c.yaml", text)
    code, _out, err = run(["--config", str(config), str(GOOD)], tmp_path)
    assert code == 2
    assert message in err, err


def test_unknown_rule_on_the_command_line_exits_2(tmp_path: Path) -> None:
    code, _out, err = run(["--enable", "NP999", str(GOOD)], tmp_path)
    assert code == 2 and "unknown rule 'NP999'" in err


@needs_loader
def test_findings_at_or_above_fail_on_exit_1_in_text_format(tmp_path: Path) -> None:
    code, out, _err = run([str(BAD_PEER)], tmp_path)
    assert code == 1
    assert f"{BAD_PEER}:" in out and "error NP105 [invalid-peer] peer 1 of shop/allow-monitoring" in out
    assert "2 errors" in out.splitlines()[-1]


@needs_loader
@pytest.mark.parametrize(("fail_on", "expected"), [("error", 0), ("warning", 1), ("info", 1), ("never", 0)])
def test_fail_on_threshold_decides_the_exit_code(tmp_path: Path, fail_on: str, expected: int) -> None:
    code, _out, _err = run(["--fail-on", fail_on, str(NONCANONICAL)], tmp_path)  # one warning
    assert code == expected


@needs_loader
def test_clean_input_exits_0(tmp_path: Path) -> None:
    code, out, _err = run([str(GOOD)], tmp_path)
    assert code == 0 and out.startswith("0 errors, 0 warnings, 0 info")


@needs_loader
def test_json_and_sarif_and_github_formats(tmp_path: Path) -> None:
    _code, out, _err = run(["--format", "json", str(BAD_PEER)], tmp_path)
    data = json.loads(out)
    assert [f["rule"] for f in data["findings"]] == ["NP105", "NP105"]
    assert data["summary"]["error"] == 2
    _code, out, _err = run(["--format", "sarif", str(BAD_PEER)], tmp_path)
    assert json.loads(out)["runs"][0]["results"][0]["ruleId"] == "NP105"
    _code, out, _err = run(["--format", "github", str(BAD_PEER)], tmp_path)
    assert out.startswith(f"::error file={BAD_PEER},line=")


@needs_loader
def test_config_found_from_cwd_downgrades_and_disables(tmp_path: Path) -> None:
    write(tmp_path, ".policylint.yaml", "rules:\n  invalid-peer: {severity: warning}\n")
    code, out, _err = run(["--fail-on", "error", str(BAD_PEER)], tmp_path)
    assert code == 0 and "warning NP105" in out
    code, out, _err = run(["--disable", "NP105", str(BAD_PEER)], tmp_path)
    assert code == 0 and "NP105" not in out


@needs_loader
def test_comment_suppression_silences_the_line(tmp_path: Path) -> None:
    text = NONCANONICAL.read_text().replace("# [NP102]", "# policylint: disable-line=noncanonical-cidr")
    path = write(tmp_path, "p.yaml", text)
    code, out, _err = run([str(path)], tmp_path)
    assert code == 0 and "NP102" not in out


@needs_loader
def test_stdin_and_output_file(tmp_path: Path) -> None:
    report = tmp_path / "out.json"
    code, out, _err = run(["--format", "json", "--output", str(report), "-"], tmp_path, stdin=BAD_PEER.read_text())
    assert code == 1 and out == ""
    assert {f["file"] for f in json.loads(report.read_text())["findings"]} == {"<stdin>"}


@needs_loader
def test_unreadable_input_exits_2_without_traceback(tmp_path: Path) -> None:
    code, _out, err = run([str(tmp_path / "missing.yaml")], tmp_path)
    assert code == 2 and "Traceback" not in err and "missing.yaml" in err


def test_text_format_shows_the_source_line_with_a_caret_and_concise_does_not(tmp_path: Path) -> None:
    # As ruff's default ("full") output format and its `--output-format concise`.
    _, out, _ = run([str(NONCANONICAL)], tmp_path)
    head, bar, source, caret = out.splitlines()[:4]
    assert head.startswith(f"{NONCANONICAL}:10:20: warning NP102") and bar == "   |"
    assert source == "10 |         - ipBlock: {cidr: 10.20.30.40/16}  # [NP102]"
    assert caret.index("^") == source.index("{cidr")
    _, concise, _ = run([str(NONCANONICAL), "-f", "concise"], tmp_path)
    assert concise.splitlines()[0] == head and "^" not in concise


def test_stdin_findings_have_snippets_from_the_text_read(tmp_path: Path) -> None:
    _, out, _ = run(["-"], tmp_path, stdin=NONCANONICAL.read_text())
    assert "10 |         - ipBlock: {cidr: 10.20.30.40/16}" in out


def test_a_link_out_of_the_roots_is_never_shown(tmp_path: Path) -> None:
    secret = tmp_path / "outside" / "secret.yaml"
    secret.parent.mkdir()
    secret.write_text("password: hunter2\n")
    root = tmp_path / "repo"
    root.mkdir()
    (root / "link.yaml").symlink_to(secret)
    _, out, _ = run([str(root)], tmp_path)
    assert "NP004" in out and "hunter2" not in out
