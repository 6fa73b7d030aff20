"""Batch experiments: replications with common random numbers, designs, executors, storage.

The public entry points:

* :func:`run_experiment` runs replications of scenarios (or of a design's variants) into a
  resumable results folder; :func:`load_results` opens one.
* :mod:`sim.experiments.designs` builds factorial, Latin hypercube, NOLH, Sobol and Morris
  designs; :func:`load_design_file` reads one from YAML.
* :func:`with_values` and :func:`select_factors` set and choose scenario parameters.
"""

from sim.experiments.designfile import DesignSpec, load_design_file
from sim.experiments.designs import (
    Axis,
    Design,
    factorial_design,
    lhs_design,
    morris_design,
    nolh_design,
    sobol_design,
)
from sim.experiments.runner import (
    ExperimentConflictError,
    ExperimentResult,
    Progress,
    load_results,
    run_experiment,
)
from sim.experiments.seeds import SeedPlan
from sim.experiments.tasks import RunRecord, RunTask, execute_run
from sim.experiments.variants import (
    Factor,
    assumption_factors,
    compose_fragments,
    select_factors,
    with_name,
    with_values,
)

__all__ = [
    "Axis",
    "Design",
    "DesignSpec",
    "ExperimentConflictError",
    "ExperimentResult",
    "Factor",
    "Progress",
    "RunRecord",
    "RunTask",
    "SeedPlan",
    "assumption_factors",
    "compose_fragments",
    "execute_run",
    "factorial_design",
    "lhs_design",
    "load_design_file",
    "load_results",
    "morris_design",
    "nolh_design",
    "run_experiment",
    "select_factors",
    "sobol_design",
    "with_name",
    "with_values",
]
