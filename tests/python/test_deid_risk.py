"""civitas.deid_risk: transforms, risk measures (checked against independent computations:
ARX's definitions written out here, and Pitman's likelihood maximised by scipy), DataFrame
and Arrow input, the HTML report rendered by headless Chromium."""

import math
import os
import shutil
import subprocess
import sys

import pytest

import civitas
from civitas import deid_risk as dr

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.environ.get("CIVITAS_SOURCE_DIR", os.path.join(HERE, "..", ".."))


def arx_summary(sizes, threshold):
    """ARX RiskModelSampleSummary without a population table, written from its definition."""
    n = sum(sizes)
    return {
        "max": 1 / min(sizes),
        "min": 1 / max(sizes),
        "average": len(sizes) / n,
        "records_at_risk": sum(s for s in sizes if 1 / s > threshold),
    }


def test_risk_matches_arx_definitions_on_random_class_sizes():
    import random
    rnd = random.Random(7)
    for _ in range(20):
        sizes = [rnd.choice([1, 1, 2, 3, 4, 5, 8, 13, 40]) for _ in range(rnd.randint(1, 300))]
        t = rnd.choice([0.05, 0.1, 0.2, 0.34, 0.5])
        r = dr.risk(sizes, threshold=t, model="none")
        want = arx_summary(sizes, t)
        for k in ("max", "min", "average"):
            assert r["prosecutor"][k] == pytest.approx(want[k])
        assert r["prosecutor"]["records_at_risk"] == want["records_at_risk"]
        assert r["journalist"] == r["prosecutor"]
        assert r["marketer"]["average"] == pytest.approx(want["average"])
        assert r["sample_uniques"] == sizes.count(1)
        assert r["records"] == sum(sizes)


def test_population_classes_give_journalist_and_marketer_risk():
    r = dr.risk([1, 2, 2], population_sizes=[4, 10, 5], threshold=0.1, model="none")
    assert r["journalist"]["max"] == pytest.approx(0.25)
    assert r["journalist"]["records_at_risk"] == 3
    assert r["marketer"]["average"] == pytest.approx((1 / 4 + 2 / 10 + 2 / 5) / 5)


def test_pitman_estimate_matches_an_independent_maximum_likelihood_fit():
    scipy = pytest.importorskip("scipy")
    import numpy as np
    from scipy.optimize import minimize
    from scipy.special import gammaln

    hist = [(1, 300), (2, 100), (4, 50), (8, 25)]
    sizes = [s for s, c in hist for _ in range(c)]
    n, u = sum(sizes), len(sizes)

    def neg_loglik(x):
        t, a = x
        if not (0 < a < 1) or t < 0:
            return 1e18
        ll = np.sum(np.log(t + np.arange(1, u) * a)) - np.sum(np.log(t + np.arange(1, n)))
        for s, c in hist:
            ll += c * np.sum(np.log(np.arange(1, s) - a))
        return -ll

    res = minimize(neg_loglik, [1.0, 0.5], method="Nelder-Mead",
                   options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 20000})
    t, a = res.x
    population = n / 0.01
    want = math.exp(gammaln(t + 1) - gammaln(t + a) + a * math.log(population))
    got = dr.risk(sizes)["population_uniques"]
    assert got["model"] == "pitman" and got["converged"]
    assert got["count"] == pytest.approx(want, rel=1e-5)
    assert got["estimate"] == pytest.approx(want / population, rel=1e-5)
    assert got["sampling_fraction"] == pytest.approx(0.01)


def test_bad_risk_arguments_raise_value_errors():
    with pytest.raises(civitas.InvalidArgumentError):
        dr.risk([1, 2], threshold=2)
    with pytest.raises(civitas.InvalidArgumentError):
        dr.risk([1, 2], model="zayatz")
    with pytest.raises(ValueError):
        dr.risk([2], population_sizes=[1])


def test_risk_of_dataframe_arrow_dict_and_csv_agree(tmp_path):
    pd = pytest.importorskip("pandas")
    pa = pytest.importorskip("pyarrow")
    rows = [("30", "100"), ("30", "100"), ("40", "100"), ("40", "200"), ("40", "200"), (None, "200")]
    df = pd.DataFrame(rows, columns=["age", "zip"])
    csv = tmp_path / "p.csv"
    csv.write_text("age,zip\n" + "\n".join(f"{a or ''},{z}" for a, z in rows) + "\n")
    a = dr.risk_of(df, ["age", "zip"], model="none")
    b = dr.risk_of(pa.Table.from_pandas(df), "age,zip", model="none")
    c = dr.risk_of({"age": [r[0] for r in rows], "zip": [r[1] for r in rows]}, ["age", "zip"], model="none")
    d = dr.risk_csv(csv, "age,zip", model="none")
    assert a == b == c == d
    assert a["class_sizes"] == [[1, 2], [2, 2]]
    with pytest.raises(civitas.NotFoundError):
        dr.risk_csv(csv, ["age", "nope"])
    with pytest.raises(KeyError):
        dr.risk_of(df, ["nope"])


def test_transforms_without_keys_and_their_errors():
    assert dr.transform(["13812345678", "", "张三丰李四"], {"action": "mask", "keep_first": 1, "keep_last": 1}) == [
        "1*********8", "", "张***四"]
    assert dr.transform(["1", "2", "3", "10", "11", "12"], {"action": "microaggregate", "k": 3}) == [
        "2", "2", "2", "11", "11", "11"]
    assert dr.transform(["5", "500"], {"action": "top_bottom", "top": 100}) == ["5", "100"]
    assert dr.transform(["a"], "drop") == []
    with pytest.raises(civitas.InvalidDataError, match="row 3"):
        dr.transform(["1", "x"], {"action": "top_bottom", "top": 1}, field="n")
    with pytest.raises(civitas.InvalidArgumentError, match="unknown key"):
        dr.transform(["1"], {"action": "mask", "keep": 1})
    with pytest.raises(civitas.InvalidArgumentError, match="identity key"):
        dr.transform(["1"], "pseudonymize")
    with pytest.raises(TypeError):
        dr.transform("abc", "keep")
    assert dr.describe_action({"action": "mask", "keep_last": 4}) == {
        "action": {"action": "mask", "keep_first": 0, "keep_last": 4, "char": "*"},
        "detail": "mask: keep first 0, last 4, others '*'"}


def test_keyed_transforms_use_the_workspace_keys(tmp_path):
    from civitas import workspace
    with workspace.Workspace.create(str(tmp_path / "w.db"), passphrase="correct horse battery staple") as ws:
        p = dr.transform(["11010519491231002X", ""], {"action": "pseudonymize", "type": "ric", "domain": "health"},
                         workspace=ws)
        assert p[0] == ws.identity_key("ric", "11010519491231002X", domain="health")
        assert p[1] == ""
        t = dr.transform(["x", "x"], "tokenize", field="col", workspace=ws)
        assert t[0] == t[1] and t[0] != "x"
        d = dr.transform(["2024-01-01", "2024-01-01"], {"action": "date_shift", "subject": "id", "max_days": 10},
                         field="admitted", subject=["a", "a"], workspace=ws)
        assert d[0] == d[1] != "2024-01-01"


def test_report_html_escapes_and_renders_in_chromium(tmp_path):
    before = dr.risk([1] * 40 + [2] * 30 + [5] * 10)
    after = dr.risk([5] * 20 + [10] * 8)
    report = {
        "format": "civitas-deid-report/1",
        "fields": [{"name": "<script>alert(1)</script>", "role": "quasi-identifier", "action": "generalize",
                    "detail": "levels 2"}],
        "risk": {"before": before, "after": after},
        "class_sizes": {"before": dr.class_size_histogram([1] * 40 + [2] * 30 + [5] * 10),
                        "after": dr.class_size_histogram([5] * 20 + [10] * 8)},
    }
    html = dr.report_html(report)
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    with pytest.raises(civitas.ParseError):
        dr.report_html("{nope")
    chromium = shutil.which("chromium")
    if not chromium:
        pytest.skip("chromium is not installed (Debian package chromium): the report was not rendered")
    page = tmp_path / "r.html"
    page.write_text(html, encoding="utf-8")
    png = tmp_path / "r.png"
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={tmp_path / 'p'}",
                    f"--screenshot={png}", "--window-size=1200,1600", page.as_uri()],
                   check=True, capture_output=True, timeout=120)
    check = subprocess.run([sys.executable, os.path.join(SOURCE, "tests", "deid", "png_not_blank.py"), str(png)],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


def test_transform_takes_pandas_series_and_arrow_arrays():
    pd = pytest.importorskip("pandas")
    pa = pytest.importorskip("pyarrow")
    s = pd.Series([15, None, 97.5, 42])
    # (None makes the Series float: 42 is 42.0, kept as written since it is in range)
    assert dr.transform(s, {"action": "top_bottom", "bottom": 18, "top": 90}) == ["18", "", "90", "42.0"]
    a = pa.array(["13812345678", None])
    assert dr.transform(a, {"action": "mask", "keep_last": 4}) == ["*******5678", ""]
    with pytest.raises(TypeError):
        dr.transform(b"abc", "keep")
