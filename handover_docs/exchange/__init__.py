"""Exchange formats: the handover as other tools read and write it.

- :mod:`.hf_export` and :mod:`.hf_import`: Hugging Face model cards (YAML metadata +
  Markdown), ``handover export --format hf`` and ``handover import --format hf``;
- :mod:`.cyclonedx`: a CycloneDX 1.6 ML-BOM, ``handover export --format cyclonedx``.

Analysis of a handover (audit, diff, history) stays in :mod:`handover_docs.review`.
"""
