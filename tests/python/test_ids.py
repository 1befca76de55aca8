"""Tests of civitas.ids and of the error mapping, against the build tree (PYTHONPATH)."""

import pickle
import random
import threading

import pytest

import civitas
import civitas.ids as ids
from civitas import _native

USCC_OK = "91350100M000100Y43"  # 工商 / 企业, 福州市
RIC_OK = "11010519491231002X"  # 北京市朝阳区, 1949-12-31, F
RIC_LEGACY = "110105491231002"  # the same person's 15-digit number
ORG_OK = "M000100Y4"  # the organisation code inside USCC_OK
COUNTY = "110105"


def make_uscc(authority="9", category="1", region="350100", org8="M000100Y", org_check=None):
    org = org8 + (org_check if org_check is not None else ids.check_char("orgcode", org8))
    body = authority + category + region + org
    return body + ids.check_char("uscc", body)


def make_ric(region=COUNTY, date="19800229", seq="123"):
    body = region + date + seq
    return body + ids.check_char("ric", body)


# ---- version and package --------------------------------------------------------------


def test_version_is_the_cmake_project_version():
    assert civitas.__version__ == "0.1.0"
    assert civitas.__version__ == _native.__version__


def test_kinds_and_reasons_are_the_stable_names():
    assert ids.KINDS == ("uscc", "orgcode", "ric", "gb2260")
    assert ids.REASONS[:9] == ("ok", "length", "charset", "checksum", "authority", "category",
                               "region", "date", "orgcode-checksum")


# ---- validate ---------------------------------------------------------------------------


def test_validate_valid_uscc_has_parts():
    r = ids.validate("uscc", USCC_OK)
    assert r.valid and r.reason is None and r.warnings == []
    assert r.canonical == USCC_OK
    assert r.message == "valid"
    p = r.parts
    assert p["authority"] == {"code": "9", "name": "工商"}
    assert p["category"] == {"code": "1", "name": "企业"}
    assert p["region"] == {"code": "350100", "known": True, "province": "福建省",
                           "prefecture": "福州市", "county": None}
    assert p["orgcode"] == ORG_OK
    assert p["check"] == "3"


def test_validate_bad_uscc_checksum_reason():
    r = ids.validate("uscc", USCC_OK[:-1] + "4")
    assert not r.valid
    assert r.reason == "checksum"
    assert "check character" in r.message
    assert r.parts["authority"]["code"] == "9"  # parts still filled as far as possible


@pytest.mark.parametrize("code,reason", [
    ("", "length"),
    ("9135010", "length"),
    (USCC_OK + "0", "length"),
    ("91350100M000100Y4!", "charset"),
    ("B1350100M000100Y43", "authority"),
    ("90350100M000100Y43", "category"),
    ("913501中00M000100Y4", "charset"),
])
def test_validate_bad_uscc_reasons(code, reason):
    r = ids.validate("uscc", code)
    assert not r.valid and r.reason == reason


def test_validate_normalises_people_written_input():
    r = ids.validate("uscc", "  ９１３５0100-m000 100y43\u3000")
    assert r.valid and r.canonical == USCC_OK


def test_validate_accepts_bytes():
    assert ids.validate("uscc", USCC_OK.encode()).valid
    assert ids.validate(b"uscc", USCC_OK).valid


def test_validate_soft_rules_warn_and_strict_rejects():
    unknown_region = make_uscc(region="990000")
    r = ids.validate("uscc", unknown_region)
    assert r.valid and r.warnings == ["region"]
    assert r.parts["region"]["known"] is False and r.parts["region"]["province"] is None
    s = ids.validate("uscc", unknown_region, strict=True)
    assert not s.valid and s.reason == "region"

    bad_category = make_uscc(category="5")
    assert ids.validate("uscc", bad_category).warnings == ["category"]
    assert ids.validate("uscc", bad_category, strict=True).reason == "category"

    bad_embedded = make_uscc(org_check="0" if ids.check_char("orgcode", "M000100Y") != "0" else "1")
    r = ids.validate("uscc", bad_embedded)
    assert r.valid and r.warnings == ["orgcode-checksum"]
    assert r.message.startswith("valid, with warnings")
    assert ids.validate("uscc", bad_embedded, strict=True).reason == "orgcode-checksum"


def test_validate_ric_parts():
    r = ids.validate("ric", RIC_OK)
    assert r.valid
    assert r.parts == {
        "region": {"code": COUNTY, "known": True, "province": "北京市", "prefecture": "市辖区",
                   "county": "朝阳区"},
        "birth_date": "1949-12-31", "sex": "F", "sequence": "002", "legacy": None, "check": "X",
    }
    assert ids.validate("ric", RIC_OK.lower()).valid  # x is normalised to X


def test_validate_legacy_ric_gives_18_digit_canonical():
    r = ids.validate("ric", RIC_LEGACY)
    assert r.valid and r.canonical == RIC_OK
    assert r.parts["legacy"] == RIC_LEGACY and "check" not in r.parts


@pytest.mark.parametrize("code,reason", [
    ("1101051949123100", "length"),
    ("11010519491231002Y", "charset"),
    ("110105194912310021", "checksum"),
])
def test_validate_bad_ric_reasons(code, reason):
    assert ids.validate("ric", code).reason == reason


def test_validate_ric_impossible_or_future_date():
    assert ids.validate("ric", make_ric(date="19810229")).reason == "date"
    assert ids.validate("ric", make_ric(date="29990101")).reason == "date"
    assert ids.validate("ric", make_ric(date="19800229")).valid  # a leap day


def test_validate_orgcode_and_gb2260():
    r = ids.validate("orgcode", ORG_OK)
    assert r.valid and r.parts == {"check": "4"}
    assert ids.validate("orgcode", "M000100Y5").reason == "checksum"
    assert ids.validate("orgcode", "M000-100Y4").canonical == ORG_OK

    g = ids.validate("gb2260", COUNTY)
    assert g.valid and g.parts["region"]["county"] == "朝阳区"
    assert ids.validate("division", COUNTY).kind == "gb2260"
    assert ids.validate("gb2260", "990000").reason == "region"
    assert ids.validate("gb2260", "11010a").reason == "charset"


def test_result_repr_and_to_dict():
    assert repr(ids.validate("uscc", USCC_OK)) == \
        "ValidationResult(kind='uscc', canonical='91350100M000100Y43', valid=True)"
    bad = ids.validate("uscc", USCC_OK[:-1] + "4")
    assert "reason='checksum'" in repr(bad) and "valid=False" in repr(bad)
    warn = ids.validate("uscc", make_uscc(region="990000"))
    assert "warnings=['region']" in repr(warn)
    d = bad.to_dict()
    assert d["reason"] == "checksum" and d["kind"] == "uscc" and "parts" in d


def test_validate_unknown_kind_raises_invalid_argument():
    with pytest.raises(civitas.InvalidArgumentError) as ei:
        ids.validate("passport", "X")
    e = ei.value
    assert isinstance(e, civitas.Error) and isinstance(e, ValueError)
    assert e.code == -1 and e.code_name == "invalid-argument"
    assert "passport" in str(e)


def test_validate_wrong_types_raise_type_error():
    with pytest.raises(TypeError):
        ids.validate("uscc", 913501)
    with pytest.raises(TypeError):
        ids.validate("uscc", None)
    with pytest.raises(TypeError):
        ids.validate(1, USCC_OK)


def test_validate_lone_surrogate_raises_unicode_error():
    with pytest.raises(UnicodeEncodeError):
        ids.validate("uscc", "\ud800")


# ---- is_valid, validate_many, reasons_many -------------------------------------------


def test_is_valid():
    assert ids.is_valid("uscc", USCC_OK) is True
    assert ids.is_valid("uscc", USCC_OK[:-1] + "4") is False
    assert ids.is_valid("ric", RIC_LEGACY) is True
    assert ids.is_valid("uscc", make_uscc(region="990000")) is True
    assert ids.is_valid("uscc", make_uscc(region="990000"), strict=True) is False
    with pytest.raises(civitas.InvalidArgumentError):
        ids.is_valid("nope", USCC_OK)


def test_validate_many_list_tuple_iterable_and_bytes():
    codes = [USCC_OK, USCC_OK[:-1] + "4", "", USCC_OK.encode(), " 91350100m000100y43 "]
    expected = [True, False, False, True, True]
    assert ids.validate_many("uscc", codes) == expected
    assert ids.validate_many("uscc", tuple(codes)) == expected
    assert ids.validate_many("uscc", (c for c in codes)) == expected
    assert ids.validate_many("uscc", []) == []


def test_validate_many_strict():
    codes = [USCC_OK, make_uscc(region="990000")]
    assert ids.validate_many("uscc", codes) == [True, True]
    assert ids.validate_many("uscc", codes, strict=True) == [True, False]


def test_validate_many_bad_arguments():
    with pytest.raises(TypeError):
        ids.validate_many("uscc", USCC_OK)  # a single str is not a column
    with pytest.raises(TypeError):
        ids.validate_many("uscc", USCC_OK.encode())
    with pytest.raises(TypeError, match=r"codes\[1\]"):
        ids.validate_many("uscc", [USCC_OK, None])
    with pytest.raises(TypeError):
        ids.validate_many("uscc", [USCC_OK, 5])
    with pytest.raises(TypeError):
        ids.validate_many("uscc", 5)
    with pytest.raises(civitas.InvalidArgumentError):
        ids.validate_many("nope", [USCC_OK])


def test_reasons_many():
    codes = [USCC_OK, USCC_OK[:-1] + "4", "", "B1350100M000100Y43", make_uscc(region="990000")]
    assert ids.reasons_many("uscc", codes) == [None, "checksum", "length", "authority", None]
    assert ids.reasons_many("uscc", codes, strict=True)[4] == "region"
    assert ids.reasons_many("ric", [RIC_OK, RIC_LEGACY, make_ric(date="19810229")]) == \
        [None, None, "date"]


def test_batch_agrees_with_single_validation():
    rng = random.Random(7)
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    codes = [make_uscc(region=rng.choice(["350100", "110105", "990000"]),
                       org8="".join(rng.choice(alphabet[:10] + "ABCDEFGH") for _ in range(8)))
             for _ in range(300)]
    # corrupt a third of them
    codes = [c if i % 3 else c[:-1] + rng.choice(alphabet) for i, c in enumerate(codes)]
    for strict in (False, True):
        single = [ids.is_valid("uscc", c, strict=strict) for c in codes]
        assert ids.validate_many("uscc", codes, strict=strict) == single
        reasons = [ids.validate("uscc", c, strict=strict).reason for c in codes]
        assert ids.reasons_many("uscc", codes, strict=strict) == reasons


def test_validate_many_releases_the_gil_and_is_correct_from_two_threads():
    good = [make_ric(seq=f"{i % 1000:03d}", date=f"19{50 + i % 40}0101") for i in range(2000)]
    codes = []
    expected = []
    for i in range(200_000):
        c = good[i % len(good)]
        if i % 5 == 0:
            c = c[:-1] + ("0" if c[-1] != "0" else "1")
        codes.append(c)
        expected.append(i % 5 != 0)
    results = {}
    errors = []

    def run(name, data, want):
        try:
            for _ in range(3):
                got = ids.validate_many("ric", data)
                assert got == want
            results[name] = True
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=run, args=("a", codes, expected)),
               threading.Thread(target=run, args=("b", codes[::-1], expected[::-1]))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert results == {"a": True, "b": True}


# ---- check characters, upgrade, normalisation ----------------------------------------


def test_check_char():
    assert ids.check_char("uscc", USCC_OK[:17]) == "3"
    assert ids.check_char("orgcode", "M000100Y") == "4"
    assert ids.check_char("ric", RIC_OK[:17]) == "X"
    assert ids.check_char("uscc", USCC_OK[:17].lower().encode()) == "3"


@pytest.mark.parametrize("kind,body", [
    ("uscc", USCC_OK[:16]),
    ("uscc", "91350100M000100I4"),  # I is not in the USCC alphabet
    ("orgcode", "M000100"),
    ("ric", "1101051949123100A"),
    ("gb2260", "11010"),
    ("nope", "1"),
])
def test_check_char_bad_input_raises_invalid_argument(kind, body):
    with pytest.raises(civitas.InvalidArgumentError) as ei:
        ids.check_char(kind, body)
    assert isinstance(ei.value, ValueError)


def test_ric_upgrade():
    assert ids.ric_upgrade(RIC_LEGACY) == RIC_OK
    assert ids.ric_upgrade(RIC_LEGACY.encode()) == RIC_OK


@pytest.mark.parametrize("bad", ["123", RIC_OK, "110105491331002", "11010549123100A"])
def test_ric_upgrade_bad_input_raises_invalid_data(bad):
    with pytest.raises(civitas.InvalidDataError) as ei:
        ids.ric_upgrade(bad)
    e = ei.value
    assert isinstance(e, civitas.Error) and isinstance(e, ValueError)
    assert e.code == -20 and e.code_name == "invalid-data"


def test_normalize():
    assert ids.normalize(" ９１３５-0100m ") == "91350100M"
    assert ids.normalize("\u3000abc def\u3000") == "ABCDEF"
    assert ids.normalize(b"ab-c") == "ABC"
    assert ids.normalize("") == ""


def test_normalize_refuses_non_ascii():
    with pytest.raises(civitas.InvalidDataError):
        ids.normalize("北京")
    with pytest.raises(TypeError):
        ids.normalize(12)


# ---- division table ------------------------------------------------------------------


@pytest.fixture
def restore_table():
    yield
    ids.reset_division_table()


def test_builtin_division_table():
    assert ids.division_table_source().startswith("builtin: ")
    assert ids.division_table_size() > 3000
    assert ids.lookup_region(COUNTY) == {"code": COUNTY, "known": True, "province": "北京市",
                                          "prefecture": "市辖区", "county": "朝阳区"}
    assert ids.lookup_region("990000")["known"] is False
    assert ids.lookup_region("abc")["known"] is False


def test_load_and_reset_division_table(tmp_path, restore_table):
    f = tmp_path / "loc.dat"
    f.write_text('# test table\n990101 county="甲县" prefecture="乙市" province="丙省"\n',
                 encoding="utf-8")
    ids.load_division_table(f)  # os.PathLike
    assert ids.division_table_source() == str(f)
    assert ids.division_table_size() == 4  # county, prefecture, province, national
    assert ids.validate("gb2260", "990101").parts["region"]["province"] == "丙省"
    assert ids.validate("gb2260", COUNTY).reason == "region"
    assert ids.validate("uscc", make_uscc(region="990100")).warnings == []
    ids.reset_division_table()
    assert ids.division_table_source().startswith("builtin: ")
    assert ids.validate("gb2260", COUNTY).valid


def test_load_division_table_missing_file_raises_io_error(tmp_path, restore_table):
    with pytest.raises(civitas.CivitasIOError) as ei:
        ids.load_division_table(str(tmp_path / "missing.dat"))
    e = ei.value
    assert isinstance(e, OSError) and isinstance(e, civitas.Error)
    assert civitas.IOError_ is civitas.CivitasIOError
    assert e.code == -4 and e.code_name == "io"
    assert ids.division_table_source().startswith("builtin: ")


def test_load_division_table_malformed_raises_parse_error_with_line(tmp_path, restore_table):
    f = tmp_path / "bad.dat"
    f.write_text('# header\n110101 county="a" prefecture="b" province="c"\nxyz\n', encoding="utf-8")
    with pytest.raises(civitas.ParseError) as ei:
        ids.load_division_table(f)
    e = ei.value
    assert isinstance(e, ValueError)
    assert e.code == -6 and e.code_name == "parse"
    assert e.row == 3 and e.source == str(f) and e.offset is not None
    assert "row 3" in str(e)
    assert ids.division_table_source().startswith("builtin: ")


# ---- cross-check with python-stdnum --------------------------------------------------


def _stdnum():
    uscc = pytest.importorskip("stdnum.cn.uscc")
    ric = pytest.importorskip("stdnum.cn.ric")
    return uscc, ric


def _stdnum_counties():
    import os
    import stdnum.cn
    path = os.path.join(os.path.dirname(stdnum.cn.__file__), "loc.dat")
    with open(path, encoding="utf-8") as f:
        return [line[:6] for line in f if line[:1].isdigit()]


def test_check_chars_agree_with_stdnum():
    suscc, sric = _stdnum()
    rng = random.Random(2260)
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    for _ in range(2000):
        body = "".join(rng.choice("0123456789") for _ in range(8)) + \
            "".join(rng.choice(alphabet) for _ in range(9))
        assert ids.check_char("uscc", body) == suscc.calc_check_digit(body)
        digits = "".join(rng.choice("0123456789") for _ in range(17))
        assert ids.check_char("ric", digits) == sric.calc_check_digit(digits + "0")


def test_generated_codes_agree_with_stdnum():
    suscc, sric = _stdnum()
    rng = random.Random(11643)
    counties = _stdnum_counties()
    uscc_codes, ric_codes = [], []
    for _ in range(1000):
        region = rng.choice(counties)
        org8 = "".join(rng.choice("0123456789ABCDEFGH") for _ in range(8))
        code = make_uscc(authority="9", category=rng.choice("123"), region=region, org8=org8)
        uscc_codes += [code, code[:-1] + ("0" if code[-1] != "0" else "1")]
        date = f"{rng.randint(1900, 2015)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
        r = make_ric(region=region, date=date, seq=f"{rng.randint(0, 999):03d}")
        ric_codes += [r, r[:-1] + ("0" if r[-1] != "0" else "1")]
    assert ids.validate_many("uscc", uscc_codes) == [suscc.is_valid(c) for c in uscc_codes]
    assert ids.validate_many("uscc", uscc_codes, strict=True) == [suscc.is_valid(c) for c in uscc_codes]
    # stdnum's RIC check requires a known birth place, as our strict mode does
    assert ids.validate_many("ric", ric_codes, strict=True) == [sric.is_valid(c) for c in ric_codes]
    assert sum(ids.validate_many("ric", ric_codes)) == len(ric_codes) // 2


def test_known_good_codes_are_valid_in_both():
    suscc, sric = _stdnum()
    for c in [USCC_OK, "91110000802100433B", "91310000132149237G"]:
        assert suscc.is_valid(c), c
        assert ids.is_valid("uscc", c), c
    for c in [RIC_OK, "11010519491231002X".lower()]:
        assert sric.is_valid(c)
        assert ids.is_valid("ric", c)


# ---- errors ---------------------------------------------------------------------------

BUILTIN_OF = {
    "invalid-argument": ValueError, "out-of-memory": MemoryError, "internal": RuntimeError,
    "io": OSError, "not-found": KeyError, "parse": ValueError, "denied": PermissionError,
    "unknown-key": LookupError, "invalid-data": ValueError, "schema-mismatch": ValueError,
    "truncated": ValueError, "unsupported-version": ValueError,
}


def test_every_native_error_code_has_its_own_class():
    names = _native.error_code_names()
    assert names[0] == "ok" and names[-1] == "invalid-argument" and len(names) >= 21
    for code, name in names.items():
        if code == 0:
            continue
        cls = civitas.errors.error_class(code)
        assert cls is not civitas.Error, f"no class for code {code} ({name})"
        assert cls.code == code
        assert issubclass(cls, civitas.Error)
        assert getattr(civitas, cls.__name__) is cls


@pytest.mark.parametrize("code", [c for c in _native.error_code_names() if c != 0])
def test_cpp_error_becomes_the_mapped_class(code):
    name = _native.error_code_names()[code]
    with pytest.raises(civitas.Error) as ei:
        _native._raise_error(code, f"boom {name}")
    e = ei.value
    assert type(e) is civitas.errors.error_class(code)
    assert e.code == code and e.code_name == name
    assert str(e) == f"boom {name}" and e.message == str(e)
    assert e.row is None and e.field is None and e.offset is None and e.source is None
    if name in BUILTIN_OF:
        assert isinstance(e, BUILTIN_OF[name])


def test_integrity_and_wrong_key_are_not_value_errors():
    for code in (-7, -8):
        cls = civitas.errors.error_class(code)
        assert not issubclass(cls, ValueError)
    assert civitas.IntegrityError.code == -7 and civitas.WrongKeyError.code == -8


def test_error_carries_location():
    with pytest.raises(civitas.NotFoundError) as ei:
        _native._raise_error(-5, "no such field", row=12, field="name", offset=345, source="a.csv")
    e = ei.value
    assert isinstance(e, KeyError)
    assert (e.row, e.field, e.offset, e.source) == (12, "name", 345, "a.csv")
    assert str(e) == "no such field (at a.csv, row 12, field 'name', byte 345)"  # not KeyError-quoted


def test_unknown_code_maps_to_base_error():
    with pytest.raises(civitas.Error) as ei:
        _native._raise_error(-999, "future code")
    assert type(ei.value) is civitas.Error
    assert ei.value.code == -999 and ei.value.code_name == "unknown"


def test_errors_pickle_and_can_be_raised_from_python():
    e = civitas.ParseError("bad line", row=3, source="x")
    e2 = pickle.loads(pickle.dumps(e))
    assert type(e2) is civitas.ParseError
    assert (e2.code, e2.row, e2.source, str(e2)) == (-6, 3, "x", "bad line")
    io = pickle.loads(pickle.dumps(civitas.CivitasIOError("disk")))
    assert isinstance(io, OSError) and io.code_name == "io"
    assert repr(civitas.WrongKeyError("k")) == "WrongKeyError('k', code=-8 [wrong-key])"
