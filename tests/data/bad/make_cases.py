#!/usr/bin/env python3
"""Regenerate the bad-input corpus: `python3 tests/data/bad/make_cases.py`.

Every case is the same small, valid dataset (BASE below) with exactly one defect, written to
`tests/data/bad/<case>/` with an `expect.txt` read by `tests/bad_inputs.rs`:

    code=E009                 diagnostic code that must be reported
    file=enterprises.csv      the diagnostic's `file` must end with this
    row=3                     spreadsheet row (header = 1); `row=none` = not about a row
    column=统一社会信用代码 (A)  substring of the column label; `column=none` = no column
    value=...                 (optional) the offending value as reported
    message=...               (optional) substring of the message (for file-level errors)
    errors=N                  (optional) exact number of errors (cascades included)
    note=...                  (optional) free text

`_base/` is the valid dataset itself (the control: it must load without any error).
Workbook cases (xlsx) are generated at test time in `tests/bad_inputs.rs`, not here.
"""

import os
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def check_char(first17):
    s = sum(ALPHABET.index(c) * w for c, w in zip(first17, WEIGHTS))
    return ALPHABET[(31 - s % 31) % 31]


def code(first17):
    return first17 + check_char(first17)


def wrong_check(c):
    """Same code with a different (wrong) check character."""
    good = c[-1]
    bad = "0" if good != "0" else "1"
    return c[:-1] + bad


E1 = code("91320281MA0000001")
E2 = code("91320282MA0000002")
E3 = code("91320213MA0000003")
E4 = code("91320213MA0000004")
UNKNOWN = code("91320205MA0000009")

DIST_H = ["区县", "二氧化硫", "氮氧化物", "颗粒物", "挥发性有机物"]
ENT_H = ["统一社会信用代码", "企业名称", "区县", "行业", "绩效等级", "豁免", "豁免原因", "保障类", "保障最低负荷", "产业集群"]
LINE_H = ["生产线编号", "统一社会信用代码", "生产线名称", "工序", "核定产能", "许可产能", "上年日均产量", "日产值",
          "二氧化硫", "氮氧化物", "颗粒物", "挥发性有机物", "日用电量", "状态"]
OPT_H = ["生产线编号", "措施编号", "措施内容", "二氧化硫减排比例", "氮氧化物减排比例", "颗粒物减排比例",
         "挥发性有机物减排比例", "产值损失比例", "整线停产", "核查用电比例"]
IND_H = ["code", "name_zh", "name_en", "key", "leading_only", "lowest_grade", "pollutants"]


def base():
    return {
        "districts.csv": [DIST_H,
                          ["江阴市", "12.5", "30.2", "8.1", "25"],
                          ["宜兴市", "9.4", "22.7", "6.3", "18.9"],
                          ["梁溪区", "1.2", "5.5", "2", "9.8"]],
        "enterprises.csv": [ENT_H,
                            [E1, "江阴恒泰水泥有限公司", "江阴市", "cement", "B", "否", "", "否", "", ""],
                            [E2, "宜兴华兴涂装有限公司", "宜兴市", "coating", "C", "否", "", "否", "", "宜兴涂装集群"],
                            [E3, "梁溪盛达热力有限公司", "梁溪区", "boiler_gas", "A", "是", "民生保障", "是", "0.6", ""],
                            [E4, "梁溪鑫源机械有限公司", "梁溪区", "other", "", "", "", "", "", ""]],
        "lines.csv": [LINE_H,
                      ["L001", E1, "1号熟料线", "熟料", "4500", "4500", "4200", "140", "0.25", "2.6", "0.45", "0", "480000", "在产"],
                      ["L002", E1, "水泥磨", "水泥粉磨", "3000", "3000", "2800", "90", "0", "0", "0.2", "0", "150000", "在产"],
                      ["L003", E2, "涂装线", "涂装", "1000", "", "900", "60", "0", "0.01", "0.05", "0.3", "20000", "在产"],
                      ["L004", E3, "燃气锅炉", "锅炉", "200", "220", "180", "15", "0.01", "0.2", "0.01", "0", "3000", "在产"],
                      ["L005", E4, "机加工车间", "机加工", "500", "", "", "30", "0", "0", "0.02", "0.05", "8000", "在产"]],
        "options.csv": [OPT_H,
                        ["L003", "D1", "停用2号喷涂房", "0", "0.2", "0.3", "0.8", "0.3", "否", "0.7"],
                        ["L001", "D1", "熟料线降负荷50%", "0.5", "0.5", "0.5", "0", "0.5", "否", ""]],
    }


def industries():
    return [IND_H,
            ["cement", "水泥", "Cement clinker", "是", "否", "D", "so2|nox|pm"],
            ["coating", "工业涂装", "Industrial coating", "是", "否", "C", "pm|vocs|nox|so2"],
            ["boiler_gas", "燃气锅炉", "Gas-fired boilers", "否", "否", "C", "nox|so2|pm"],
            ["other", "其他行业", "Other industries", "否", "否", "C", "so2|nox|pm|vocs"]]


def quote(cell):
    if any(ch in cell for ch in ',"\n\r'):
        return '"' + cell.replace('"', '""') + '"'
    return cell


def to_csv(rows, sep=",", eol="\n"):
    return "".join(sep.join(quote(c) for c in r) + eol for r in rows)


def col(header, name):
    return header.index(name)


CASES = []


def case(name, expect, **kw):
    def deco(fn):
        CASES.append((name, expect, fn))
        return fn
    return deco


def setcell(ds, file, row, column, value):
    """Set a cell by spreadsheet row (header = 1) and header name."""
    rows = ds[file]
    rows[row - 1][col(rows[0], column)] = value


# ---------------------------------------------------------------- file level (E001, E002, E018)

@case("invalid-encoding", dict(code="E002", file="enterprises.csv", row="none", column="none", errors=1,
                               message="neither UTF-8 nor GBK",
                               note="bytes 0xFF are invalid both in UTF-8 and in GB18030"))
def _(ds):
    text = to_csv(ds["enterprises.csv"]).encode("utf-8")
    # corrupt the name of row 3: 0xFF can start neither a UTF-8 nor a GB18030 sequence
    text = text.replace("宜兴华兴".encode("utf-8"), b"\xff\xfe\xfd\xff\x81\xff")
    return {"enterprises.csv": text}


@case("bom-then-gbk", dict(code="E002", file="lines.csv", row="none", column="none", errors=1,
                           message="byte-order mark",
                           note="UTF-8 byte-order mark followed by GBK text"))
def _(ds):
    return {"lines.csv": b"\xef\xbb\xbf" + to_csv(ds["lines.csv"]).encode("gbk")}


@case("empty-file", dict(code="E002", file="districts.csv", row="none", column="none", errors=1, message="empty"))
def _(ds):
    return {"districts.csv": b""}


@case("header-only", dict(code="E018", file="districts.csv", row="none", column="none", errors=1,
                          message="no data rows"))
def _(ds):
    ds["districts.csv"] = ds["districts.csv"][:1]


@case("missing-required-table", dict(code="E001", file="missing-required-table", row="none", column="none",
                                     errors=1, message="'lines'", note="lines.csv is absent"))
def _(ds):
    del ds["lines.csv"]


# ---------------------------------------------------------------- headers (E003, E017)

@case("missing-column", dict(code="E003", file="lines.csv", row="1", column="核定产能"))
def _(ds):
    i = col(LINE_H, "核定产能")
    ds["lines.csv"] = [r[:i] + r[i + 1:] for r in ds["lines.csv"]]


@case("missing-column-industry", dict(code="E003", file="enterprises.csv", row="1", column="行业",
                                      note="enterprises without 行业 column; lines then reference unknown firms"))
def _(ds):
    i = col(ENT_H, "行业")
    ds["enterprises.csv"] = [r[:i] + r[i + 1:] for r in ds["enterprises.csv"]]


@case("duplicate-header", dict(code="E017", file="lines.csv", row="1", column="二氧化硫 (I, O)",
                               note="an extra SO2 column next to 二氧化硫"))
def _(ds):
    rows = ds["lines.csv"]
    rows[0] = rows[0] + ["SO2"]
    for r in rows[1:]:
        r.append(r[col(LINE_H, "二氧化硫")])


# ---------------------------------------------------------------- cells (E004–E009, E011, E015, E016, E020, E021)

@case("empty-required-cell", dict(code="E004", file="enterprises.csv", row="3", column="企业名称 (B)"))
def _(ds):
    setcell(ds, "enterprises.csv", 3, "企业名称", "")


@case("empty-required-cell-lines", dict(code="E004", file="lines.csv", row="3", column="工序 (D)", errors=1))
def _(ds):
    setcell(ds, "lines.csv", 3, "工序", "")


@case("text-in-number", dict(code="E005", file="lines.csv", row="2", column="核定产能 (E)", value="约4500"))
def _(ds):
    setcell(ds, "lines.csv", 2, "核定产能", "约4500")


@case("bad-thousands-grouping", dict(code="E005", file="lines.csv", row="3", column="日用电量 (M)", value="15,0000",
                                     errors=1, note="grouped by 万 (4 digits), not by thousands"))
def _(ds):
    setcell(ds, "lines.csv", 3, "日用电量", "15,0000")


@case("min-load-in-words", dict(code="E005", file="enterprises.csv", row="4", column="保障最低负荷 (I)", value="六成"))
def _(ds):
    setcell(ds, "enterprises.csv", 4, "保障最低负荷", "六成")


@case("negative-number", dict(code="E006", file="lines.csv", row="3", column="日产值 (H)", value="-90", errors=1))
def _(ds):
    setcell(ds, "lines.csv", 3, "日产值", "-90")


@case("negative-district-emission", dict(code="E006", file="districts.csv", row="4", column="颗粒物 (D)", value="-2",
                                         errors=1))
def _(ds):
    setcell(ds, "districts.csv", 4, "颗粒物", "-2")


@case("nan", dict(code="E007", file="lines.csv", row="5", column="二氧化硫 (I)", value="NaN", errors=1))
def _(ds):
    setcell(ds, "lines.csv", 5, "二氧化硫", "NaN")


@case("infinite", dict(code="E007", file="districts.csv", row="3", column="氮氧化物 (C)", value="inf", errors=1))
def _(ds):
    setcell(ds, "districts.csv", 3, "氮氧化物", "inf")


@case("overflow-to-infinity", dict(code="E007", file="lines.csv", row="6", column="日用电量 (M)", value="1e999",
                                   errors=1))
def _(ds):
    setcell(ds, "lines.csv", 6, "日用电量", "1e999")


@case("share-above-one", dict(code="E008", file="options.csv", row="2", column="产值损失比例 (H)", value="1.5",
                              errors=1))
def _(ds):
    setcell(ds, "options.csv", 2, "产值损失比例", "1.5")


@case("percent-above-100", dict(code="E008", file="enterprises.csv", row="4", column="保障最低负荷 (I)", value="120%"))
def _(ds):
    setcell(ds, "enterprises.csv", 4, "保障最低负荷", "120%")


@case("bad-check-character", dict(code="E009", file="enterprises.csv", row="3", column="统一社会信用代码 (A)",
                                  value=wrong_check(E2)))
def _(ds):
    setcell(ds, "enterprises.csv", 3, "统一社会信用代码", wrong_check(E2))


@case("too-short-code", dict(code="E009", file="lines.csv", row="6", column="统一社会信用代码 (B)", value=E4[:17],
                             errors=1))
def _(ds):
    setcell(ds, "lines.csv", 6, "统一社会信用代码", E4[:17])


@case("letter-o-in-code", dict(code="E009", file="enterprises.csv", row="5", column="统一社会信用代码 (A)",
                               note="letter O typed instead of digit 0"))
def _(ds):
    setcell(ds, "enterprises.csv", 5, "统一社会信用代码", E4.replace("MA0", "MAO", 1))


@case("excel-scientific-code", dict(code="E009", file="enterprises.csv", row="2", column="统一社会信用代码 (A)",
                                    value="9.13203E+17", note="Excel turned the code into a number"))
def _(ds):
    setcell(ds, "enterprises.csv", 2, "统一社会信用代码", "9.13203E+17")


@case("unknown-grade", dict(code="E011", file="enterprises.csv", row="5", column="绩效等级 (E)", value="B+"))
def _(ds):
    setcell(ds, "enterprises.csv", 5, "绩效等级", "B+")


@case("bad-yes-no", dict(code="E015", file="enterprises.csv", row="4", column="豁免 (F)", value="待定"))
def _(ds):
    setcell(ds, "enterprises.csv", 4, "豁免", "待定")


@case("unknown-status", dict(code="E016", file="lines.csv", row="4", column="状态 (N)", value="检修"))
def _(ds):
    setcell(ds, "lines.csv", 4, "状态", "检修")


@case("guarantee-without-min-load", dict(code="E020", file="enterprises.csv", row="4", column="保障最低负荷 (I)"))
def _(ds):
    setcell(ds, "enterprises.csv", 4, "保障最低负荷", "")


@case("bad-option-code", dict(code="E021", file="options.csv", row="3", column="措施编号 (B)", value="降负荷 50%",
                              errors=1))
def _(ds):
    setcell(ds, "options.csv", 3, "措施编号", "降负荷 50%")


# ---------------------------------------------------------------- cross references (E010, E012, E014, E019)

@case("duplicate-enterprise", dict(code="E010", file="enterprises.csv", row="6", column="统一社会信用代码 (A)",
                                   value=E2, errors=1))
def _(ds):
    ds["enterprises.csv"].append([E2, "宜兴华兴涂装有限公司（二厂）", "宜兴市", "coating", "C", "否", "", "否", "", ""])


@case("duplicate-line-id", dict(code="E010", file="lines.csv", row="6", column="生产线编号 (A)", value="L004",
                                errors=1))
def _(ds):
    setcell(ds, "lines.csv", 6, "生产线编号", "L004")


@case("duplicate-district", dict(code="E010", file="districts.csv", row="5", column="区县 (A)", value="江阴市",
                                 errors=1))
def _(ds):
    ds["districts.csv"].append(["江阴市", "1", "1", "1", "1"])


@case("duplicate-option-code", dict(code="E010", file="options.csv", row="4", column="措施编号 (B)", value="D1",
                                    errors=1))
def _(ds):
    ds["options.csv"].append(["L003", "D1", "停用全部喷涂房", "0", "0.5", "0.6", "1", "0.6", "否", ""])


@case("line-enterprise-missing", dict(code="E012", file="lines.csv", row="6", column="统一社会信用代码 (B)",
                                      value=UNKNOWN, errors=1))
def _(ds):
    setcell(ds, "lines.csv", 6, "统一社会信用代码", UNKNOWN)


@case("option-unknown-line", dict(code="E019", file="options.csv", row="3", column="生产线编号 (A)", value="L009",
                                  errors=1))
def _(ds):
    setcell(ds, "options.csv", 3, "生产线编号", "L009")


@case("unknown-pollutant", dict(code="E014", file="industries.csv", row="2", column="pollutants (G)",
                                note="dataset ships its own industries.csv"))
def _(ds):
    ind = industries()
    ind[1][col(IND_H, "pollutants")] = "so2|nox|pm|co2"
    ds["industries.csv"] = ind


# ---------------------------------------------------------------- encodings and layout

@case("gbk-with-defect", dict(code="E009", file="enterprises.csv", row="3", column="统一社会信用代码 (A)",
                              value=wrong_check(E2), note="GBK-encoded, LF line ends"))
def _(ds):
    setcell(ds, "enterprises.csv", 3, "统一社会信用代码", wrong_check(E2))
    return {"enterprises.csv": to_csv(ds["enterprises.csv"]).encode("gbk")}


@case("gbk-excel-crlf", dict(code="E015", file="enterprises.csv", row="4", column="保障类 (H)", value="要",
                             note="GBK with CRLF line ends, exactly as Excel's 'CSV (逗号分隔)' saves on Chinese Windows"))
def _(ds):
    setcell(ds, "enterprises.csv", 4, "保障类", "要")
    return {"enterprises.csv": to_csv(ds["enterprises.csv"], eol="\r\n").encode("gbk")}


@case("crlf-line-ends", dict(code="E006", file="lines.csv", row="3", column="上年日均产量 (G)", value="-2800", errors=1,
                             note="UTF-8 with CRLF line ends, as Excel's 'CSV UTF-8' saves"))
def _(ds):
    setcell(ds, "lines.csv", 3, "上年日均产量", "-2800")
    return {"lines.csv": to_csv(ds["lines.csv"], eol="\r\n").encode("utf-8")}


@case("utf16-tab-with-defect", dict(code="E005", file="lines.txt", row="5", column="日产值 (H)", value="十五",
                                    errors=1, note="Excel 'Unicode text': UTF-16LE with BOM, tab separated, .txt"))
def _(ds):
    setcell(ds, "lines.csv", 5, "日产值", "十五")
    rows = ds.pop("lines.csv")
    return {"lines.txt": b"\xff\xfe" + to_csv(rows, sep="\t", eol="\r\n").encode("utf-16-le")}


@case("semicolon-with-defect", dict(code="E006", file="districts.csv", row="2", column="挥发性有机物 (E)", value="-25",
                                    errors=1, note="';' separated"))
def _(ds):
    setcell(ds, "districts.csv", 2, "挥发性有机物", "-25")
    return {"districts.csv": to_csv(ds["districts.csv"], sep=";").encode("utf-8")}


@case("blank-line-before-defect", dict(code="E016", file="lines.csv", row="6", column="状态 (N)", value="维修",
                                       errors=1, note="an empty line 4; Excel shows it as an empty row 4, so L004 is row 6"))
def _(ds):
    setcell(ds, "lines.csv", 5, "状态", "维修")
    text = to_csv(ds["lines.csv"])
    parts = text.split("\n")
    parts.insert(3, "")  # after header, L001, L002
    return {"lines.csv": "\n".join(parts).encode("utf-8")}


@case("multiline-cell-before-defect", dict(code="E009", file="enterprises.csv", row="3", column="统一社会信用代码 (A)",
                                           value=wrong_check(E2),
                                           note="row 2's name holds a line break (quoted); Excel shows the defect in row 3"))
def _(ds):
    setcell(ds, "enterprises.csv", 2, "企业名称", "江阴恒泰水泥\n有限公司")
    setcell(ds, "enterprises.csv", 3, "统一社会信用代码", wrong_check(E2))


def write_case(name, expect, fn):
    ds = base()
    raw = fn(ds) or {}
    out = os.path.join(HERE, name)
    if os.path.isdir(out):
        shutil.rmtree(out)
    os.makedirs(out)
    for fname, rows in ds.items():
        if fname in raw:
            continue
        with open(os.path.join(out, fname), "wb") as f:
            f.write(to_csv(rows).encode("utf-8"))
    for fname, data in raw.items():
        with open(os.path.join(out, fname), "wb") as f:
            f.write(data)
    with open(os.path.join(out, "expect.txt"), "w", encoding="utf-8") as f:
        for k in ["code", "file", "row", "column", "value", "message", "errors", "note"]:
            if k in expect:
                v = str(expect[k])
                assert "\n" not in v
                f.write(f"{k}={v}\n")


def write_base():
    out = os.path.join(HERE, "_base")
    if os.path.isdir(out):
        shutil.rmtree(out)
    os.makedirs(out)
    for fname, rows in base().items():
        with open(os.path.join(out, fname), "wb") as f:
            f.write(to_csv(rows).encode("utf-8"))


if __name__ == "__main__":
    write_base()
    names = [c[0] for c in CASES]
    assert len(names) == len(set(names)), "duplicate case name"
    for name, expect, fn in CASES:
        write_case(name, expect, fn)
    print(f"wrote {len(CASES)} cases")
