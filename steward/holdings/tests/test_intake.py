import datetime as dt
from decimal import Decimal

from django.core.management import call_command
from django.db.models import Sum

from steward.customers.models import Customer
from steward.holdings.intake import LAYOUTS, load_day, load_file, resident_id_check
from steward.holdings.models import (
    Account,
    DailyBalance,
    DailyFigures,
    IntakeBatch,
    IntakeRejectedRow,
    Product,
    Transaction,
)
from steward.holdings.reasons import english_reason
from steward.holdings.tests.conftest import DAY, write_csv
from steward.privacy.crypto import blind_index


def snapshot():
    return {
        "customers": list(
            Customer.objects.order_by("cif").values_list(
                "cif", "name", "id_number_index", "figures__aum", "figures__tier"
            )
        ),
        "ciphers": list(Customer.objects.order_by("cif").values_list("id_number", flat=True)),
        "updated": list(Customer.objects.order_by("cif").values_list("updated_at", flat=True)),
        "accounts": Account.objects.count(),
        "balances": DailyBalance.objects.count(),
        "transactions": Transaction.objects.count(),
        "figures": list(DailyFigures.objects.order_by("customer_id").values_list("customer_id", "aum")),
    }


def test_a_generated_day_loads_every_entity_and_its_figures(day_dir):
    result = load_day(None, day_dir, DAY)

    assert [b.status for b in result.batches] == ["loaded"] * 4
    assert Customer.objects.count() == 30
    assert Product.objects.count() > 10
    customer = Customer.objects.filter(figures__aum__gt=0).first()
    assert customer.owner.employee_no in {"NRM", "SRM"}
    assert customer.org.code in {"N1T1", "S1T1"}
    # the ID number is stored encrypted, findable through the blind index computed in bulk
    assert Customer.objects.get(id_number_index=blind_index("id_number", customer.id_number)) == customer
    assets = DailyBalance.objects.filter(customer=customer, account__product__is_liability=False)
    assert customer.figures.aum == assets.aggregate(s=Sum("balance"))["s"]
    assert customer.figures.as_of == DAY
    assert customer.figures.tier != ""
    assert Transaction.objects.filter(data_date=DAY).count() == result.batches[3].rows_loaded > 0


def test_re_running_a_day_changes_nothing(day_dir):
    load_day(None, day_dir, DAY)
    before = snapshot()

    load_day(None, day_dir, DAY)

    assert snapshot() == before
    assert set(IntakeBatch.objects.values_list("runs", flat=True)) == {2}


def test_bad_rows_are_quarantined_while_good_rows_load(bank, tmp_path):
    good = [
        "C1",
        "张三",
        "01",
        "11010519491231002X",
        "",
        "",
        "13900000000",
        "",
        "",
        "",
        "",
        "R2",
        "",
        "verified",
        "",
        "active",
        "N1T1",
        "NRM",
    ]
    bad_id = ["C2", "李四", "01", "110105194912310021", *good[4:]]
    other_id = "11010519800101001" + resident_id_check("11010519800101001")
    bad_org = ["C3", "王五", "01", other_id, "", "", "", "", "", "", "", "", "", "", "", "", "NOPE", ""]
    write_csv(tmp_path / "customers.csv", LAYOUTS["customers"], [good, bad_id, bad_org])

    batch = load_file(None, tmp_path / "customers.csv", "customers", DAY)

    assert (batch.status, batch.rows_loaded, batch.rows_rejected) == ("loaded", 1, 2)
    assert list(Customer.objects.values_list("cif", flat=True)) == ["C1"]
    rejected = [
        (line, english_reason(reason), raw)
        for line, reason, raw in IntakeRejectedRow.objects.order_by("line").values_list("line", "reason", "raw")
    ]
    assert [(line, reason) for line, reason, _raw in rejected] == [
        (3, "ID number is not a valid 18-digit resident ID"),
        (4, "unknown org code NOPE"),
    ]
    assert "110105194912310021" not in rejected[0][2]  # personal data is masked in the quarantine
    assert other_id not in rejected[1][2] and "王五" not in rejected[1][2]
    c1 = Customer.objects.get()
    assert (c1.birth_date, c1.gender) == (dt.date(1949, 12, 31), "F")
    assert c1.mobile_carrier != "" and c1.mobile_province != ""  # derived from the number


def test_accounts_of_unknown_customers_are_quarantined_by_the_set_based_check(day_dir, no_shrink_hold):
    load_day(None, day_dir, DAY)
    write_csv(
        day_dir / "accounts.csv",
        LAYOUTS["accounts"],
        [
            ["6200000000000001", "C0000000001", "DEP-CUR", "", "", "100.00", ""],
            ["6299999999999999", "NOBODY", "DEP-CUR", "", "", "100.00", ""],
            ["6299999999999998", "C0000000001", "DEP-CUR", "", "", "12x", ""],
        ],
    )
    batch = load_file(None, day_dir / "accounts.csv", "accounts", DAY)
    assert (batch.rows_loaded, batch.rows_rejected) == (1, 2)
    reasons = {line: english_reason(reason) for line, reason in batch.rejected_rows.values_list("line", "reason")}
    assert reasons == {3: "unknown customer number", 4: "balance is not an amount"}
    assert DailyBalance.objects.filter(data_date=DAY).count() == 1  # the day was replaced, not added to


def test_a_file_with_a_wrong_header_is_refused_and_nothing_of_it_is_applied(day_dir):
    load_day(None, day_dir, DAY)
    before = snapshot()
    lines = (day_dir / "transactions.csv").read_text().splitlines()
    (day_dir / "transactions.csv").write_text("\n".join(["ref,account,when,amount,dir,channel,text", *lines[1:]]))

    result = load_day(None, day_dir, DAY)

    refused = result.refused
    assert [b.entity for b in refused] == ["transactions"]
    assert "Wrong header in transactions.csv" in refused[0].error
    assert snapshot() == before


def test_the_command_loads_a_day_and_reports_a_refused_file(day_dir, capsys):
    call_command("load_daily", str(day_dir), "--date", DAY.isoformat(), "--no-progress")
    out = capsys.readouterr().out
    assert "customers     loaded   read 30, loaded 30, rejected 0" in out
    assert Customer.objects.count() == 30


def test_balances_drive_aum_and_the_figures_follow_the_latest_day(day_dir, tmp_path, no_shrink_hold):
    load_day(None, day_dir, DAY)
    customer = Customer.objects.order_by("-figures__aum").first()
    account = Account.objects.filter(customer=customer, product__is_liability=False).first()
    next_day = DAY + dt.timedelta(days=1)
    write_csv(
        tmp_path / "accounts.csv",
        LAYOUTS["accounts"],
        [[account.number, customer.cif, account.product.code, "", "", "1000.00", ""]],
    )
    load_day(None, tmp_path, next_day)

    customer.refresh_from_db()
    assert customer.figures.aum == Decimal("1000.00")
    assert customer.figures.as_of == next_day
    # April 1st starts a new month and quarter: their averages hold one day
    assert customer.figures.avg_daily_assets_month == Decimal("1000.00")
    assert customer.figures.avg_daily_assets_quarter == Decimal("1000.00")
    # the year average takes both days
    first = DailyFigures.objects.get(customer=customer, data_date=DAY).aum
    assert customer.figures.avg_daily_assets_year == ((first + Decimal("1000.00")) / 91).quantize(Decimal("0.01"))


def test_the_asset_trend_has_daily_points_and_the_category_split_adds_up(day_dir, tmp_path):
    from steward.holdings.figures import asset_trend, aum_by_category
    from steward.holdings.generator import generate_day

    load_day(None, day_dir, DAY)
    next_day = DAY + dt.timedelta(days=1)
    generate_day(tmp_path / "next", 30, next_day, orgs=["N1T1", "S1T1"], owners=["NRM", "SRM"], seed=7)
    load_day(None, tmp_path / "next", next_day)
    customer = Customer.objects.order_by("-figures__aum").first()

    trend = asset_trend(customer)
    assert [d for d, _aum in trend["daily"]] == [DAY, next_day]
    assert trend["daily"][-1][1] == customer.figures.aum
    assert sum(amount for _category, amount in aum_by_category(customer)) == customer.figures.aum
    # 90 days later the March points have become one monthly average
    later = asset_trend(customer, as_of=DAY + dt.timedelta(days=120))
    assert later["daily"] == []
    cent = Decimal("0.01")
    assert later["monthly"] == [
        (dt.date(2026, 3, 1), (trend["daily"][0][1] / 31).quantize(cent)),
        (dt.date(2026, 4, 1), (trend["daily"][1][1] / 30).quantize(cent)),
    ]
