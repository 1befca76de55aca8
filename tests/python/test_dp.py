"""civitas.dp: differentially private aggregates paid from a dataset's privacy budget, over
CSV files, column mappings, pandas DataFrames and pyarrow tables; the samplers; refusals."""

import json
import os
import statistics

import pytest

import civitas
from civitas import dp
from civitas.audit import AuditLog
from civitas.catalog import Catalog
from civitas.workspace import Workspace

DATA = os.path.join(os.path.dirname(__file__), "..", "data", "schema")
CODE = "102003004/000017"


@pytest.fixture
def ws(tmp_path):
    w = Workspace.create(str(tmp_path / "w.db"), key=os.urandom(32), department="91350100M000100Y43")
    with open(os.path.join(DATA, "entry.json"), encoding="utf-8") as f:
        Catalog(w).add(json.load(f))
    yield w
    w.close()


def people(n=300):
    return {"id": [f"p{i}" for i in range(n)], "age": [20 + i % 50 for i in range(n)],
            "district": ["a" if i % 2 else "b" for i in range(n)]}


def test_budget_is_set_shown_and_required(ws):
    with pytest.raises(civitas.NotFoundError):
        dp.budget(ws, CODE)
    with pytest.raises(civitas.DeniedError):
        dp.count(ws, people(), column="age", dataset=CODE, epsilon=0.1, max_contributions=1)
    with pytest.raises(civitas.NotFoundError):
        dp.set_budget(ws, "000000000/000000", 1)
    b = dp.set_budget(ws, CODE, epsilon=1.5, delta="1e-6")
    assert (b.epsilon_total, b.delta_total, b.releases) == ("1.5", "0.000001", 0)
    assert [x.dataset for x in dp.budgets(ws)] == [CODE]


def test_release_spends_and_overspending_is_refused_and_audited(ws):
    dp.set_budget(ws, CODE, 1)
    r = dp.mean(ws, people(), column="age", bounds=(0, 100), epsilon=0.6, max_contributions=1,
                person="id", dataset=CODE)
    assert 30 < r["value"] < 60
    assert r["budget"]["epsilon"] == {"total": "1", "spent": "0.6", "remaining": "0.4"}
    with pytest.raises(civitas.DeniedError, match="exceeded"):
        dp.mean(ws, people(), column="age", bounds=(0, 100), epsilon=0.6, max_contributions=1, dataset=CODE)
    b = dp.budget(ws, CODE)
    assert (b.epsilon_spent, b.releases) == ("0.6", 1)
    with AuditLog(ws) as log:
        outcomes = [e.outcome for e in log.query(action="dp.release")]
    assert outcomes == ["ok", "denied"]


def test_csv_pandas_and_arrow_give_the_same_kind_of_release(ws, tmp_path):
    dp.set_budget(ws, CODE, 100)
    d = people()
    csv = tmp_path / "p.csv"
    csv.write_text("id,age,district\n" + "".join(f"{i},{a},{g}\n" for i, a, g in zip(d["id"], d["age"], d["district"])))
    kw = dict(column="age", bounds=("0", "100"), epsilon=10, max_contributions=1, dataset=CODE, by="district",
              groups=["a", "b"])
    outs = [dp.sum(ws, csv, **kw), dp.sum(ws, d, **kw)]
    pd = pytest.importorskip("pandas")
    outs.append(dp.sum(ws, pd.DataFrame(d), **kw))
    pa = pytest.importorskip("pyarrow")
    outs.append(dp.sum(ws, pa.table(d), **kw))
    true = {"a": sum(a for a, g in zip(d["age"], d["district"]) if g == "a"),
            "b": sum(a for a, g in zip(d["age"], d["district"]) if g == "b")}
    for r in outs:
        assert [g["key"] for g in r["groups"]] == ["a", "b"]
        for g in r["groups"]:
            assert abs(g["value"] - true[g["key"]]) < 100  # scale 100/10 = 10


def test_histogram_and_quantiles(ws):
    dp.set_budget(ws, CODE, 100)
    d = {"x": [i % 100 for i in range(2000)]}
    h = dp.histogram(ws, d, column="x", bounds=(0, 100), bins=5, epsilon=20, max_contributions=1, dataset=CODE)
    assert [round(b["lower"]) for b in h["bins"]] == [0, 20, 40, 60, 80]
    assert all(abs(b["count"] - 400) < 10 for b in h["bins"])
    q = dp.quantiles(ws, d, column="x", bounds=(0, 100), quantiles=[0.5], epsilon=20, max_contributions=1,
                     dataset=CODE)
    assert abs(q["quantiles"][0]["value"] - 50) < 5


def test_bad_parameters_are_named(ws):
    dp.set_budget(ws, CODE, 1)
    with pytest.raises(civitas.InvalidArgumentError, match="bounds"):
        dp.sum(ws, people(), column="age", bounds=(10, 0), epsilon=0.1, max_contributions=1, dataset=CODE)
    with pytest.raises(civitas.InvalidArgumentError, match="epsilon"):
        dp.count(ws, people(), column="age", epsilon=0, max_contributions=1, dataset=CODE)
    with pytest.raises(civitas.NotFoundError):
        dp.count(ws, people(), column="weight", epsilon=0.1, max_contributions=1, dataset=CODE)
    with pytest.raises(civitas.InvalidDataError):
        dp.sum(ws, {"x": ["1", "two"]}, column="x", bounds=(0, 5), epsilon=0.1, max_contributions=1, dataset=CODE)
    with pytest.raises(TypeError):
        dp.count(ws, 42, column="x", epsilon=0.1, max_contributions=1, dataset=CODE)
    with pytest.raises(TypeError):
        dp.count(ws, people(), column="age", epsilon=True, max_contributions=1, dataset=CODE)
    assert dp.budget(ws, CODE).epsilon_spent == "0"


def test_samplers_have_their_variance():
    v = dp.sample_laplace(3, 100000)
    q = 2.718281828459045 ** (-1 / 3)
    assert abs(statistics.pvariance(v) / (2 * q / (1 - q) ** 2) - 1) < 0.05
    g = dp.sample_gaussian("2.25", 100000)
    assert abs(statistics.pvariance(g) / 2.25 - 1) < 0.05
    assert all(isinstance(x, int) for x in g[:10])
    with pytest.raises(TypeError):
        dp.sample_laplace(0.5, 10)  # floats are refused: exact parameters only
    with pytest.raises(ValueError):
        dp.sample_gaussian(0, 10)
