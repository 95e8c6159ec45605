"""The model identity and model card section of the manifest schema.

Model Card (Mitchell et al., 2019) fields, with what Hugging Face, Model Card Toolkit
and CycloneDX cards add (evaluation provenance, confidence intervals, fairness,
environmental impact...) and the predictions the numbers are recomputed from.
:mod:`handover_docs.schema` assembles the whole manifest and re-exports these names.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    Discriminator,
    Field,
    JsonValue,
    StringConstraints,
    Tag,
    model_validator,
)

from handover_docs.schema_types import (
    ID_PATTERN,
    ArtifactRef,
    DatasetRef,
    Id,
    LicenseId,
    PersonRef,
    Reviewed,
    Strict,
    Text,
    Uri,
)

# --- model identity and model card (Mitchell et al., 2019) -----------------------------------


class IntendedUse(Strict):
    primary_uses: list[Text] = Field(min_length=1)
    """What the model is for."""
    primary_users: list[Text] = []
    """Who is expected to use it."""
    out_of_scope: list[Text] = []
    """Uses the model must not be put to, and why."""


class ConfidenceInterval(Strict):
    """A metric's confidence interval (CycloneDX ``confidenceInterval``)."""

    lower: float
    upper: float
    level: float = Field(default=0.95, gt=0, lt=1)
    """The confidence level, e.g. 0.95."""

    @model_validator(mode="after")
    def _ordered(self) -> ConfidenceInterval:
        if self.lower > self.upper:
            raise ValueError(f"lower ({self.lower:g}) is above upper ({self.upper:g})")
        return self


class EvalDataset(Strict):
    """The evaluation data as a Hub ``model-index`` result names it (provenance)."""

    type: str = ""
    """Hub dataset id, e.g. ``imdb``."""
    name: str = ""
    config: str = ""
    split: str = ""
    revision: str = ""
    """The dataset's git revision the result was measured on."""
    args: dict[str, JsonValue] = {}


class EvalSource(Strict):
    """Where a reported result comes from (a leaderboard, a paper)."""

    name: str = ""
    url: Uri | None = None


class QuantitativeAnalysis(Strict):
    metric: Text
    value: float
    slice: str = "overall"
    """The subgroup or condition the value was measured on."""
    dataset: DatasetRef | None = None
    note: str = ""
    confidence_interval: ConfidenceInterval | None = None
    task: str = ""
    """The task the result was measured for (Hub ``model-index`` task type)."""
    task_name: str = ""
    metric_name: str = ""
    """A display name for the metric, when ``metric`` is a type such as ``accuracy``."""
    metric_config: str = ""
    metric_args: dict[str, JsonValue] = {}
    eval_dataset: EvalDataset | None = None
    verified: bool | None = None
    """Whether the Hub verified the result."""
    source: EvalSource | None = None
    predictions: str | None = None
    """Name of a ``card.predictions`` set: the value is recomputed from that file (``metric``
    one of roc_auc, pr_auc, precision, recall, specificity, f1, accuracy, brier, or one of
    those with ``_mean``: the mean over the set's slices) and checked by
    ``kind: recompute-metrics``."""
    group: str | None = None
    """Recompute on the rows whose slice column holds this value only."""


class Predictions(Strict):
    """A file of held-out predictions (CSV with a header; Parquet when pyarrow is installed)
    that the model card's metrics, intervals and plots are recomputed from."""

    name: Annotated[str, StringConstraints(pattern=ID_PATTERN)]
    """How quantitative analyses name this set (``predictions: test``)."""
    artifact: ArtifactRef
    """The inventory entry of the file (its path and sha256)."""
    label: Text = "label"
    """Column of the true labels."""
    score: Text = "score"
    """Column of the model's scores (higher means more likely positive)."""
    slice: str | None = None
    """Optional column of slice values (e.g. the seed): metrics are also given per slice."""
    positive: str = "1"
    """The label value of the positive class, as written in the file."""
    threshold: float
    """The deployed decision threshold: positive when score >= threshold."""
    abs_tol: float = Field(default=1e-6, ge=0)
    """Largest |reported - recomputed| the check accepts."""
    resamples: int = Field(default=1000, ge=0, le=100_000)
    """Bootstrap resamples for the confidence intervals (0: none)."""
    seed: int = Field(default=0, ge=0)
    """Seed of the bootstrap, so intervals are the same on every build."""
    level: float = Field(default=0.95, gt=0, lt=1)
    """Confidence level of the intervals."""


Language = Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$")]
"""A natural language as an ISO 639 code with optional subtags (``en``, ``pt-BR``)."""


class IOFormat(Strict):
    """An input or output of the model: its format, e.g. ``tabular (csv)`` or ``image/png``."""

    format: Text
    description: str = ""


class FairnessAssessment(Strict):
    """A group the model may affect, and how (CycloneDX ``fairnessAssessments``)."""

    group_at_risk: Text
    benefits: str = ""
    harms: str = ""
    mitigation: str = ""


class EnvironmentalImpact(Strict):
    """The compute that training took (the Hub card's environmental impact section)."""

    hardware_type: str = ""
    hours_used: float | None = Field(default=None, ge=0)
    cloud_provider: str = ""
    compute_region: str = ""
    energy_kwh: float | None = Field(default=None, ge=0)
    co2_emitted_kg: float | None = Field(default=None, ge=0)
    """Carbon emitted, kg CO2-equivalent."""


ImpactActivity = Literal[
    "design",
    "data-collection",
    "data-preparation",
    "training",
    "fine-tuning",
    "validation",
    "deployment",
    "inference",
    "other",
]
"""What the compute was spent on (CycloneDX ``energyConsumptions[].activity``)."""


class EnvironmentImpact(EnvironmentalImpact):
    """The compute one environment took, for one activity (``environments[].impact``).

    The model card's ``environmental_impact`` is the headline the card states; these are
    the figures per environment. Exports use the card's statement for training when it is
    given and add the environments' figures for the other activities (see
    docs/reference/exports.md)."""

    activity: ImpactActivity = "training"


class EthicalConsideration(Strict):
    """One ethical risk and how it is mitigated (CycloneDX ``ethicalConsiderations``)."""

    name: Text
    """The risk, e.g. ``postcode can act as a proxy for ethnicity``."""
    mitigation: str = ""
    """What is done about it (CycloneDX ``mitigationStrategy``)."""


def _text_or_list(value: object) -> str:
    """Which form of a text-or-list field VALUE is (so an error speaks of that form only)."""
    return "list" if isinstance(value, list) else "text"


EthicalConsiderations = Annotated[
    Annotated[Text, Tag("text")]
    | Annotated[list[EthicalConsideration], Tag("list"), Field(min_length=1)],
    Discriminator(_text_or_list),
]


class ModelCard(Strict):
    """The sections of a model card (Mitchell et al., 'Model Cards for Model Reporting')."""

    details: Text
    """Developers, date, type, architecture, training algorithm."""
    intended_use: IntendedUse
    factors: list[Text] = []
    """Groups, instrumentation and environments that affect performance."""
    metrics: list[Text] = Field(min_length=1)
    """Which measures are reported and why they were chosen."""
    evaluation_data: Text
    training_data: Text
    quantitative_analyses: list[QuantitativeAnalysis] = []
    predictions: list[Predictions] = []
    """Prediction files the quantitative analyses are recomputed from."""
    ethical_considerations: EthicalConsiderations
    """Free text, or a list of ``{name, mitigation}`` (CycloneDX ethicalConsiderations)."""
    caveats_and_recommendations: Text
    approach: (
        Literal[
            "supervised",
            "unsupervised",
            "reinforcement-learning",
            "semi-supervised",
            "self-supervised",
        ]
        | None
    ) = None
    """The learning approach (CycloneDX ``modelParameters.approach``)."""
    architecture_family: str = ""
    """e.g. ``gradient-boosted trees``, ``transformer``."""
    model_architecture: str = ""
    """e.g. ``XGBoost 400 trees depth 6``, ``BertForSequenceClassification``."""
    inputs: list[IOFormat] = []
    outputs: list[IOFormat] = []
    downstream_use: str = ""
    """Uses after fine-tuning or inside a larger system."""
    get_started: str = ""
    """How to get started with the model: a short code sample or steps."""
    training_procedure: str = ""
    """Training hyperparameters and regime (e.g. fp16 mixed precision)."""
    fairness_assessments: list[FairnessAssessment] = []
    environmental_impact: EnvironmentalImpact | None = None
    performance_tradeoffs: list[Text] = []
    """Trade-offs made, e.g. ``recall over precision at the deployed threshold``."""


class Citation(Strict):
    title: Text
    authors: list[str] = []
    year: int | None = None
    uri: Uri | None = None
    bibtex: str = ""
    """The citation as BibTeX, kept verbatim."""
    apa: str = ""
    """The citation in APA style."""


class ModelInfo(Reviewed):
    id: Id
    name: Text
    version: Text
    summary: Text
    """Executive summary: purpose, problem framing, key choices, in a few sentences."""
    task: str = ""
    """The ML task, e.g. 'binary classification'."""
    status: Literal["draft", "in-review", "handed-over", "retired"] = "draft"
    owners: list[PersonRef] = Field(default=[], min_length=0)
    repository: Uri | None = None
    paper: Uri | None = None
    """The paper that describes the model (the Hub template's Model Sources: Paper)."""
    demo: Uri | None = None
    """Where to try the model (the Hub template's Model Sources: Demo)."""
    license: str = ""
    """The license as a sentence, e.g. ``Apache-2.0 (code); data CC BY 4.0``."""
    licenses: list[LicenseId] = []
    """Several licenses as SPDX ids or expressions (a Hub card's ``license`` list,
    CycloneDX ``licenses``); exports use them over ``license`` when both are given."""
    card: ModelCard
    citations: list[Citation] = []
    base_model: list[Text] = []
    """Models this one was fine-tuned or derived from (Hub ids or names)."""
    languages: list[Language] = []
    """Natural languages the model handles (ISO 639 codes, e.g. ``en``, ``pt-BR``)."""
    library_name: str = ""
    """The library or framework that loads it (``transformers``, ``sklearn``, ...)."""
    pipeline_tag: str = ""
    """The Hugging Face Hub task tag, e.g. ``text-classification``."""
    tags: list[Text] = []
    extensions: dict[Annotated[str, StringConstraints(min_length=1)], JsonValue] = {}
    """Metadata no field here covers (a Hub card's other keys, CycloneDX properties), kept
    as is and written back on export."""
