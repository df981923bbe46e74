"""The benchmark runner, exercised end to end at `--quick` sizes (no timing thresholds)."""

import math
import os
import subprocess
import sys
from types import SimpleNamespace

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SYSTEMS = ("lamina", "jax-step", "jax-scan")
NUMERIC = ("first", "steady", "samples/s", "loss, epoch 1", "final loss", "peak RSS (MiB)",
           "steady vs lamina", "first vs lamina")


def _number(cell):
    """'1.5 s' -> 1.5, '0.3 ms' -> 0.3, '2.00x' -> 2.0."""
    return float(cell.split()[0].rstrip("x"))


def _table(text):
    lines = [line for line in text.splitlines() if line.startswith("| ")]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    rows = [dict(zip(header, (cell.strip() for cell in line.strip("|").split("|"))))
            for line in lines[2:]]
    return header, rows


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    pytest.importorskip("jax")
    markdown = tmp_path_factory.mktemp("bench") / "results.md"
    markdown.write_text("# Results\n")
    command = [sys.executable, "-m", "benchmarks.run", "--quick", "--only", "W1,W2",
               "--systems", ",".join(SYSTEMS), "--markdown", str(markdown)]
    run = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=600,
                         check=False)
    assert run.returncode == 0, run.stderr[-3000:]
    return run.stdout, markdown.read_text()


def test_runner_quick_table_has_a_numeric_row_per_system(quick_run):
    header, rows = _table(quick_run[0])
    assert header[:2] == ["workload", "system"] and set(NUMERIC) <= set(header)
    for workload in ("W1", "W2"):
        found = {row["system"]: row for row in rows if row["workload"].startswith(workload)}
        assert set(found) == set(SYSTEMS), (workload, list(found))
        for system, row in found.items():
            values = {column: _number(row[column]) for column in NUMERIC}
            assert all(math.isfinite(v) and v > 0 for v in values.values()), (system, row)
            assert row["first"].endswith(" s") and row["steady"].endswith(" s")
        assert found["lamina"]["steady vs lamina"] == "1.00x"
    # Quick sizes show in the titles: 100 XOR epochs, 2000 MLP rows.
    assert any(row["workload"] == "W1 XOR fit, 100 epochs of batch 4" for row in rows)


def test_runner_quick_jax_scan_learns_xor(quick_run):
    _, rows = _table(quick_run[0])
    row = next(r for r in rows if r["workload"].startswith("W1") and r["system"] == "jax-scan")
    # MSE of sigmoid outputs on XOR starts near 0.25; 400 epochs of Nesterov SGD lower it.
    assert _number(row["final loss"]) < _number(row["loss, epoch 1"]) <= 0.5


def test_runner_markdown_appends_a_dated_section(quick_run):
    stdout, markdown = quick_run
    assert markdown.startswith("# Results\n")
    section = markdown.split("## ", 1)[1]
    assert "python -m benchmarks.run --quick --only W1,W2" in section.splitlines()[0]
    assert f"{os.cpu_count()} cores" in section and "jax " in section
    assert _table(stdout)[1] == _table(section)[1]


def test_runner_expands_w6_and_rejects_unknown_names_listing_known_ones():
    from benchmarks import run
    assert run._parse_list("W6, W1,W6c", run.WORKLOADS, "--only", run.ALIASES) == [
        "W6p", "W6c", "W6t", "W1"]
    with pytest.raises(SystemExit, match=r"unknown --only name 'W9'.*W1, W2"):
        run.main(["--only", "W9"])
    with pytest.raises(SystemExit, match=r"unknown --systems name 'tf'.*keras-torch"):
        run.main(["--systems", "tf"])
    with pytest.raises(SystemExit, match=r"--epochs must be a positive int.*Received: 0"):
        run.main(["--epochs", "0"])


def test_report_marks_missing_systems_and_latency_units():
    from benchmarks import report
    result = {"first": 0.5, "steady": 0.002, "samples_per_s": 500.0, "first_loss": None,
              "final_loss": None, "peak_rss_mib": 300.0}
    rows = [{"workload": "W6c", "title": "W6 model(x)", "system": "lamina", "result": result,
             "failure": None},
            {"workload": "W6c", "title": "W6 model(x)", "system": "torch",
             "result": dict(result, first=0.25, steady=0.001), "failure": None},
            {"workload": "W6c", "title": "W6 model(x)", "system": "keras-torch", "result": None,
             "failure": "not installed"}]
    _, table = _table(report.render(rows, SimpleNamespace(epochs=3, quick=False)))
    assert table[0]["first"] == "500 ms" and table[0]["steady"] == "2 ms"
    assert table[0]["final loss"] == "—"
    assert table[1]["steady vs lamina"] == "0.50x" and table[1]["first vs lamina"] == "0.50x"
    assert table[2]["first"] == "not installed" and table[2]["final loss"] == "—"


def test_runner_runs_as_a_script_too():
    # `python benchmarks/run.py` must find the `benchmarks` package without `-m`.
    run = subprocess.run([sys.executable, os.path.join("benchmarks", "run.py"), "--only", "W9"],
                         capture_output=True, text=True, cwd=ROOT, timeout=120, check=False)
    assert run.returncode == 1 and "unknown --only name 'W9'" in run.stderr, run.stderr[-2000:]


def _record(first, steady, loss, rss, samples=1000):
    return {"first": first, "steady": steady, "steady_runs": [steady],
            "samples_per_s": samples / steady, "first_loss": loss, "final_loss": loss / 2,
            "peak_rss_mib": rss}


def test_combine_runs_takes_medians_range_and_the_median_runs_losses():
    from benchmarks import common
    runs = [_record(4.0, 2.0, 0.9, 500.0), _record(3.0, 3.0, 0.7, 520.0),
            _record(5.0, 2.5, 0.8, 510.0)]
    out = common.combine_runs(runs)
    assert out["first"] == 4.0 and out["steady"] == 2.5
    assert out["steady_range"] == (2.0, 3.0) and out["runs"] == 3
    assert out["samples_per_s"] == pytest.approx(1000 / 2.5)
    assert out["peak_rss_mib"] == 520.0
    assert out["first_loss"] == 0.8 and out["final_loss"] == 0.4  # the run with steady 2.5
    assert common.combine_runs(runs[:1]) is runs[0]


def test_repeat_runs_rounds_across_systems_and_reports_medians(monkeypatch, capsys):
    from benchmarks import run
    calls = []
    steady = {"lamina": iter([2.0, 4.0, 3.0]), "jax-scan": iter([1.0, 1.5, 1.2])}

    def fake_child(workload, system, args):
        calls.append(system)
        value = next(steady[system])
        return _record(value * 2, value, 0.5, 100.0), None
    monkeypatch.setattr(run, "_child", fake_child)
    monkeypatch.setattr(run, "_installed", lambda system: True)
    run.main(["--only", "W2", "--systems", "lamina,jax-scan", "--repeat", "3"])
    assert calls == ["lamina", "jax-scan"] * 3  # rounds, not one system's runs back to back
    header, rows = _table(capsys.readouterr().out)
    assert "steady range" in header
    lamina, scan = rows
    assert lamina["steady"] == "3 s" and lamina["steady range"] == "2 s - 4 s"
    assert scan["steady"] == "1.2 s" and scan["steady vs lamina"] == "0.40x"


def test_repeat_must_be_positive():
    from benchmarks import run
    with pytest.raises(SystemExit, match=r"--repeat must be a positive int.*Received: 0"):
        run.main(["--repeat", "0"])


def test_a_failed_run_fails_the_row_and_is_not_retried(monkeypatch, capsys):
    from benchmarks import run
    calls = []

    def fake_child(workload, system, args):
        calls.append(system)
        if system == "jax-scan":
            return None, "exit code 1:\nboom"
        return _record(1.0, 0.5, 0.5, 100.0), None
    monkeypatch.setattr(run, "_child", fake_child)
    monkeypatch.setattr(run, "_installed", lambda system: True)
    run.main(["--only", "W2", "--systems", "lamina,jax-scan", "--repeat", "2"])
    assert calls == ["lamina", "jax-scan", "lamina"]
    _, rows = _table(capsys.readouterr().out)
    assert rows[1]["first"] == "exit code 1:" and rows[0]["steady"] == "0.5 s"
