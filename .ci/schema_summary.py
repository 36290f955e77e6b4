"""One-line summary of a schemathesis NDJSON report (.ci/schema): operations, test cases, failures
and how each phase ended. Exits 1 unless the run completed every enabled phase without a failure,
so a run cut short (time budget, crash) can never pass as clean.

Usage: schema_summary.py REPORT.ndjson
"""

import json
import sys


def summarize(lines) -> tuple[str, bool]:
    operations = cases = failures = 0
    failed_operations: set[str] = set()
    phases: dict[str, str] = {}
    stop_reason = "not finished"
    for line in lines:
        try:
            event = json.loads(line)
        except ValueError:  # the last line of a run killed mid-write
            break
        kind, body = next(iter(event.items()))
        if kind == "LoadingFinished":
            operations = body["statistic"]["operations"]["selected"]
        elif kind == "ScenarioFinished":
            recorder = body["recorder"]
            cases += len(recorder.get("cases", {}))
            if body["status"] in ("failure", "error"):
                failures += (
                    sum(
                        1
                        for checks in recorder["checks"].values()
                        for check in checks
                        if check.get("status") != "success"
                    )
                    or 1
                )
                failed_operations.add(recorder["label"])
        elif kind == "PhaseStarted" and body["phase"]["is_enabled"]:
            phases.setdefault(body["phase"]["name"], "interrupted")
        elif kind == "PhaseFinished" and body["phase"]["is_enabled"]:
            phases[body["phase"]["name"]] = body["status"]
        elif kind == "EngineFinished":
            stop_reason = body["stop_reason"]
    tested = {
        name: status for name, status in phases.items() if name in ("examples", "coverage", "fuzzing", "stateful")
    }
    clean = stop_reason == "completed" and failures == 0 and all(s in ("success", "skip") for s in tested.values())
    text = (
        f"schema fuzzing: {operations} operations, {cases} test cases, {failures} failures"
        f"{' in ' + ', '.join(sorted(failed_operations)) if failed_operations else ''}; "
        f"phases: {', '.join(f'{name} {status}' for name, status in tested.items())}; run {stop_reason}"
    )
    return text, clean


def main() -> int:
    with open(sys.argv[1]) as report:
        text, clean = summarize(report)
    print(text)
    return 0 if clean else 1


if __name__ == "__main__":
    sys.exit(main())
