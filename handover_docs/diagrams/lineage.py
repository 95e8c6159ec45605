"""The lineage graph, derived from provenance fields already in the manifest.

No extra authoring: the edges come from ``Dataset.derived_from``, ``Dataset.artifact``,
``Artifact.derived_from``, ``Artifact.produced_by``, ``Experiment.datasets``,
``Experiment.produces`` and ``Target.artifact``. Nodes are grouped by stage, left to
right: data sources, preprocessing and features, derived data, code and configuration,
experiments, model artifacts, deployment. Entries without any provenance link are left
out of the drawing.
"""

from __future__ import annotations

from handover_docs import schema
from handover_docs.diagrams.graph import Graph, GraphCluster, GraphEdge, GraphNode

STAGES: tuple[GraphCluster, ...] = (
    GraphCluster("sources", "Data sources"),
    GraphCluster("preprocessing", "Preprocessing and features"),
    GraphCluster("derived", "Derived data"),
    GraphCluster("code", "Code and configuration"),
    GraphCluster("experiments", "Experiments"),
    GraphCluster("artifacts", "Model artifacts"),
    GraphCluster("deployment", "Deployment"),
)
"""Columns of the lineage graph, left to right."""

DATASET_CLASS = "diagrams.generic.database.SQL"
EXPERIMENT_CLASS = "diagrams.programming.flowchart.Action"
TARGET_CLASS = "diagrams.onprem.compute.Server"
ARTIFACT_CLASSES: dict[str, str] = {
    "code": "diagrams.programming.flowchart.Document",
    "weights": "diagrams.generic.storage.Storage",
    "preprocessing": "diagrams.programming.flowchart.PredefinedProcess",
    "feature-pipeline": "diagrams.programming.flowchart.PredefinedProcess",
    "evaluation-suite": "diagrams.programming.flowchart.Inspection",
    "dataset": "diagrams.generic.database.SQL",
    "config": "diagrams.programming.flowchart.Document",
    "logs": "diagrams.programming.flowchart.MultipleDocuments",
    "run-metadata": "diagrams.programming.flowchart.Document",
    "environment-spec": "diagrams.programming.flowchart.Document",
    "container": "diagrams.onprem.container.Docker",
    "report": "diagrams.programming.flowchart.MultipleDocuments",
    "other": "diagrams.generic.blank.Blank",
}
"""Icon per artifact kind (every ``schema.ArtifactKind``)."""


EDGE_COLORS: dict[str, str] = {
    "produces": "#1F78B4",
    "uses": "#33A02C",
    "deployed to": "#E66101",
}
"""Edge colours by relation (the drawing has no edge labels; the alt text names them):
grey = derived from / input, blue = produces, green = uses, orange = deployed to,
dashed = stored as."""


def _artifact_stage(artifact: schema.Artifact) -> str:
    if artifact.kind in ("preprocessing", "feature-pipeline"):
        return "preprocessing"
    if artifact.kind == "dataset":
        return "derived" if artifact.derived_from or artifact.produced_by else "sources"
    if artifact.kind == "container":
        return "deployment"
    if artifact.kind in ("code", "config", "environment-spec", "evaluation-suite"):
        return "artifacts" if artifact.produced_by else "code"
    return "artifacts"


def _lineage_edges(handover: schema.Handover) -> dict[tuple[str, str], GraphEdge]:
    """Every recorded provenance link, the first label kept when two records name one pair."""
    edges: dict[tuple[str, str], GraphEdge] = {}

    def link(source: str, target: str, label: str, *, dashed: bool = False) -> None:
        color = EDGE_COLORS.get(label, "")
        edges.setdefault((source, target), GraphEdge(source, target, label, dashed, color))

    for dataset in handover.datasets:
        for parent in dataset.derived_from:
            link(parent, dataset.id, "derived")
        if dataset.artifact:
            link(dataset.id, dataset.artifact, "stored as", dashed=True)
    for artifact in handover.artifacts:
        for parent in artifact.derived_from:
            link(parent, artifact.id, "input")
        if artifact.produced_by:
            link(artifact.produced_by, artifact.id, "produces")
    for experiment in handover.experiments:
        for dataset_id in experiment.datasets:
            link(dataset_id, experiment.id, "uses")
        for artifact_id in experiment.produces:
            link(experiment.id, artifact_id, "produces")
    for target in handover.deployment.targets:
        if target.artifact:
            link(target.artifact, target.id, "deployed to")
    return edges


def _lineage_nodes(handover: schema.Handover, linked: set[str]) -> list[GraphNode]:
    """A node for each dataset, artifact, experiment and target that some link names."""
    nodes: list[GraphNode] = []
    for dataset in handover.datasets:
        if dataset.id in linked:
            stage = "derived" if dataset.derived_from else "sources"
            label = f"{dataset.name} {dataset.version}".strip()
            nodes.append(
                GraphNode(
                    dataset.id,
                    label,
                    DATASET_CLASS,
                    "dataset",
                    link=dataset.id,
                    cluster=stage,
                    tooltip=dataset.description or dataset.name,
                )
            )
    for artifact in handover.artifacts:
        if artifact.id in linked:
            nodes.append(
                GraphNode(
                    artifact.id,
                    artifact.name,
                    ARTIFACT_CLASSES[artifact.kind],
                    f"{artifact.kind} artifact",
                    link=artifact.id,
                    cluster=_artifact_stage(artifact),
                    tooltip=artifact.description or artifact.name,
                )
            )
    for experiment in handover.experiments:
        if experiment.id in linked:
            nodes.append(
                GraphNode(
                    experiment.id,
                    experiment.name,
                    EXPERIMENT_CLASS,
                    "experiment",
                    link=experiment.id,
                    cluster="experiments",
                    tooltip=experiment.description or experiment.name,
                )
            )
    for target in handover.deployment.targets:
        if target.id in linked:
            nodes.append(
                GraphNode(
                    target.id,
                    target.name,
                    TARGET_CLASS,
                    "deployment target",
                    link=target.id,
                    cluster="deployment",
                    tooltip=target.description or target.name,
                )
            )
    return nodes


def lineage_graph(handover: schema.Handover) -> Graph | None:
    """The lineage graph, or None when the manifest records no provenance at all."""
    edges = _lineage_edges(handover)
    if not edges:
        return None
    nodes = _lineage_nodes(handover, {end for edge in edges for end in edge})
    used = {node.cluster for node in nodes}
    order = {stage.id: i for i, stage in enumerate(STAGES)}
    nodes.sort(key=lambda node: order[node.cluster or ""])
    return Graph(
        "lineage",
        "Lineage",
        "LR",
        tuple(nodes),
        tuple(edges.values()),
        tuple(stage for stage in STAGES if stage.id in used),
        noun="lineage graph",
        columns=True,
        compact=True,
        edge_labels=False,
    )
