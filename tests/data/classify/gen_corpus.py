#!/usr/bin/env python3
"""Generates the labelled classification corpus of tests/data/classify (fixed seed).

    python3 tests/data/classify/gen_corpus.py [--loc /usr/lib/python3/dist-packages/stdnum/cn/loc.dat]

Writes tables/*.csv (one GBK-encoded), text.txt and text_gbk.txt, and labels.json:
{"tables": {file: {"encoding", "columns": {name: type}}}, "text": {file: {"encoding",
"findings": [{"type", "offset", "length"}]}}}. Offsets are bytes of the file as written.
Hand-written hard cases are in hard.csv (labels in labels.json too, written by hand below).
The identifiers are computed here from their standards (GB 11643, GB 32100, GB 11714, Luhn,
ISO 3779), independently of civitas.
"""
import argparse
import json
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
R = random.Random(13)

# ---------------------------------------------------------------- identifiers
def ric_check(body17):
    s = sum(int(c) * (2 ** (17 - i) % 11) for i, c in enumerate(body17))
    v = (12 - s % 11) % 11
    return "X" if v == 10 else str(v)

USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_W = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]

def uscc_check(body17):
    s = sum(USCC_CHARS.index(c) * w for c, w in zip(body17, USCC_W))
    return USCC_CHARS[(31 - s % 31) % 31]

def org_check(body8):
    w = [3, 7, 9, 10, 5, 8, 4, 2]
    val = lambda c: int(c) if c.isdigit() else ord(c) - 55
    v = 11 - sum(val(c) * x for c, x in zip(body8, w)) % 11
    return "X" if v == 10 else "0" if v == 11 else str(v)

def luhn_complete(body):
    for d in "0123456789":
        n = body + d
        s = 0
        for i, c in enumerate(reversed(n)):
            x = int(c)
            if i % 2 == 1:
                x = x * 2 - 9 if x * 2 > 9 else x * 2
            s += x
        if s % 10 == 0:
            return n
    raise AssertionError

VIN_TR = {**{str(i): i for i in range(10)}, **dict(zip("ABCDEFGH", range(1, 9))), **dict(zip("JKLMN", range(1, 6))),
          "P": 7, "R": 9, **dict(zip("STUVWXYZ", range(2, 10)))}
VIN_W = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2]
VIN_CH = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"

def vin():
    v = list(R.choice(["LSV", "LFV", "LHG", "LGB", "LVS", "LBV", "WBA", "JHM", "LSG", "LDC"]) +
             "".join(R.choice(VIN_CH) for _ in range(5)) + "0" + R.choice("ABCDEFGHJKLMNPRSTVWXY") +
             R.choice(VIN_CH) + "".join(R.choice("0123456789") for _ in range(6)))
    s = sum(VIN_TR[c] * w for c, w in zip(v, VIN_W)) % 11
    v[8] = "X" if s == 10 else str(s)
    return "".join(v)

# ---------------------------------------------------------------- divisions
def load_loc(path):
    out = []
    for line in open(path, encoding="utf-8"):
        if line.startswith("#") or not line.strip():
            continue
        code, rest = line.split(" ", 1)
        kv = dict(p.split("=", 1) for p in rest.strip().split(" "))
        kv = {k: v.strip('"') for k, v in kv.items()}
        out.append((code, kv.get("province", ""), kv.get("prefecture", ""), kv.get("county", "")))
    return out

# ---------------------------------------------------------------- values
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴莫孔向汤"
COMPOUND = ["欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "慕容", "司徒", "令狐", "夏侯"]
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂英华建国志文斌辉鹏宇浩然子轩欣怡梓涵雨萱思远晨曦佳琪嘉怡俊杰宏亮海燕春梅秋菊冬雪红霞玉兰凤英丹丹"
MINORITY = ["阿卜杜·热合曼", "买买提·吐尔逊", "古丽·艾力", "努尔·麦麦提"]
LATIN_GIVEN = ["James", "John", "Robert", "Michael", "David", "Mary", "Linda", "Sarah", "Emily", "Anna", "Peter", "Helen"]
LATIN_FAMILY = ["Smith", "Johnson", "Brown", "Miller", "Davis", "Wilson", "Taylor", "Clark", "Wang", "Zhang", "Chen", "Liu"]
PINYIN = ["zhangwei", "wangfang", "lina", "liuyang", "chenjie", "yangmin", "zhaolei", "huangli", "zhoujun", "wuqiang"]
DOMAINS = ["qq.com", "163.com", "126.com", "sina.com.cn", "gmail.com", "example.org", "fz.gov.cn", "corp.example.com"]
ROADS = ["五四路", "八一七北路", "人民大道", "长安街", "解放路", "中山路", "建设大街", "湖滨路", "华林路", "东街"]
PRODUCTS = ["华为Mate60手机", "海尔冰箱BCD-470", "美的空调", "小米电视65寸", "格力电风扇", "联想笔记本电脑", "伊利纯牛奶",
            "蒙牛酸奶", "农夫山泉矿泉水", "康师傅方便面", "李宁运动鞋", "张裕葡萄酒", "安踏跑步鞋", "青岛啤酒", "云南白药牙膏"]
AREA = ["010", "021", "022", "023", "0591", "0592", "0755", "020", "0571", "025"]
PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
PLATE_L = "ABCDEFGHJKLMNPQRSTUVWXYZ"
PLATE_C = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"

class Gen:
    def __init__(self, loc):
        self.loc = loc
        self.counties = [e for e in loc if e[0][4:] != "00" and e[3]]
        self.known = {e[0] for e in loc}

    def region(self):
        return R.choice(self.counties)[0]

    def ric(self):
        y = R.randint(1945, 2006)
        m = R.randint(1, 12)
        d = R.randint(1, 28)
        body = f"{self.region()}{y:04d}{m:02d}{d:02d}{R.randint(0, 999):03d}"
        return body + ric_check(body)

    def orgcode_body(self):
        b = "".join(R.choice("0123456789") for _ in range(8))
        if R.random() < 0.2:
            b = R.choice("ABCDEFGHJKLMN") + b[1:]
        return b + org_check(b)

    def orgcode(self):
        b = self.orgcode_body()
        return b[:8] + "-" + b[8] if R.random() < 0.5 else b

    def uscc(self):
        body = "91" + self.region() + self.orgcode_body()
        return body + uscc_check(body)

    def mobile(self):
        n = "1" + R.choice("3456789") + "".join(R.choice("0123456789") for _ in range(9))
        f = R.random()
        if f < 0.1:
            return "+86 " + n
        if f < 0.2:
            return f"{n[:3]}-{n[3:7]}-{n[7:]}"
        return n

    def phone(self):
        a = R.choice(AREA)
        local = R.choice("2345678") + "".join(R.choice("0123456789") for _ in range(7 if len(a) == 3 else R.choice([6, 7])))
        f = R.random()
        if f < 0.2:
            return f"({a}){local}"
        if f < 0.3:
            return f"{a}-{local}-{R.randint(1, 999)}"
        return f"{a}-{local}"

    def bank(self):
        n = luhn_complete(R.choice(["622202", "621700", "622848", "628888", "436742", "524094"]) +
                          "".join(R.choice("0123456789") for _ in range(R.choice([9, 12]))))
        if R.random() < 0.2:
            return " ".join(n[i:i + 4] for i in range(0, len(n), 4))
        return n

    def imei(self):
        return luhn_complete(R.choice(["35", "86", "35", "49"]) + "".join(R.choice("0123456789") for _ in range(12)))

    def email(self):
        return R.choice(PINYIN) + R.choice(["", str(R.randint(1, 999)), ".work"]) + "@" + R.choice(DOMAINS)

    def ip(self):
        if R.random() < 0.8:
            return ".".join(str(R.randint(1, 254)) for _ in range(4))
        g = [f"{R.randint(0, 65535):x}" for _ in range(8)]
        if R.random() < 0.5:
            return "2001:db8::" + ":".join(g[:3])
        return ":".join(g)

    def mac(self):
        sep = R.choice([":", "-"])
        s = sep.join(f"{R.randint(0, 255):02X}" for _ in range(6))
        return s.lower() if R.random() < 0.3 else s

    def plate(self):
        p = R.choice(PROVINCES) + R.choice(PLATE_L)
        f = R.random()
        if f < 0.2:
            return p + R.choice("DF") + R.choice(PLATE_C) + "".join(R.choice("0123456789") for _ in range(4))
        return p + "".join(R.choice(PLATE_C) for _ in range(5))

    def passport(self):
        if R.random() < 0.5:
            return "E" + "".join(R.choice("0123456789") for _ in range(8))
        return "E" + R.choice("ABCDEFGHJKLMNPQRSTUVWXYZ") + "".join(R.choice("0123456789") for _ in range(7))

    def permit(self):
        f = R.random()
        if f < 0.4:
            return "C" + "".join(R.choice("0123456789") for _ in range(8))
        if f < 0.6:
            return "C" + R.choice("ABCDEFGHJKLMN") + "".join(R.choice("0123456789") for _ in range(7))
        return R.choice("HM") + "".join(R.choice("0123456789") for _ in range(R.choice([8, 10])))

    def postal(self):
        while True:
            c = f"{R.randint(10, 86)}{R.choice('0123')}{R.randint(0, 999):03d}"
            if c not in self.known:
                return c

    def birth(self):
        y, m, d = R.randint(1940, 2010), R.randint(1, 12), R.randint(1, 28)
        return R.choice([f"{y}-{m:02d}-{d:02d}", f"{y}/{m}/{d}", f"{y}{m:02d}{d:02d}", f"{y}年{m}月{d}日"])

    def name(self):
        f = R.random()
        if f < 0.08:
            return R.choice(COMPOUND) + "".join(R.choice(GIVEN) for _ in range(R.choice([1, 2])))
        if f < 0.1:
            return R.choice(MINORITY)
        return R.choice(SURNAMES) + "".join(R.choice(GIVEN) for _ in range(R.choice([1, 2, 2])))

    def latin_name(self):
        return R.choice(LATIN_GIVEN) + " " + R.choice(LATIN_FAMILY)

    def address(self):
        code, prov, pref, county = R.choice(self.counties)
        pref = "" if pref in ("市辖区", "县") else pref
        tail = f"{R.choice(ROADS)}{R.randint(1, 999)}号"
        if R.random() < 0.4:
            tail += f"{R.randint(1, 30)}栋{R.randint(101, 2505)}室"
        return (prov + pref + county if R.random() < 0.7 else county) + tail

    def gps(self):
        lat, lon = R.uniform(18, 53), R.uniform(73, 135)
        return f"{lat:.6f},{lon:.6f}" if R.random() < 0.6 else f"{lon:.6f}, {lat:.6f}"

    def vin(self):
        return vin()

    def gb2260(self):
        return self.region()

    # hard negatives
    def order_no(self):
        return "20" + f"{R.randint(20, 25)}{R.randint(1, 12):02d}{R.randint(1, 28):02d}" + "".join(R.choice("0123456789") for _ in range(10))

    def serial(self):
        return R.choice("23456789") + "".join(R.choice("0123456789") for _ in range(10))

    def amount(self):
        return f"{R.uniform(1, 99999):.2f}"

    def product(self):
        return R.choice(PRODUCTS)


def blankify(v, p):
    return "" if R.random() < p else v


TABLES = {
    "people.csv": ("utf-8", [
        ("姓名", "person_name", "name", 0.05), ("col2", "mobile_phone", "mobile", 0.1), ("身份证号", "ric", "ric", 0.05),
        ("phone", "none", "order_no", 0.0), ("备注", "email", "email", 0.2), ("", "address", "address", 0.1),
        ("出生日期", "birth_date", "birth", 0.05), ("金额", "none", "amount", 0.0), ("序列号", "none", "serial", 0.0),
        ("手机号", "mobile_phone", None, 1.0)]),
    "enterprises_gbk.csv": ("gbk", [
        ("统一社会信用代码", "uscc", "uscc", 0.0), ("组织机构代码", "orgcode", "orgcode", 0.1), ("法定代表人", "person_name", "name", 0.0),
        ("注册地址", "address", "address", 0.05), ("邮编", "postal_code", "postal", 0.1), ("行政区划", "gb2260", "gb2260", 0.0),
        ("联系电话", "phone", "phone", 0.1), ("产品名称", "none", "product", 0.0)]),
    "devices.csv": ("utf-8", [
        ("imei", "imei", "imei", 0.0), ("硬件地址", "mac_address", "mac", 0.05), ("x1", "ip_address", "ip", 0.0),
        ("车架号", "vin", "vin", 0.0), ("车辆", "vehicle_plate", "plate", 0.1), ("位置", "gps_coordinates", "gps", 0.1),
        ("订单号", "none", "order_no", 0.0), ("col_a", "bank_card", "bank", 0.1)]),
    "travel.csv": ("utf-8", [
        ("passport_no", "passport", "passport", 0.05), ("证件", "hk_macao_permit", "permit", 0.05),
        ("English name", "person_name", "latin_name", 0.05), ("contact", "email", "email", 0.0),
        ("code", "postal_code", "postal", 0.0), ("field7", "phone", "phone", 0.0)]),
}
ROWS = 400


def csv_cell(v):
    if any(c in v for c in ',"\n'):
        return '"' + v.replace('"', '""') + '"'
    return v


def write_tables(g, labels):
    os.makedirs(os.path.join(HERE, "tables"), exist_ok=True)
    for fname, (enc, cols) in TABLES.items():
        lines = [",".join(csv_cell(c[0]) for c in cols)]
        for _ in range(ROWS):
            lines.append(",".join(csv_cell(blankify(getattr(g, c[2])() if c[2] else "", c[3])) for c in cols))
        data = ("\r\n".join(lines) + "\r\n").encode(enc)
        open(os.path.join(HERE, "tables", fname), "wb").write(data)
        labels["tables"]["tables/" + fname] = {"encoding": enc, "columns": [[c[0], c[1]] for c in cols]}


TEMPLATES = [
    ("联系人{name}，手机{mobile}。", ["person_name", "mobile_phone"]),
    ("申请人：{name}，身份证号码{ric}，出生日期{birth}。", ["person_name", "ric", "birth_date"]),
    ("电话{mobile}或者座机{phone}都可以。", ["mobile_phone", "phone"]),
    ("请将材料寄到{address}，邮编{postal}。", ["address", "postal_code"]),
    ("企业统一社会信用代码为{uscc}，组织机构代码{orgcode_h}。", ["uscc", "orgcode"]),
    ("退款将打入银行卡{bank}，如有疑问发邮件至{email}。", ["bank_card", "email"]),
    ("登录IP {ip}，设备MAC {mac}，IMEI {imei}。", ["ip_address", "mac_address", "imei"]),
    ("车辆{plate}（车架号{vin}）于昨日在坐标{gps}附近被发现。", ["vehicle_plate", "vin", "gps_coordinates"]),
    ("旅客持护照{passport}及往来港澳通行证{permit}出境。", ["passport", "hk_macao_permit"]),
    ("Contact: {latin_name}, email {email}.", ["person_name", "email"]),
    ("行政区划代码{gb2260}对应的区县已撤并。", ["gb2260"]),
    ("订单号{order_no}已发货，金额{amount}元，共{serial}件。", []),
    ("本店主营{product}，欢迎选购。", []),
    ("会议定于2024年3月5日召开，请{name}先生准时参加。", ["person_name"]),
]


def write_text(g, labels):
    rnd_fill = {"name": g.name, "mobile": g.mobile, "ric": g.ric, "birth": g.birth, "phone": g.phone,
                "address": g.address, "postal": g.postal, "uscc": g.uscc, "orgcode_h": lambda: (lambda b: b[:8] + "-" + b[8])(g.orgcode_body()),
                "bank": g.bank, "email": g.email, "ip": g.ip, "mac": g.mac, "imei": g.imei, "plate": g.plate, "vin": vin,
                "gps": g.gps, "passport": g.passport, "permit": g.permit, "latin_name": g.latin_name, "gb2260": g.gb2260,
                "order_no": g.order_no, "amount": g.amount, "serial": g.serial, "product": g.product}
    utf8, gbk = b"", b""
    f8, fg = [], []
    for _ in range(600):
        tpl, types = R.choice(TEMPLATES)
        pieces = []
        rest = tpl
        ti = 0
        while "{" in rest:
            a, b = rest.split("{", 1)
            key, rest = b.split("}", 1)
            pieces.append((a, None))
            val = rnd_fill[key]()
            t = None
            if key not in ("order_no", "amount", "serial", "product"):
                t = types[ti]
                ti += 1
            pieces.append((val, t))
        pieces.append((rest + "\n", None))
        for text, t in pieces:
            b8, bg = text.encode("utf-8"), text.encode("gb18030")
            if t:
                f8.append({"type": t, "offset": len(utf8), "length": len(b8)})
                fg.append({"type": t, "offset": len(gbk), "length": len(bg)})
            utf8 += b8
            gbk += bg
    open(os.path.join(HERE, "text.txt"), "wb").write(utf8)
    open(os.path.join(HERE, "text_gbk.txt"), "wb").write(gbk)
    labels["text"] = {"text.txt": {"encoding": "utf-8", "findings": f8},
                      "text_gbk.txt": {"encoding": "gb18030", "findings": fg}}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--loc", default="/usr/lib/python3/dist-packages/stdnum/cn/loc.dat")
    a = ap.parse_args()
    g = Gen(load_loc(a.loc))
    labels = {"tables": {}, "text": {}}
    write_tables(g, labels)
    write_text(g, labels)
    # Hand-written hard cases (hard.csv is not generated).
    labels["tables"]["hard.csv"] = {"encoding": "utf-8", "columns": [
        ["手机", "none"], ["name", "none"], ["id", "ric"], ["电话", "mobile_phone"], ["", "none"], ["地址", "address"],
        ["备注", "none"]]}
    with open(os.path.join(HERE, "labels.json"), "w", encoding="utf-8") as f:
        json.dump(labels, f, ensure_ascii=False, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
