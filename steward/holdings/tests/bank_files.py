"""A small writer of T+1 intake files for the intake's tests — written from docs/data-intake.md,
independently of steward/holdings/generator.py (which the intake ships), so that a mistake shared by
the shipped generator and the intake cannot hide here. Rows are given explicitly by each test."""

from __future__ import annotations

import csv
from pathlib import Path

HEADERS = {
    "products": "code,name,category,risk_level,currency,term_days,maturity_date,is_liability",
    "customers": (
        "cif,name,id_type,id_number,birth_date,gender,mobile,address,occupation,education,income_band,"
        "risk_level,risk_expires_on,kyc_status,source,status,org_code,owner_employee_no"
    ),
    "accounts": "account_no,cif,product_code,opened_on,closed_on,balance,expires_on",
    "transactions": "reference,account_no,booked_at,amount,direction,channel,description",
}
PRODUCTS = [
    ["DEP", "活期储蓄", "demand", "R1", "CNY", "", "", "N"],
    ["FUND", "债券基金", "funds", "R2", "CNY", "", "", "N"],
    ["GOLD", "积存金", "metals", "R3", "USD", "", "", "N"],
    ["CARD", "信用卡", "cards", "", "CNY", "", "", "Y"],
]
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def resident_id(serial: int, birth: str = "19800101", region: str = "110105") -> str:
    """A valid 18-digit resident ID (ISO 7064 MOD 11-2 check character)."""
    first = f"{region}{birth}{serial % 1000:03d}"
    return first + "10X98765432"[sum(int(d) * w for d, w in zip(first, WEIGHTS, strict=True)) % 11]


def customer(cif: str, name: str, *, mobile: str = "", status: str = "active", org: str = "N1T1", serial: int = 1):
    return [
        cif,
        name,
        "01",
        resident_id(serial),
        "",
        "",
        mobile,
        "",
        "",
        "",
        "",
        "R2",
        "",
        "verified",
        "",
        status,
        org,
        "",
    ]


def account(number: str, cif: str, product: str = "DEP", balance: str = "100.00", *, closed: str = ""):
    return [number, cif, product, "2020-01-01", closed, balance, ""]


def txn(reference: str, number: str, amount: str = "10.00", booked: str = "2026-03-31 10:00:00", direction: str = "C"):
    return [reference, number, booked, amount, direction, "mobile", ""]


def write(directory: Path, entity: str, rows: list[list[str]]) -> Path:
    """`entity`.csv in `directory` (created) with the documented header and `rows`."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{entity}.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        handle.write(HEADERS[entity] + "\r\n")
        csv.writer(handle).writerows(rows)
    return path


def write_bytes(directory: Path, entity: str, lines: list[bytes]) -> Path:
    """`entity`.csv from raw lines (after the header), e.g. one that is not valid UTF-8."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{entity}.csv"
    path.write_bytes(HEADERS[entity].encode() + b"\n" + b"".join(line + b"\n" for line in lines))
    return path
