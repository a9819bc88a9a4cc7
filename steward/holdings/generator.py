"""A realistic day of T+1 files for N customers, reproducible from a seed (demo and benchmark).

Static attributes (identity, accounts, base balances) depend only on the seed and the
customer's number, so consecutive days describe the same bank; balances drift and
transactions differ from day to day.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path

from steward.holdings.intake import LAYOUTS, resident_id_check

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红梅鑫波斌宇浩凯健俊帆帅旭宁龙林欣怡佳琪晨阳雪婷慧颖"
REGIONS = ["110101", "310104", "440305", "330106", "320102", "510107", "420106", "370202", "350203", "610113"]
CHANNELS = ["counter", "mobile", "online", "atm", "pos", "payroll"]
PRODUCTS = [
    # code, name, category, risk, term days, maturity offset (days from the data date), liability
    ("DEP-CUR", "活期储蓄", "demand", "R1", None, None, False),
    ("DEP-3M", "三个月定期", "time", "R1", 90, 20, False),
    ("DEP-1Y", "一年期定期", "time", "R1", 365, 200, False),
    ("DEP-3Y", "三年期大额存单", "time", "R1", 1095, 700, False),
    ("WM-STEADY", "稳健理财30天", "wealth", "R2", 30, 10, False),
    ("WM-BAL", "平衡理财180天", "wealth", "R3", 180, 90, False),
    ("WM-GROW", "进取理财365天", "wealth", "R4", 365, 300, False),
    ("FD-MMF", "货币基金A", "funds", "R1", None, None, False),
    ("FD-BOND", "纯债基金", "funds", "R2", None, None, False),
    ("FD-EQ", "沪深300指数基金", "funds", "R4", None, None, False),
    ("FD-TECH", "科技成长混合", "funds", "R5", None, None, False),
    ("INS-ANN", "年金保险", "insurance", "R2", 3650, None, False),
    ("BD-GOV", "储蓄国债（电子式）", "bonds", "R1", 1095, 400, False),
    ("MT-GOLD", "积存金", "metals", "R3", None, None, False),
    ("LN-MORT", "个人住房贷款", "loans", "", 7300, None, True),
    ("LN-CONS", "个人消费贷款", "loans", "", 1095, None, True),
    ("CC-STD", "信用卡（标准卡）", "cards", "", None, None, True),
]
EPOCH = dt.date(2026, 1, 1)  # static dates (account opening, risk expiry) count from here, not from the day
WEIGHTS = [40, 8, 8, 3, 6, 4, 2, 8, 4, 4, 2, 2, 2, 2, 2, 2, 6]


# ≈ 2.5 accounts per customer and ≈ 1 transaction per customer a day, as in the target bank
# (1,000,000 customers, 2,500,000 accounts, 1,000,000 transactions a day).
TXN_PER_ASSET_ACCOUNT = 0.46


def _card_expiry(rng: random.Random) -> str:
    """A card's expiry: the last day of a month within the next five years (from EPOCH)."""
    year, month = divmod(EPOCH.month - 1 + rng.randrange(1, 60), 12)
    first_of_next = dt.date(EPOCH.year + year + (month + 1) // 12, (month + 1) % 12 + 1, 1)
    return (first_of_next - dt.timedelta(days=1)).isoformat()


def _id_number(rng: random.Random) -> tuple[str, dt.date, str]:
    birth = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 55))
    seq = rng.randrange(0, 1000)
    first = f"{rng.choice(REGIONS)}{birth:%Y%m%d}{seq:03d}"
    return first + resident_id_check(first), birth, "M" if seq % 2 else "F"


def generate_day(
    out_dir: Path, customers: int, day: dt.date, *, orgs: list[str], owners: list[str], seed: int = 20260331
) -> dict[str, int]:
    """Write products.csv, customers.csv, accounts.csv and transactions.csv; return row counts."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    counts = {}
    with open(out_dir / "products.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(LAYOUTS["products"])
        for code, name, category, risk, term, offset, liability in PRODUCTS:
            maturity = (day + dt.timedelta(days=offset)).isoformat() if offset is not None else ""
            writer.writerow([code, name, category, risk, "CNY", term or "", maturity, "Y" if liability else "N"])
        counts["products"] = len(PRODUCTS)
    day_rng = random.Random(f"{seed}:{day.isoformat()}")
    drift_day = day.toordinal()
    n_accounts = n_txns = 0
    with (
        open(out_dir / "customers.csv", "w", newline="", encoding="utf-8") as cust_file,
        open(out_dir / "accounts.csv", "w", newline="", encoding="utf-8") as acct_file,
        open(out_dir / "transactions.csv", "w", newline="", encoding="utf-8") as txn_file,
    ):
        customers_w, accounts_w, txns_w = csv.writer(cust_file), csv.writer(acct_file), csv.writer(txn_file)
        customers_w.writerow(LAYOUTS["customers"])
        accounts_w.writerow(LAYOUTS["accounts"])
        txns_w.writerow(LAYOUTS["transactions"])
        for i in range(customers):
            rng = random.Random(seed * 1_000_003 + i)
            cif = f"C{i + 1:010d}"
            id_number, birth, gender = _id_number(rng)
            wealth = rng.lognormvariate(11, 1.6)  # median ≈ 60,000, a long tail of rich customers
            customers_w.writerow(
                [
                    cif,
                    rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2)))),
                    "01",
                    id_number,
                    birth.isoformat(),
                    gender,
                    f"1{rng.choice('35789')}{rng.randrange(10**9):09d}",
                    f"{rng.choice(['北京市朝阳区', '上海市徐汇区', '深圳市南山区', '杭州市西湖区'])}{rng.randrange(1, 999)}号",
                    rng.choice(["01", "02", "03", "04", "08", "09"]),
                    rng.choice(["02", "03", "04", "05"]),
                    rng.choice(["A", "B", "C", "D"]),
                    rng.choice(["R1", "R2", "R3", "R4", "R5"]),
                    (EPOCH + dt.timedelta(days=rng.randrange(60, 800))).isoformat(),
                    "verified",
                    rng.choice(["branch", "mobile_app", "payroll", "referral"]),
                    "active",
                    orgs[i % len(orgs)],
                    owners[i % len(owners)] if owners and rng.random() < 0.9 else "",
                ]
            )
            held = rng.choices(range(len(PRODUCTS)), weights=WEIGHTS, k=rng.choice((1, 2, 2, 3, 3, 4)))
            held = sorted(set(held) | {0})
            for k, p in enumerate(held):
                code, _name, _cat, _risk, _term, _offset, liability = PRODUCTS[p]
                share = rng.random()
                base = wealth * share * (3 if liability else 1)
                drift = 1 + 0.02 * ((drift_day * 7 + i * 13 + k) % 11 - 5) / 5
                number = f"62{(i * 8 + k):014d}"
                accounts_w.writerow(
                    [
                        number,
                        cif,
                        code,
                        (EPOCH - dt.timedelta(days=rng.randrange(30, 3000))).isoformat(),
                        "",
                        f"{base * drift:.2f}",
                        _card_expiry(rng) if code.startswith("CC-") else "",
                    ]
                )
                n_accounts += 1
                if not liability and day_rng.random() < TXN_PER_ASSET_ACCOUNT:
                    n_txns += 1
                    amount = day_rng.choice([base * 0.1, 5000, 200, 88.8, base * 0.5])
                    txns_w.writerow(
                        [
                            f"T{day:%Y%m%d}{n_txns:09d}",
                            number,
                            f"{day.isoformat()} {day_rng.randrange(8, 22):02d}:{day_rng.randrange(60):02d}:00",
                            f"{max(amount, 1):.2f}",
                            day_rng.choice("CD"),
                            day_rng.choice(CHANNELS),
                            day_rng.choice(["工资", "转账", "消费", "理财申购", "还款", "取现"]),
                        ]
                    )
    counts.update(customers=customers, accounts=n_accounts, transactions=n_txns)
    return counts
