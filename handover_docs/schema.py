"""The handover manifest schema: the single source of truth.

Everything a research team hands to operations is a field here. The JSON
Schema for editors (``handover schema``), the validation messages, the
manifest reference page and the cross-reference checks are all derived from
these classes; nothing is kept by hand beside them.

Conventions: every model forbids unknown keys; ids are unique across the whole
handover (so a narrative can link ``[[any-id]]``); a field typed ``Ref(...)``
must name an id of one of the given collections; paths are relative to the
project root (the folder holding ``mkdocs.yml``); dates are ``YYYY-MM-DD``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    ConfigDict,
    Field,
)

from handover_docs.schema_card import (  # re-exported: the schema's public names
    Citation as Citation,
    ConfidenceInterval as ConfidenceInterval,
    EnvironmentalImpact as EnvironmentalImpact,
    EnvironmentImpact as EnvironmentImpact,
    EthicalConsideration as EthicalConsideration,
    EvalDataset as EvalDataset,
    EvalSource as EvalSource,
    FairnessAssessment as FairnessAssessment,
    IntendedUse as IntendedUse,
    IOFormat as IOFormat,
    Language as Language,
    ModelCard as ModelCard,
    ModelInfo as ModelInfo,
    Predictions as Predictions,
    QuantitativeAnalysis as QuantitativeAnalysis,
)
from handover_docs.schema_types import (  # the public names are re-exported
    ID_PATTERN as ID_PATTERN,
    LINK_SCHEMES as LINK_SCHEMES,
    SHA256_PATTERN as SHA256_PATTERN,
    SIGNING_ENV_PREFIX as SIGNING_ENV_PREFIX,
    STORE_SCHEMES as STORE_SCHEMES,
    AnyRef as AnyRef,
    ArtifactRef as ArtifactRef,
    ChecklistRef as ChecklistRef,
    ComponentRef as ComponentRef,
    DatasetRef as DatasetRef,
    Date as Date,
    EnvironmentRef as EnvironmentRef,
    EnvName as EnvName,
    ExperimentRef as ExperimentRef,
    GroupRef as GroupRef,
    Id as Id,
    LicenseId as LicenseId,
    LocationUri as LocationUri,
    MilestoneRef as MilestoneRef,
    PersonRef as PersonRef,
    Ref as Ref,
    RelPath as RelPath,
    Reviewed as Reviewed,
    Sensitivity as Sensitivity,
    Sha256 as Sha256,
    Strict as Strict,
    Text as Text,
    Uri as Uri,
    ref as ref,
    uri_scheme as uri_scheme,
)
from handover_docs.sections import MAPPING_SECTIONS as _MAPPING_SECTIONS, TOP_LEVEL_LISTS

SCHEMA_VERSION = 1
"""Value of the ``handover:`` key every manifest file starts with."""


# --- people ----------------------------------------------------------------------------------


class Person(Strict):
    id: Id
    name: Text
    email: str = Field(default="", pattern=r"^$|^[^@\s]+@[^@\s]+$")
    team: str = ""
    side: Literal["research", "operations", "governance", "other"] = "other"
    """Which side of the handover this person is on."""
    roles: list[Text] = []
    """What this person does in the handover, e.g. 'model owner', 'on-call'."""
    phone: str = ""
    """A phone number for urgent questions (shown on the people and on-call pages)."""


# --- artifacts and datasets ------------------------------------------------------------------

ArtifactKind = Literal[
    "code",
    "weights",
    "preprocessing",
    "feature-pipeline",
    "evaluation-suite",
    "dataset",
    "config",
    "logs",
    "run-metadata",
    "environment-spec",
    "container",
    "report",
    "other",
]


class Artifact(Reviewed):
    """Something handed over: code, weights, pipelines, logs, specs."""

    id: Id
    name: Text
    kind: ArtifactKind
    description: str = ""
    path: RelPath | None = None
    """Where the file lives in this repository, if it does."""
    uri: LocationUri | None = None
    """Where the artifact is stored (immutable store preferred)."""
    sha256: Sha256 | None = None
    size: int | None = Field(default=None, ge=0)
    """Size in bytes."""
    version: str = ""
    format: str = ""
    owner: PersonRef | None = None
    produced_by: ExperimentRef | None = None
    """The experiment whose run made this artifact."""
    derived_from: list[Annotated[str, ref("artifacts", "datasets")]] = []
    """Inputs it was made from: the lineage graph is drawn from this."""
    sensitivity: Sensitivity | None = None


class Datasheet(Strict):
    """Sections of 'Datasheets for Datasets' (Gebru et al.)."""

    motivation: Text
    composition: Text
    collection: Text
    preprocessing: Text
    uses: Text
    distribution: Text
    maintenance: Text


class Feature(Strict):
    name: Text
    description: str = ""
    dtype: str = ""


class Dataset(Reviewed):
    id: Id
    name: Text
    version: str = ""
    description: str = ""
    source: str = ""
    """Where the data comes from (system, vendor, package)."""
    artifact: ArtifactRef | None = None
    """The inventory entry holding this dataset's file."""
    derived_from: list[DatasetRef] = []
    owner: PersonRef | None = None
    custodians: list[PersonRef] = []
    """Who keeps the data day to day (CycloneDX data governance custodians)."""
    license: str = ""
    licenses: list[LicenseId] = []
    """Several licenses as SPDX ids or expressions (exports use them over ``license``)."""
    sensitivity: Sensitivity | None = None
    sensitive_data: list[Text] = []
    """Fields or kinds of sensitive data it holds, e.g. ``date of birth``."""
    rows: int | None = Field(default=None, ge=0)
    features: list[Feature] = []
    datasheet: Datasheet


# --- experiments and environments ------------------------------------------------------------


class SeedRun(Strict):
    seed: int
    date: Date | None = None
    metrics: dict[str, float] = {}
    note: str = ""


class Seeds(Strict):
    """Reproducibility fingerprint: the seed used and the seeds tried before."""

    seed: int
    history: list[SeedRun] = []


class SeedIndependentResult(Strict):
    """A metric summarised over several seeds, so one lucky seed cannot mislead."""

    mean: float
    std: float = Field(ge=0)
    n: int = Field(ge=2)
    seeds: list[int] = []


class ExpectedOutput(Strict):
    path: RelPath
    sha256: Sha256 | None = None
    description: str = ""


class Experiment(Reviewed):
    id: Id
    name: Text
    description: str = ""
    config: RelPath | None = None
    """Human-readable config file of the run, shown on the experiments page."""
    command: str = ""
    """How to run it, from the project root."""
    environment: EnvironmentRef | None = None
    datasets: list[DatasetRef] = []
    produces: list[ArtifactRef] = []
    seeds: Seeds | None = None
    metrics: dict[str, float] = {}
    """Results of the recorded run."""
    expected_outputs: list[ExpectedOutput] = []
    sample_run: RelPath | None = None
    """A saved log or metrics file of a sample run, to compare against."""
    seed_independent: dict[str, SeedIndependentResult] = {}
    owner: PersonRef | None = None
    date: Date | None = None


class Container(Strict):
    image: Text
    digest: str = Field(default="", pattern=r"^$|^sha256:[0-9a-f]{64}$")


class Hardware(Strict):
    cpu_cores: int | None = Field(default=None, ge=1)
    memory_gb: float | None = Field(default=None, gt=0)
    gpu: str = ""
    """GPU model, or empty when none is needed."""
    notes: str = ""


class Environment(Reviewed):
    id: Id
    name: Text
    python: str = Field(default="", pattern=r"^$|^3\.\d+(\.\d+)?$")
    """Python version, e.g. '3.11' or '3.11.7'."""
    os: str = ""
    """Operating system as /etc/os-release's PRETTY_NAME says it, e.g. 'Debian GNU/Linux 12
    (bookworm)'; the environment check compares it."""
    packages: dict[str, str] = {}
    """Package name to exact version."""
    lock_file: RelPath | None = None
    container: Container | None = None
    hardware: Hardware | None = None
    impact: EnvironmentImpact | None = None
    """The compute this environment took and what it cost (hardware, hours, region, energy,
    CO2), for one activity (training by default)."""
    description: str = ""


# --- decisions, deviations -------------------------------------------------------------------


class Decision(Reviewed):
    """Why something is the way it is: a threshold, constraint, assumption, edge case..."""

    id: Id
    title: Text
    kind: Literal[
        "threshold", "design-choice", "constraint", "assumption", "edge-case", "failure-mode"
    ]
    decision: Text
    rationale: Text
    alternatives: list[Text] = []
    consequences: str = ""
    value: float | str | None = None
    """The chosen value, for thresholds."""
    owner: PersonRef | None = None
    date: Date | None = None
    status: Literal["proposed", "accepted", "superseded"] = "accepted"
    related: list[AnyRef] = []
    narrative: RelPath | None = None
    """A docs page with the longer story, relative to the docs folder."""


class Deviation(Strict):
    """A departure from the original setup, recorded with its reason."""

    id: Id
    what: Text
    original: Text
    replacement: Text
    rationale: Text
    approver: PersonRef | None = None
    date: Date | None = None
    related: list[AnyRef] = []


# --- deployment and monitoring ---------------------------------------------------------------


class Latency(Strict):
    p50_ms: float | None = Field(default=None, gt=0)
    p95_ms: float | None = Field(default=None, gt=0)
    p99_ms: float | None = Field(default=None, gt=0)


class Resources(Strict):
    cpu_cores: float | None = Field(default=None, gt=0)
    memory_mb: float | None = Field(default=None, gt=0)
    gpu: str = ""


class Target(Strict):
    id: Id
    name: Text
    description: str = ""
    environment: EnvironmentRef | None = None
    artifact: ArtifactRef | None = None
    """The artifact deployed to this target."""
    latency: Latency | None = None
    throughput_rps: float | None = Field(default=None, gt=0)
    resources: Resources | None = None
    tuning: str = ""
    """How to adjust settings for this target."""


class Fallback(Strict):
    id: Id
    trigger: Text
    """What goes wrong (partial failure)."""
    action: Text


class Contingency(Strict):
    id: Id
    scenario: Text
    """E.g. a data outage."""
    plan: Text


class Rollback(Strict):
    procedure: Text
    known_good: ArtifactRef | None = None
    """The artifact to roll back to."""


class Deployment(Strict):
    targets: list[Target] = []
    fallbacks: list[Fallback] = []
    contingencies: list[Contingency] = []
    rollback: Rollback | None = None
    runbook: RelPath | None = None
    """A docs page with the operations runbook, relative to the docs folder."""


class DriftThreshold(Strict):
    id: Id
    metric: Text
    baseline: float
    warn: float = Field(ge=0)
    """Allowed deviation from the baseline before a warning."""
    fail: float = Field(ge=0)
    """Allowed deviation from the baseline before the check fails."""
    relative: bool = False
    """Deviations are fractions of the baseline rather than absolute amounts."""
    direction: Literal["both", "lower-is-worse", "higher-is-worse"] = "both"
    window: str = ""
    """Over what period or sample production computes it."""
    action: str = ""
    """What on-call does when the metric crosses ``warn`` or ``fail`` (on the on-call page)."""


class Monitoring(Strict):
    drift: list[DriftThreshold] = []
    dashboards: list[Uri] = []
    alerts: list[Text] = []


# --- governance ------------------------------------------------------------------------------


class Approval(Strict):
    id: Id
    what: Text
    approver: PersonRef
    status: Literal["pending", "approved", "rejected"] = "pending"
    date: Date | None = None
    note: str = ""


class SignOff(Strict):
    role: Text
    """E.g. 'release', 'risk', 'operations acceptance'."""
    person: PersonRef
    status: Literal["pending", "signed", "declined"] = "pending"
    date: Date | None = None


class Support(Strict):
    person: PersonRef
    role: Text
    hours: str = ""
    escalation: str = ""
    out_of_hours: str = ""
    """Who or what to page outside ``hours``, e.g. 'platform on-call via the pager'."""
    pager: str = ""
    """The pager service or handle that reaches this support line (out of hours too)."""
    phone: str = ""
    """A phone number for this support line."""
    rota: Uri | None = None
    """The on-call rota (schedule) that says who is on call right now."""


class Risk(Strict):
    id: Id
    description: Text
    likelihood: Literal["low", "medium", "high"]
    impact: Literal["low", "medium", "high"]
    mitigation: Text
    owner: PersonRef | None = None


class Governance(Strict):
    approval_workflow: str = ""
    """How a release gets approved, in prose."""
    approvals: list[Approval] = []
    signoffs: list[SignOff] = []
    reviewers: list[PersonRef] = []
    production_support: list[Support] = []
    risks: list[Risk] = []
    impact_assessment: str = ""
    privacy: str = ""
    security: str = ""
    sensitivity_flags: list[Text] = []
    regulatory: list[Text] = []
    """Regulatory constraints that apply."""


# --- milestones and checklist ----------------------------------------------------------------


class Tolerance(Strict):
    value: float
    abs_tol: float = Field(default=0.0, ge=0)
    rel_tol: float = Field(default=0.0, ge=0)


class OutputDigest(Strict):
    path: RelPath
    sha256: Sha256


class ArtifactCheck(Strict):
    """Re-hash an inventory artifact and compare digest and size."""

    kind: Literal["artifact"]
    artifact: ArtifactRef


class EnvironmentCheck(Strict):
    """Compare the running environment with a recorded one."""

    kind: Literal["environment"]
    environment: EnvironmentRef
    packages: list[str] = []
    """Only these packages; empty means all packages the environment lists."""


MAX_TIMEOUT = 7 * 24 * 3600.0
"""The longest a command check may run: a week, in seconds."""


class CommandCheck(Strict):
    """Run a command and compare the metrics it writes (result consistency)."""

    kind: Literal["command"]
    run: Text
    cwd: RelPath = "."
    timeout: float = Field(default=600, gt=0, le=MAX_TIMEOUT)
    """Seconds before the command is stopped and the check fails (at most a week)."""
    env: list[EnvName] = []
    """Names of environment variables the command may see besides the safe defaults (PATH,
    HOME, LANG, TZ...); everything else, above all secrets, is withheld. The signing
    variables (HANDOVER_SIGNING_KEY...) can never be passed."""
    metrics_file: RelPath | None = None
    """JSON file of metric name to number that the command writes."""
    expect: dict[str, Tolerance] = {}
    outputs: list[OutputDigest] = []


class MetricDriftCheck(Strict):
    """Compare current metrics with the monitoring drift thresholds."""

    kind: Literal["metric-drift"]
    metrics_file: RelPath
    thresholds: list[Annotated[str, ref("drift")]] = []
    """Only these drift thresholds; empty means all."""


class RecomputeMetricsCheck(Strict):
    """Recompute the model card's metrics from its prediction files and compare."""

    kind: Literal["recompute-metrics"]
    predictions: list[str] = []
    """Only the quantitative analyses of these prediction sets; empty means all."""


class CustomCheck(Strict):
    """A check from a plugin (entry point or the project's plugins/ folder)."""

    kind: Literal["custom"]
    plugin: Text
    options: dict[str, Any] = {}


CheckSpec = Annotated[
    ArtifactCheck
    | EnvironmentCheck
    | CommandCheck
    | MetricDriftCheck
    | RecomputeMetricsCheck
    | CustomCheck,
    Field(discriminator="kind"),
]


class Milestone(Strict):
    id: Id
    title: Text
    description: str = ""
    due: Date | None = None
    owner: PersonRef | None = None


class ChecklistItem(Reviewed):
    id: Id
    title: Text
    milestone: MilestoneRef | None = None
    owner: PersonRef
    acceptance: Text
    """The observable, testable outcome that counts as done."""
    required: bool = True
    artifacts: list[ArtifactRef] = []
    needs: list[ChecklistRef] = []
    """Checklist items that must pass first."""
    check: CheckSpec | None = None
    """How to verify it automatically; without one it is a manual item."""
    done: bool = False
    """For manual items: ticked by a person."""


# --- knowledge: glossary, FAQ, sessions, narratives ------------------------------------------


class Term(Strict):
    term: Text
    definition: Text
    aliases: list[Text] = []
    """Other spellings and acronyms that link to this entry."""


class Faq(Strict):
    question: Text
    answer: Text


class Session(Strict):
    """A knowledge-transfer session between the outgoing and incoming teams."""

    id: Id
    title: Text
    date: Date
    attendees: list[PersonRef] = []
    recording: Uri | None = None
    notes: str = ""
    topics: list[Text] = []


class Narrative(Reviewed):
    """A hand-written Markdown page that the generated pages link to."""

    id: Id
    role: Literal[
        "summary", "rationale", "edge-cases", "failure-modes", "runbook", "onboarding", "other"
    ]
    page: RelPath
    """Path relative to the docs folder."""
    title: Text
    owner: PersonRef | None = None


# --- architecture ----------------------------------------------------------------------------


class Group(Strict):
    id: Id
    label: Text


class Component(Strict):
    id: Id
    label: Text
    kind: Text
    """Icon kind for the diagram, e.g. 'python', 'storage', 'aws.s3'."""
    group: GroupRef | None = None
    description: str = ""
    link: AnyRef | None = None
    """The entry this component's diagram node links to."""


class Flow(Strict):
    source: ComponentRef = Field(alias="from")
    target: ComponentRef = Field(alias="to")
    label: str = ""

    model_config = ConfigDict(populate_by_name=True)


class Pathway(Strict):
    """A data pathway or decision flow, drawn as a flowchart."""

    id: Id
    title: Text
    steps: list[Text] = Field(min_length=2)


class Architecture(Strict):
    description: str = ""
    groups: list[Group] = []
    components: list[Component] = []
    flows: list[Flow] = []
    pathways: list[Pathway] = []


# --- the whole handover ----------------------------------------------------------------------

LIST_SECTIONS = TOP_LEVEL_LISTS
"""Sections that several manifest files may each contribute entries to (see ``sections``)."""

MAPPING_SECTIONS = _MAPPING_SECTIONS
"""Sections that live whole in one manifest file."""


class Sections(Strict):
    """All sections of a handover; every one optional so a file may hold any subset."""

    model: ModelInfo | None = None
    people: list[Person] = []
    artifacts: list[Artifact] = []
    datasets: list[Dataset] = []
    experiments: list[Experiment] = []
    environments: list[Environment] = []
    decisions: list[Decision] = []
    deviations: list[Deviation] = []
    deployment: Deployment = Deployment()
    monitoring: Monitoring = Monitoring()
    governance: Governance = Governance()
    milestones: list[Milestone] = []
    checklist: list[ChecklistItem] = []
    glossary: list[Term] = []
    faq: list[Faq] = []
    sessions: list[Session] = []
    narratives: list[Narrative] = []
    architecture: Architecture = Architecture()


class ManifestFile(Sections):
    """One YAML file of a handover folder, as editors validate it."""

    handover: Literal[1] = Field(description="Schema version of this manifest file.")


class Handover(Sections):
    """A whole handover: all manifest files merged. The model section is required."""

    model: ModelInfo


def json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one manifest file, for editors and CI."""
    schema = ManifestFile.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://handover-docs.dev/schema/handover-1.json"
    schema["title"] = "handover-docs manifest file (schema version 1)"
    return schema
