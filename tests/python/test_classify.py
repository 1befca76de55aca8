"""civitas.classify: values, free text (str and bytes, GB18030 offsets), columns from lists,
pandas Series and pyarrow arrays, CSV files with schema annotations, custom detectors."""

import json
import pathlib

import pytest

import civitas
from civitas import classify

DATA = pathlib.Path(__file__).resolve().parents[1] / "data" / "classify"


def test_types_are_the_issue_names():
    assert classify.TYPES[0] == "none"
    assert set(classify.TYPES) >= {"uscc", "orgcode", "ric", "gb2260", "mobile_phone", "phone", "bank_card", "email",
                                   "ip_address", "mac_address", "vehicle_plate", "passport", "hk_macao_permit",
                                   "postal_code", "birth_date", "person_name", "address", "gps_coordinates", "imei",
                                   "vin"}
    assert len(classify.TYPES) == 21


def test_classify_value():
    assert classify.classify_value("11010519491231002X") == "ric"
    assert classify.classify_value(b"13912345678") == "mobile_phone"
    assert classify.classify_value("110105194912310021") == "none"  # check digit wrong
    assert classify.matches("email", "a@example.com")
    with pytest.raises(civitas.InvalidArgumentError):
        classify.matches("nope", "x")
    with pytest.raises(TypeError):
        classify.classify_value(12)


def test_find_in_str_gives_character_offsets():
    text = "联系人张三，电话13912345678"
    f = classify.find(text)
    assert [(x.type, x.offset, x.length) for x in f] == [("person_name", 3, 2), ("mobile_phone", 8, 11)]
    assert text[f[1].offset:f[1].offset + f[1].length] == "13912345678"


def test_find_in_bytes_gives_byte_offsets_of_the_bytes_as_given():
    gb = "电话13912345678".encode("gb18030")
    f = classify.find(gb)
    assert f == [classify.Finding("mobile_phone", 4, 11)]
    with pytest.raises(civitas.ParseError):
        classify.find(b"\x81", encoding="gb18030")


def test_scan_column_takes_lists_pandas_and_pyarrow():
    values = ["13912345678", "13800138000", None, "15069323974"]
    r = classify.scan_column(values, name="phone")
    assert isinstance(r, classify.ColumnResult)
    assert (r.type, r.source, r.blank, r.sampled) == ("mobile_phone", "detected", 1, 3)
    pd = pytest.importorskip("pandas")
    s = pd.Series(values, name="手机")
    assert classify.scan_column(s).name == "手机"
    assert classify.scan_column(s).type == "mobile_phone"
    pa = pytest.importorskip("pyarrow")
    assert classify.scan_column(pa.array(values)).type == "mobile_phone"
    assert classify.scan_column(pa.chunked_array([values[:2], values[2:]])).type == "mobile_phone"


def test_name_is_only_a_hint():
    orders = ["202403150000012345", "202312319999999999"]
    assert classify.scan_column(orders, name="phone").type == "none"
    blanks = classify.scan_column(["", None], name="身份证号")
    assert (blanks.type, blanks.source) == ("ric", "name")


def test_scan_file_with_schema(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text("id,tel\n11010519491231002X,13912345678\n110105491231002,13800138000\n", encoding="utf-8")
    schema = {"fields": [{"name": "id", "civitas:classification": {"category": "identity", "level": "important"}},
                         {"name": "tel"}]}
    r = classify.scan_file(p, schema=schema)
    assert isinstance(r, classify.TableResult)
    assert [c.type for c in r.columns] == ["ric", "mobile_phone"]
    assert r.columns[0].source == "schema" and r.columns[0].level == "important"
    assert r.level == "important"
    assert list(r.to_json()) == ["columns", "level"]
    assert list(r.to_json()["columns"][0]) == ["name", "type", "ratio", "confidence", "category", "level", "source"]
    with pytest.raises(civitas.CivitasIOError):
        classify.scan_file(tmp_path / "missing.csv")


def test_gbk_corpus_table_is_read_as_gb18030():
    r = classify.scan_file(DATA / "tables" / "enterprises_gbk.csv")
    assert r.encoding == "gb18030"
    assert r.columns[0].type == "uscc"


def test_custom_detectors():
    d = [classify.Detector("employee_no", "EMP[0-9]{6}", category="personal", level="general-2")]
    assert classify.classify_value("EMP123456", detectors=d) == "employee_no"
    r = classify.scan_column(["EMP000001", "EMP000002"], detectors=[{"name": "employee_no", "pattern": "EMP[0-9]{6}",
                                                                     "level": "general-2"}])
    assert (r.type, r.level) == ("employee_no", "general-2")
    assert classify.find("工号EMP123456", detectors=d)[0].type == "employee_no"
    with pytest.raises(civitas.InvalidArgumentError):
        classify.classify_value("x", detectors=[classify.Detector("x", "(")])
    with pytest.raises(civitas.InvalidArgumentError):
        classify.classify_value("x", detectors=[classify.Detector("ric", "x")])


def test_find_in_column_of_free_text():
    pd = pytest.importorskip("pandas")
    remarks = pd.Series(["客户要求周末送货", "请联系13912345678", None, "邮箱a@example.com"])
    f = classify.find_in_column(remarks)
    assert f == [(1, classify.Finding("mobile_phone", 3, 11)), (3, classify.Finding("email", 2, 13))]
