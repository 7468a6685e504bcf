"""Checks on the committed crm/countries/seed_data/countries.csv (built by
scripts/build_countries.py)."""

import csv
from pathlib import Path

import pycountry
import pytest

CSV_PATH = Path(__file__).resolve().parents[2] / "crm" / "countries" / "seed_data" / "countries.csv"
COLUMNS = ["code", "alpha3", "numeric", "name", "region", "subregion", "eu_member", "income_group"]
EU_27 = {
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE",
    "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
}  # fmt: skip
INCOME_GROUPS = {"", "low", "lower_middle", "upper_middle", "high"}


@pytest.fixture(scope="module")
def rows():
    with CSV_PATH.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames == COLUMNS
        return list(reader)


@pytest.fixture(scope="module")
def by_code(rows):
    return {row["code"]: row for row in rows}


def test_file_is_plain_utf8_with_lf():
    raw = CSV_PATH.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    assert b"\r" not in raw
    raw.decode("utf-8")


def test_codes(rows):
    codes = [row["code"] for row in rows]
    assert len(codes) == 250
    assert len(set(codes)) == 250
    assert codes == sorted(codes)
    assert set(codes) == {c.alpha_2 for c in pycountry.countries} | {"XK"}


def test_kosovo(by_code):
    assert by_code["XK"]["alpha3"] == "XKX"
    assert by_code["XK"]["numeric"] == ""


def test_names_and_iso_codes(rows):
    for row in rows:
        assert row["name"], row["code"]
        if row["code"] != "XK":
            country = pycountry.countries.get(alpha_2=row["code"])
            assert row["alpha3"] == country.alpha_3
            assert row["numeric"] == country.numeric


def test_eu_members(rows):
    assert {row["eu_member"] for row in rows} == {"0", "1"}
    assert {row["code"] for row in rows if row["eu_member"] == "1"} == EU_27


def test_income_groups_allowed(rows):
    assert {row["income_group"] for row in rows} <= INCOME_GROUPS


def test_every_row_but_antarctica_has_m49_region(rows):
    for row in rows:
        if row["code"] == "AQ":
            assert (row["region"], row["subregion"]) == ("", "")
        else:
            assert row["region"] in {"002", "009", "019", "142", "150"}, row["code"]
            assert len(row["subregion"]) == 3, row["code"]
            assert row["subregion"].isdigit(), row["code"]


@pytest.mark.parametrize(
    ("code", "region", "subregion"),
    [
        ("BR", "019", "005"),
        ("DE", "150", "155"),
        ("IN", "142", "034"),
        ("SA", "142", "145"),
        ("AU", "009", "053"),
        ("MX", "019", "013"),
        ("US", "019", "021"),
        ("ZA", "002", "018"),
    ],
)
def test_example_regions(by_code, code, region, subregion):
    assert (by_code[code]["region"], by_code[code]["subregion"]) == (region, subregion)


@pytest.mark.parametrize(
    ("code", "income_group"),
    [
        ("BR", "upper_middle"),
        ("IN", "lower_middle"),
        ("US", "high"),
        ("DE", "high"),
        ("SA", "high"),
        ("PK", "lower_middle"),
        ("MX", "upper_middle"),
        ("CO", "upper_middle"),
        ("AR", "upper_middle"),
        ("NG", "lower_middle"),
        ("ET", "low"),
        ("AF", "low"),
        ("CL", "high"),
        ("PE", "upper_middle"),
        ("PH", "lower_middle"),
        ("MY", "upper_middle"),
        ("RU", "high"),
        ("VE", ""),
        ("AQ", ""),
    ],
)
def test_example_income_groups(by_code, code, income_group):
    assert by_code[code]["income_group"] == income_group
