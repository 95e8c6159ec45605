"""Component kinds: the documented table from a manifest ``kind`` to a ``diagrams`` node class.

The kinds are part of the manifest language (an unknown kind is a validation error), so
the table lives in the core beside the schema and validation never loads the diagram
package (``manifest.SEMANTIC_RULES`` holds its rule). It names node classes by dotted
path; ``diagrams/render.py`` imports a class only when it draws a node of that kind.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from dataclasses import dataclass

from handover_docs import schema
from handover_docs.errors import Finding
from handover_docs.yamlsource import SourceMap


@dataclass(frozen=True)
class Kind:
    """One row of the kind table."""

    name: str
    node_class: str
    """Dotted path of the ``diagrams`` node class drawn for this kind."""
    family: str
    """Section of the table: generic, on-prem, programming, aws, gcp, azure, kubernetes."""
    meaning: str


def _rows(family: str, rows: list[tuple[str, str, str]]) -> list[Kind]:
    return [Kind(name, path, family, meaning) for name, path, meaning in rows]


_TABLE: list[Kind] = [
    *_rows(
        "generic",
        [
            ("generic", "diagrams.generic.blank.Blank", "anything without a better icon"),
            ("storage", "diagrams.generic.storage.Storage", "file or object storage"),
            ("database", "diagrams.generic.database.SQL", "a database"),
            ("server", "diagrams.onprem.compute.Server", "a server or service process"),
            ("client", "diagrams.onprem.client.Client", "a calling system or application"),
            ("user", "diagrams.onprem.client.User", "a person"),
            ("users", "diagrams.onprem.client.Users", "a group of people"),
            ("queue", "diagrams.onprem.queue.Kafka", "a message queue or stream"),
            ("monitoring", "diagrams.onprem.monitoring.Prometheus", "metrics and alerting"),
            ("dashboard", "diagrams.onprem.monitoring.Grafana", "dashboards"),
            ("docker", "diagrams.onprem.container.Docker", "a container"),
            ("rack", "diagrams.generic.compute.Rack", "hardware"),
            ("datacenter", "diagrams.generic.place.Datacenter", "a site or data centre"),
            ("mobile", "diagrams.generic.device.Mobile", "a mobile device"),
            ("firewall", "diagrams.generic.network.Firewall", "a firewall"),
            ("router", "diagrams.generic.network.Router", "a router or gateway"),
            ("document", "diagrams.programming.flowchart.Document", "a document or report"),
            ("decision", "diagrams.programming.flowchart.Decision", "a decision point"),
        ],
    ),
    *_rows(
        "on-prem",
        [
            ("onprem.postgresql", "diagrams.onprem.database.Postgresql", "PostgreSQL"),
            ("onprem.mysql", "diagrams.onprem.database.MySQL", "MySQL"),
            ("onprem.mongodb", "diagrams.onprem.database.Mongodb", "MongoDB"),
            ("onprem.redis", "diagrams.onprem.inmemory.Redis", "Redis"),
            ("onprem.kafka", "diagrams.onprem.queue.Kafka", "Apache Kafka"),
            ("onprem.rabbitmq", "diagrams.onprem.queue.Rabbitmq", "RabbitMQ"),
            ("onprem.celery", "diagrams.onprem.queue.Celery", "Celery workers"),
            ("onprem.nginx", "diagrams.onprem.network.Nginx", "nginx"),
            ("onprem.prometheus", "diagrams.onprem.monitoring.Prometheus", "Prometheus"),
            ("onprem.grafana", "diagrams.onprem.monitoring.Grafana", "Grafana"),
            ("onprem.airflow", "diagrams.onprem.workflow.Airflow", "Apache Airflow"),
            ("onprem.kubeflow", "diagrams.onprem.workflow.Kubeflow", "Kubeflow"),
            ("onprem.mlflow", "diagrams.onprem.mlops.Mlflow", "MLflow"),
            ("onprem.spark", "diagrams.onprem.analytics.Spark", "Apache Spark"),
            ("onprem.ceph", "diagrams.onprem.storage.Ceph", "Ceph storage"),
            ("onprem.git", "diagrams.onprem.vcs.Git", "a Git repository"),
            ("onprem.github", "diagrams.onprem.vcs.Github", "GitHub"),
            ("onprem.gitlab", "diagrams.onprem.vcs.Gitlab", "GitLab"),
            ("onprem.github-actions", "diagrams.onprem.ci.GithubActions", "GitHub Actions"),
            ("onprem.jenkins", "diagrams.onprem.ci.Jenkins", "Jenkins"),
        ],
    ),
    *_rows(
        "programming",
        [
            ("python", "diagrams.programming.language.Python", "Python code"),
            ("r", "diagrams.programming.language.R", "R code"),
            ("java", "diagrams.programming.language.Java", "Java code"),
            ("go", "diagrams.programming.language.Go", "Go code"),
            ("rust", "diagrams.programming.language.Rust", "Rust code"),
            ("javascript", "diagrams.programming.language.Javascript", "JavaScript code"),
            ("typescript", "diagrams.programming.language.Typescript", "TypeScript code"),
            ("fastapi", "diagrams.programming.framework.Fastapi", "a FastAPI service"),
            ("flask", "diagrams.programming.framework.Flask", "a Flask service"),
            ("django", "diagrams.programming.framework.Django", "a Django service"),
        ],
    ),
    *_rows(
        "aws",
        [
            ("aws.s3", "diagrams.aws.storage.S3", "Amazon S3"),
            ("aws.lambda", "diagrams.aws.compute.Lambda", "AWS Lambda"),
            ("aws.sagemaker", "diagrams.aws.ml.Sagemaker", "Amazon SageMaker"),
            ("aws.ec2", "diagrams.aws.compute.EC2", "Amazon EC2"),
            ("aws.ecs", "diagrams.aws.compute.ECS", "Amazon ECS"),
            ("aws.eks", "diagrams.aws.compute.EKS", "Amazon EKS"),
            ("aws.rds", "diagrams.aws.database.RDS", "Amazon RDS"),
            ("aws.dynamodb", "diagrams.aws.database.Dynamodb", "Amazon DynamoDB"),
            ("aws.sqs", "diagrams.aws.integration.SQS", "Amazon SQS"),
            ("aws.sns", "diagrams.aws.integration.SNS", "Amazon SNS"),
            ("aws.kinesis", "diagrams.aws.analytics.KinesisDataStreams", "Kinesis Data Streams"),
            ("aws.glue", "diagrams.aws.analytics.Glue", "AWS Glue"),
            ("aws.cloudwatch", "diagrams.aws.management.Cloudwatch", "Amazon CloudWatch"),
            ("aws.api-gateway", "diagrams.aws.network.APIGateway", "Amazon API Gateway"),
        ],
    ),
    *_rows(
        "gcp",
        [
            ("gcp.gcs", "diagrams.gcp.storage.GCS", "Cloud Storage"),
            ("gcp.vertex-ai", "diagrams.gcp.ml.VertexAI", "Vertex AI"),
            ("gcp.ai-platform", "diagrams.gcp.ml.AIPlatform", "AI Platform"),
            ("gcp.bigquery", "diagrams.gcp.analytics.Bigquery", "BigQuery"),
            ("gcp.pubsub", "diagrams.gcp.analytics.Pubsub", "Pub/Sub"),
            ("gcp.dataflow", "diagrams.gcp.analytics.Dataflow", "Dataflow"),
            ("gcp.run", "diagrams.gcp.compute.Run", "Cloud Run"),
            ("gcp.gke", "diagrams.gcp.compute.GKE", "Google Kubernetes Engine"),
            ("gcp.functions", "diagrams.gcp.compute.Functions", "Cloud Functions"),
            ("gcp.sql", "diagrams.gcp.database.SQL", "Cloud SQL"),
        ],
    ),
    *_rows(
        "azure",
        [
            ("azure.blob", "diagrams.azure.storage.BlobStorage", "Blob Storage"),
            ("azure.ml", "diagrams.azure.ml.MachineLearningServiceWorkspaces", "Azure ML"),
            ("azure.functions", "diagrams.azure.compute.FunctionApps", "Azure Functions"),
            ("azure.aks", "diagrams.azure.compute.KubernetesServices", "AKS"),
            ("azure.vm", "diagrams.azure.compute.VM", "a virtual machine"),
            ("azure.sql", "diagrams.azure.database.SQLDatabases", "Azure SQL"),
            ("azure.cosmos", "diagrams.azure.database.CosmosDb", "Cosmos DB"),
            ("azure.event-hubs", "diagrams.azure.analytics.EventHubs", "Event Hubs"),
        ],
    ),
    *_rows(
        "kubernetes",
        [
            ("k8s.pod", "diagrams.k8s.compute.Pod", "a pod"),
            ("k8s.deployment", "diagrams.k8s.compute.Deployment", "a deployment"),
            ("k8s.job", "diagrams.k8s.compute.Job", "a job"),
            ("k8s.cronjob", "diagrams.k8s.compute.Cronjob", "a cron job"),
            ("k8s.service", "diagrams.k8s.network.Service", "a service"),
            ("k8s.ingress", "diagrams.k8s.network.Ingress", "an ingress"),
            ("k8s.pvc", "diagrams.k8s.storage.PVC", "a persistent volume claim"),
        ],
    ),
]

KINDS: dict[str, Kind] = {kind.name: kind for kind in _TABLE}
"""Every valid component kind, in table order."""

FAMILIES: tuple[str, ...] = tuple(dict.fromkeys(kind.family for kind in _TABLE))


def kind_table_markdown() -> str:
    """The kind table as Markdown, one section per family (the reference page holds it)."""
    lines: list[str] = []
    for family in FAMILIES:
        lines += [f"### {family}", "", "| kind | drawn as | meaning |", "|---|---|---|"]
        for kind in _TABLE:
            if kind.family == family:
                lines.append(f"| `{kind.name}` | `{kind.node_class}` | {kind.meaning} |")
        lines.append("")
    return "\n".join(lines)


def component_kind_findings(handover: schema.Handover, where: SourceMap) -> Iterator[Finding]:
    """A validation rule: every architecture component names a kind from the table."""
    valid = ", ".join(KINDS)
    for index, component in enumerate(handover.architecture.components):
        if component.kind in KINDS:
            continue
        close = difflib.get_close_matches(component.kind, list(KINDS), n=1, cutoff=0.6)
        hint = f"did you mean '{close[0]}'? " if close else ""
        yield Finding(
            where.locate(("architecture", "components", index, "kind")),
            f"architecture.components[{index}].kind: unknown component kind "
            f"'{component.kind}'; valid kinds: {valid}",
            hint=hint + "the table is in docs/reference/diagrams.md",
            code="unknown-kind",
        )
