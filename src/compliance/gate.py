"""What a CI gate adds to checking: waivers, a baseline, recording one, the severity that fails.

The library and the command line share it, so a library call gets the results
``compliance check`` prints::

    from compliance.check import Checker
    from compliance.gate import Gate

    gate = Gate.for_paths(["plans/"], as_of, baseline=Path("baseline.json"))
    run = Checker().check_paths(["plans/"], as_of, gate=gate)
    run.exit_status  # 0, 1 or 2, as the command would exit

The exit status itself is a property of the run (:attr:`CheckRun.exit_status`):
the gate only says which severity fails and whether the run records a baseline.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .findings import FAIL_ON, CheckRun, PlanResult
from .waivers import (
    BaselineKey,
    WaiverState,
    apply_baseline,
    baseline_keys,
    default_waivers,
    load_baseline,
    load_waivers,
)


@dataclass
class Gate:
    waivers: WaiverState | None = None
    baseline: set[BaselineKey] | None = None
    fail_on: str = "error"
    recorded: set[BaselineKey] | None = None  # collects the failed findings' keys for --write-baseline

    def __post_init__(self) -> None:
        if self.fail_on not in FAIL_ON:
            raise ValueError(f"fail_on must be one of {', '.join(FAIL_ON)}, not {self.fail_on!r}")

    @classmethod
    def for_paths(
        cls,
        paths: Iterable[str],
        as_of: dt.date,
        *,
        waivers: Path | None = None,
        baseline: Path | None = None,
        fail_on: str = "error",
        record: bool = False,
    ) -> Gate:
        """The gate ``compliance check PATHS`` uses: ``waivers`` or else
        ``compliance-waivers.yaml`` beside the plans (see :func:`default_waivers`),
        the ``baseline`` file if given. Unreadable files raise :class:`InputError`."""
        waivers_path = waivers or default_waivers(list(paths))
        return cls(
            waivers=WaiverState(load_waivers(waivers_path), as_of) if waivers_path else None,
            baseline=load_baseline(baseline) if baseline else None,
            fail_on=fail_on,
            recorded=set() if record else None,
        )

    def start(self, run: CheckRun) -> None:
        run.fail_on = self.fail_on
        run.recording_baseline = self.recorded is not None
        run.baseline_used = self.baseline is not None

    def admit(self, result: PlanResult) -> None:
        """A plan's result as the gate sees it: waived findings marked, baselined ones
        marked, and (when recording) its failed findings' keys kept."""
        if self.waivers is not None:
            self.waivers.apply(result)
        if self.baseline is not None:
            apply_baseline(result, self.baseline)
        if self.recorded is not None:
            self.recorded.update(baseline_keys(result))

    def finish(self, run: CheckRun) -> None:
        """After the batch: expired and unused waivers become the run's warnings."""
        if self.waivers is not None:
            self.waivers.finish(run)
