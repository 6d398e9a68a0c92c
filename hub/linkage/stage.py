"""The link stage: person links, entity links and address matches, side by side.

The three steps read different inputs and write different tables (``link.person_link``,
``link.entity_link``, ``link.address_match``); none reads what another writes. Person linkage
is the long one — at a million persons about 90 s of one Python thread — while entity linkage and
address matching take about 28 s together. So the stage links persons in this process and, at
the same time, runs the other two in a forked child process: on two cores the stage takes
about as long as person linkage alone (docs/benchmarks.md, "the link stage").

Each step commits its own transaction, as when the steps ran one after another: a failed step
leaves its tables as they were and undoes nothing of the others, and the stage reports every
step's outcome (``run_link_stage``) so that the caller can record what succeeded and then fail,
naming what did not. The child dies with this process (a killed run leaves no linkage behind).
"""

from __future__ import annotations

import multiprocessing
import os
import time
import traceback
from collections.abc import Iterable
from dataclasses import dataclass

from hub.database.connection import connect
from hub.ingest.workers import die_with_parent
from hub.linkage.addresses import match_addresses
from hub.linkage.run import LinkSummary, link_subject
from hub.linkage.tables import ensure_link_tables

# the steps, in the order a report lists them: person linkage, entity linkage, address matching
STEPS = ("person", "legal_entity", "address")


@dataclass(frozen=True)
class StepOutcome:
    """What one step did: its result (a ``LinkSummary``, or the address counts), its seconds,
    or the error that stopped it (with its traceback)."""

    step: str
    result: LinkSummary | dict | None
    seconds: float
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


class LinkStageFailed(RuntimeError):
    """A step of the link stage failed; the others' results are committed."""


def run_link_stage(conninfo: str, steps: Iterable[str] = STEPS) -> dict[str, StepOutcome]:
    """Run the named steps (person linkage here, the others in one child process meanwhile);
    every step's outcome, in ``STEPS`` order. Raises only for an unknown step."""
    wanted = set(steps)
    unknown = wanted - set(STEPS)
    if unknown:
        raise ValueError(f"unknown link step(s) {sorted(unknown)}; one of {', '.join(STEPS)}")
    ordered = [step for step in STEPS if step in wanted]
    if not ordered:
        return {}
    # the link schema, once and committed: the steps' own `create ... if not exists` would race
    with connect(conninfo) as conn:
        ensure_link_tables(conn)
    here, away = ordered[:1], ordered[1:]
    child = _Child(conninfo, away) if away else None
    try:
        outcomes = {step: run_step(conninfo, step) for step in here}
        if child is not None:
            outcomes.update(child.outcomes())
    except BaseException:  # interrupted (a cancelled run, Ctrl-C): the child's work goes too
        if child is not None:
            child.stop()
        raise
    return {step: outcomes[step] for step in ordered}


def run_step(conninfo: str, step: str) -> StepOutcome:
    """One step in its own connection and transaction, its failure caught and reported."""
    started = time.perf_counter()
    try:
        with connect(conninfo) as conn:
            result = match_addresses(conn) if step == "address" else link_subject(conn, step)
    except Exception:  # reported with the others' results; the caller raises
        return StepOutcome(step, None, time.perf_counter() - started, traceback.format_exc())
    return StepOutcome(step, result, time.perf_counter() - started)


class _Child:
    """A forked process running ``steps`` one after another, its outcomes sent back by pipe."""

    def __init__(self, conninfo: str, steps: list[str]) -> None:
        self.steps = steps
        context = multiprocessing.get_context("fork")
        self._receive, send = context.Pipe(duplex=False)
        # not a daemon: address matching starts worker processes of its own
        self._process = context.Process(
            target=_child_main, args=(conninfo, steps, send, os.getpid()), daemon=False
        )
        self._process.start()
        send.close()

    def stop(self) -> None:
        """End the child now: its open transactions are rolled back by the server."""
        self._process.terminate()
        self._process.join(timeout=5)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()
        self._receive.close()

    def outcomes(self) -> dict[str, StepOutcome]:
        """Wait for the child; a child that died without reporting fails its steps."""
        try:
            outcomes = self._receive.recv()
        except EOFError:
            outcomes = None
        self._process.join()
        self._receive.close()
        if outcomes is None:
            error = f"the link stage's child process ended with exit code {self._process.exitcode}"
            outcomes = {step: StepOutcome(step, None, 0.0, error) for step in self.steps}
        return outcomes


def _child_main(conninfo: str, steps: list[str], send, parent: int) -> None:
    die_with_parent()
    if os.getppid() != parent:  # the parent died before the kernel was asked
        os._exit(1)
    send.send({step: run_step(conninfo, step) for step in steps})
    send.close()
