"""The data set: export it to CSV, load it back, split it by seed.

The Wisconsin Diagnostic Breast Cancer (WDBC) data set ships with scikit-learn
(`sklearn.datasets.load_breast_cancer`), so no download is needed. It has 569
samples, each with 30 numeric features computed from a digitised image of a fine
needle aspirate (FNA) of a breast mass.

One deliberate change from the packaged data: scikit-learn encodes the target as
0 = malignant, 1 = benign. The exported CSV uses **1 = malignant, 0 = benign**, so
the positive class is the one screening must not miss, and "recall" means
"share of malignant cases flagged".

Example:
    ```sh
    python -m model.data --out model/data/breast_cancer.csv
    ```
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split

TARGET = "target"
"""Name of the label column: 1 = malignant, 0 = benign."""

DEFAULT_CSV = Path("model/data/breast_cancer.csv")
"""Where the exported data set lives, relative to the project root."""

N_ROWS = 569
N_FEATURES = 30


@dataclass(frozen=True)
class Dataset:
    """Features, labels and feature names of the data set."""

    X: np.ndarray
    """Feature matrix, shape (n_samples, 30), float64."""
    y: np.ndarray
    """Labels, shape (n_samples,), int64: 1 = malignant, 0 = benign."""
    feature_names: tuple[str, ...]
    """The 30 feature names, in column order (as scikit-learn names them)."""


@dataclass(frozen=True)
class Split:
    """A stratified train/test split."""

    X_train: np.ndarray
    X_test: np.ndarray
    y_train: np.ndarray
    y_test: np.ndarray


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` atomically (temp file in the same folder, then rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def packaged() -> Dataset:
    """The data set as packaged in scikit-learn, with the target re-encoded (1 = malignant)."""
    bunch = load_breast_cancer()
    y = (bunch.target == 0).astype(np.int64)  # sklearn: 0 = malignant; here: 1 = malignant
    return Dataset(np.asarray(bunch.data, dtype=np.float64), y, tuple(bunch.feature_names))


def to_csv_bytes(dataset: Dataset) -> bytes:
    """The CSV text of a data set: a header, then one row per sample; LF line ends.

    Floats are written with Python's shortest round-trip `repr`, so the file is the
    same on every machine and reading it back gives exactly the original values.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*dataset.feature_names, TARGET])
    for row, label in zip(dataset.X, dataset.y, strict=True):
        writer.writerow([*(repr(float(v)) for v in row), int(label)])
    return buffer.getvalue().encode("utf-8")


def export_csv(path: Path = DEFAULT_CSV) -> Path:
    """Export the packaged data set to `path` (byte-identical on every run)."""
    write_atomic(path, to_csv_bytes(packaged()))
    return path


def load_csv(path: Path = DEFAULT_CSV) -> Dataset:
    """Load a CSV written by `export_csv`; the last column must be `target`.

    Raises:
        ValueError: if the header does not end with the target column or a value
            is not a number.
    """
    with Path(path).open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    header, body = rows[0], rows[1:]
    if not header or header[-1] != TARGET:
        raise ValueError(f"{path}: the last column must be '{TARGET}', got {header[-1:]!r}")
    table = np.array([[float(v) for v in row] for row in body], dtype=np.float64)
    return Dataset(table[:, :-1], table[:, -1].astype(np.int64), tuple(header[:-1]))


def split(dataset: Dataset, seed: int, test_size: float) -> Split:
    """Stratified train/test split; the same `seed` gives the same split."""
    X_train, X_test, y_train, y_test = train_test_split(
        dataset.X, dataset.y, test_size=test_size, random_state=seed, stratify=dataset.y
    )
    return Split(X_train, X_test, y_train, y_test)


def main(argv: list[str] | None = None) -> int:
    """Command line: export the data set to CSV and print its shape."""
    parser = argparse.ArgumentParser(
        prog="python -m model.data", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_CSV, help="CSV file to write")
    args = parser.parse_args(argv)
    path = export_csv(args.out)
    data = load_csv(path)
    print(f"wrote {path}: {data.X.shape[0]} rows, {data.X.shape[1]} features + '{TARGET}'")
    print(f"malignant (1): {int(data.y.sum())}, benign (0): {int((data.y == 0).sum())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
