"""Build crm/countries/seed_data/countries.csv (and its countries.SOURCES.md) from offline
reference data.

Sources:
- Country code list: pycountry (ISO 3166-1 alpha-2/alpha-3/numeric), plus XK (Kosovo, user-assigned
  code used by CLDR and the World Bank; alpha-3 XKX, no ISO numeric code).
- English names: Babel's CLDR data, ``babel.Locale("en").territories[code]``.
- UN M49 region/sub-region: CLDR ``supplemental/territoryContainment.json`` from the npm package
  ``cldr-core`` (pass its path on the command line), install it outside the repo with
  ``mkdir -p /tmp/cldr && cd /tmp/cldr && npm install --no-save cldr-core@48.2.0``.
- Income group: World Bank country classifications by income level, FY2025 (released July 2024,
  based on 2023 GNI per capita, Atlas method); kept as the INCOME_GROUP table below because no
  package ships it offline.

Usage:
    python scripts/build_countries.py \\
        /tmp/cldr/node_modules/cldr-core/supplemental/territoryContainment.json
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from importlib.metadata import version
from pathlib import Path

import babel
import babel.core
import pycountry

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUTPUT = REPO_ROOT / "crm" / "countries" / "seed_data" / "countries.csv"

COLUMNS = ["code", "alpha3", "numeric", "name", "region", "subregion", "eu_member", "income_group"]

# Kosovo is not in ISO 3166-1 (so not in pycountry) but CLDR and the World Bank both use XK/XKX.
EXTRA_COUNTRIES = {"XK": {"alpha3": "XKX", "numeric": ""}}

# CLDR's M49 root; its direct children are the five M49 regions.
WORLD = "001"
M49_CODE = re.compile(r"^\d{3}$")

# Territories allowed to have no M49 region/sub-region. CLDR places Antarctica (AQ) only under
# 009 -> QO ("Outlying Oceania"), which is a CLDR-private container, not an M49 sub-region (UN M49
# itself lists Antarctica directly under 001 World). So AQ gets region "" and subregion "".
UNASSIGNED_REGION_OK = {"AQ"}

EU_MEMBERS = frozenset(
    {
        "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE",
        "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
    }
)  # fmt: skip

INCOME_GROUPS = ("low", "lower_middle", "upper_middle", "high")
INCOME_SOURCE = "World Bank country classifications by income level, FY2025 (July 2024)"

# World Bank FY2025 income classification (effective 1 July 2024 - 30 June 2025), keyed by ISO
# alpha-2. Transcribed from the World Bank's CLASS.xlsx for FY2025 (thresholds on 2023 GNI per
# capita: low <= $1,145; lower middle $1,146-4,515; upper middle $4,516-14,005; high > $14,005).
# Territories absent from this table get an empty income_group: those the World Bank does not list
# as separate economies, and Venezuela (VE), which the World Bank has left unclassified since
# FY2022 pending revised national accounts. JE and GG are listed by the World Bank jointly as the
# "Channel Islands" economy (code CHI); both carry that classification here.
INCOME_GROUP: dict[str, str] = {
    "AD": "high",
    "AE": "high",
    "AF": "low",
    "AG": "high",
    "AL": "upper_middle",
    "AM": "upper_middle",
    "AO": "lower_middle",
    "AR": "upper_middle",
    "AS": "high",
    "AT": "high",
    "AU": "high",
    "AW": "high",
    "AZ": "upper_middle",
    "BA": "upper_middle",
    "BB": "high",
    "BD": "lower_middle",
    "BE": "high",
    "BF": "low",
    "BG": "high",
    "BH": "high",
    "BI": "low",
    "BJ": "lower_middle",
    "BM": "high",
    "BN": "high",
    "BO": "lower_middle",
    "BR": "upper_middle",
    "BS": "high",
    "BT": "lower_middle",
    "BW": "upper_middle",
    "BY": "upper_middle",
    "BZ": "upper_middle",
    "CA": "high",
    "CD": "low",
    "CF": "low",
    "CG": "lower_middle",
    "CH": "high",
    "CI": "lower_middle",
    "CL": "high",
    "CM": "lower_middle",
    "CN": "upper_middle",
    "CO": "upper_middle",
    "CR": "upper_middle",
    "CU": "upper_middle",
    "CV": "lower_middle",
    "CW": "high",
    "CY": "high",
    "CZ": "high",
    "DE": "high",
    "DJ": "lower_middle",
    "DK": "high",
    "DM": "upper_middle",
    "DO": "upper_middle",
    "DZ": "upper_middle",
    "EC": "upper_middle",
    "EE": "high",
    "EG": "lower_middle",
    "ER": "low",
    "ES": "high",
    "ET": "low",
    "FI": "high",
    "FJ": "upper_middle",
    "FM": "lower_middle",
    "FO": "high",
    "FR": "high",
    "GA": "upper_middle",
    "GB": "high",
    "GD": "upper_middle",
    "GE": "upper_middle",
    "GG": "high",  # WB economy "Channel Islands" (CHI)
    "GH": "lower_middle",
    "GI": "high",
    "GL": "high",
    "GM": "low",
    "GN": "lower_middle",
    "GQ": "upper_middle",
    "GR": "high",
    "GT": "upper_middle",
    "GU": "high",
    "GW": "low",
    "GY": "high",
    "HK": "high",
    "HN": "lower_middle",
    "HR": "high",
    "HT": "lower_middle",
    "HU": "high",
    "ID": "upper_middle",
    "IE": "high",
    "IL": "high",
    "IM": "high",
    "IN": "lower_middle",
    "IQ": "upper_middle",
    "IR": "upper_middle",
    "IS": "high",
    "IT": "high",
    "JE": "high",  # WB economy "Channel Islands" (CHI)
    "JM": "upper_middle",
    "JO": "lower_middle",
    "JP": "high",
    "KE": "lower_middle",
    "KG": "lower_middle",
    "KH": "lower_middle",
    "KI": "lower_middle",
    "KM": "lower_middle",
    "KN": "high",
    "KP": "low",
    "KR": "high",
    "KW": "high",
    "KY": "high",
    "KZ": "upper_middle",
    "LA": "lower_middle",
    "LB": "lower_middle",
    "LC": "upper_middle",
    "LI": "high",
    "LK": "lower_middle",
    "LR": "low",
    "LS": "lower_middle",
    "LT": "high",
    "LU": "high",
    "LV": "high",
    "LY": "upper_middle",
    "MA": "lower_middle",
    "MC": "high",
    "MD": "upper_middle",
    "ME": "upper_middle",
    "MF": "high",
    "MG": "low",
    "MH": "upper_middle",
    "MK": "upper_middle",
    "ML": "low",
    "MM": "lower_middle",
    "MN": "upper_middle",
    "MO": "high",
    "MP": "high",
    "MR": "lower_middle",
    "MT": "high",
    "MU": "upper_middle",
    "MV": "upper_middle",
    "MW": "low",
    "MX": "upper_middle",
    "MY": "upper_middle",
    "MZ": "low",
    "NA": "upper_middle",
    "NC": "high",
    "NE": "low",
    "NG": "lower_middle",
    "NI": "lower_middle",
    "NL": "high",
    "NO": "high",
    "NP": "lower_middle",
    "NR": "high",
    "NZ": "high",
    "OM": "high",
    "PA": "high",
    "PE": "upper_middle",
    "PF": "high",
    "PG": "lower_middle",
    "PH": "lower_middle",
    "PK": "lower_middle",
    "PL": "high",
    "PR": "high",
    "PS": "lower_middle",  # WB "West Bank and Gaza"
    "PT": "high",
    "PW": "high",
    "PY": "upper_middle",
    "QA": "high",
    "RO": "high",
    "RS": "upper_middle",
    "RU": "high",
    "RW": "low",
    "SA": "high",
    "SB": "lower_middle",
    "SC": "high",
    "SD": "low",
    "SE": "high",
    "SG": "high",
    "SI": "high",
    "SK": "high",
    "SL": "low",
    "SM": "high",
    "SN": "lower_middle",
    "SO": "low",
    "SR": "upper_middle",
    "SS": "low",
    "ST": "lower_middle",
    "SV": "upper_middle",
    "SX": "high",
    "SY": "low",
    "SZ": "lower_middle",
    "TC": "high",
    "TD": "low",
    "TG": "low",
    "TH": "upper_middle",
    "TJ": "lower_middle",
    "TL": "lower_middle",
    "TM": "upper_middle",
    "TN": "lower_middle",
    "TO": "upper_middle",
    "TR": "upper_middle",
    "TT": "high",
    "TV": "upper_middle",
    "TW": "high",
    "TZ": "lower_middle",
    "UA": "upper_middle",
    "UG": "low",
    "US": "high",
    "UY": "high",
    "UZ": "lower_middle",
    "VC": "upper_middle",
    "VG": "high",
    "VI": "high",
    "VN": "lower_middle",
    "VU": "lower_middle",
    "WS": "lower_middle",
    "XK": "upper_middle",  # WB code XKX
    "YE": "low",
    "ZA": "upper_middle",
    "ZM": "lower_middle",
    "ZW": "lower_middle",
}

# Sanity checks on the derived data; the build fails if any of these do not hold.
EXPECTED_REGIONS = {
    "BR": ("019", "005"),
    "DE": ("150", "155"),
    "IN": ("142", "034"),
    "SA": ("142", "145"),
    "AU": ("009", "053"),
    "MX": ("019", "013"),
    "US": ("019", "021"),
    "ZA": ("002", "018"),
    "AQ": ("", ""),
}
EXPECTED_INCOME = {
    "BR": "upper_middle",
    "IN": "lower_middle",
    "US": "high",
    "DE": "high",
    "SA": "high",
    "PK": "lower_middle",
    "MX": "upper_middle",
    "CO": "upper_middle",
    "AR": "upper_middle",
    "NG": "lower_middle",
    "ET": "low",
    "AF": "low",
    "CL": "high",
    "PE": "upper_middle",
    "PH": "lower_middle",
    "MY": "upper_middle",
    "RU": "high",
    "VE": "",
    "AQ": "",
}


def load_containment(path: Path) -> tuple[dict[str, list[str]], str]:
    """Return CLDR's container -> members mapping and the CLDR version of the file."""
    with path.open(encoding="utf-8") as fh:
        supplemental = json.load(fh)["supplemental"]
    tree = {key: value["_contains"] for key, value in supplemental["territoryContainment"].items()}
    return tree, supplemental["version"]["_cldrVersion"]


def m49_regions(tree: dict[str, list[str]]) -> dict[str, tuple[str, str]]:
    """Map territory -> (M49 region, M49 sub-region) following 001 -> region -> sub-region.

    Only the plain numeric containers under 001 are walked, so CLDR's grouping containers
    (EU, EZ, UN, 003, 202, 419), "-status-deprecated"/"-status-grouping" entries and the
    non-M49 QO (Outlying Oceania) container are ignored.
    """
    result: dict[str, tuple[str, str]] = {}
    for region in tree[WORLD]:
        if not M49_CODE.match(region):
            continue
        for subregion in tree[region]:
            if not M49_CODE.match(subregion):
                continue
            for territory in tree[subregion]:
                if territory in result:
                    raise SystemExit(f"{territory} is in two M49 sub-regions")
                result[territory] = (region, subregion)
    return result


def country_rows(regions: dict[str, tuple[str, str]]) -> list[dict[str, str]]:
    en_names = babel.Locale("en").territories
    base: dict[str, dict[str, str]] = {}
    for country in pycountry.countries:
        base[country.alpha_2] = {
            "alpha3": country.alpha_3,
            "numeric": country.numeric,
            # Babel/CLDR has an English name for every ISO code today; pycountry's name is only a
            # fallback should a future Babel lack one.
            "fallback_name": country.name,
        }
    for code, extra in EXTRA_COUNTRIES.items():
        base[code] = {**extra, "fallback_name": "Kosovo"}

    unknown_income = set(INCOME_GROUP) - set(base)
    if unknown_income:
        raise SystemExit(f"income table has unknown codes: {sorted(unknown_income)}")
    bad_groups = {code for code, group in INCOME_GROUP.items() if group not in INCOME_GROUPS}
    if bad_groups:
        raise SystemExit(f"income table has invalid groups for: {sorted(bad_groups)}")
    missing_eu = EU_MEMBERS - set(base)
    if missing_eu:
        raise SystemExit(f"EU codes missing from the country list: {sorted(missing_eu)}")

    rows = []
    for code in sorted(base):
        info = base[code]
        region, subregion = regions.get(code, ("", ""))
        if not region and code not in UNASSIGNED_REGION_OK:
            raise SystemExit(f"{code} has no M49 region in the CLDR containment data")
        rows.append(
            {
                "code": code,
                "alpha3": info["alpha3"],
                "numeric": info["numeric"],
                "name": en_names.get(code) or info["fallback_name"],
                "region": region,
                "subregion": subregion,
                "eu_member": "1" if code in EU_MEMBERS else "0",
                "income_group": INCOME_GROUP.get(code, ""),
            }
        )
    return rows


def check_rows(rows: list[dict[str, str]]) -> None:
    by_code = {row["code"]: row for row in rows}
    problems = []
    for code, expected in EXPECTED_REGIONS.items():
        got = (by_code[code]["region"], by_code[code]["subregion"])
        if got != expected:
            problems.append(f"{code}: region/subregion {got} != {expected}")
    for code, expected in EXPECTED_INCOME.items():
        if by_code[code]["income_group"] != expected:
            problems.append(
                f"{code}: income_group {by_code[code]['income_group']!r} != {expected!r}"
            )
    if problems:
        raise SystemExit("sanity checks failed:\n" + "\n".join(problems))


def write_csv(rows: list[dict[str, str]], output: Path) -> None:
    output.parent.mkdir(parents=True, exist_ok=True)
    with output.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def write_sources(rows: list[dict[str, str]], output: Path, cldr_core: str, cldr: str) -> None:
    unclassified = [row for row in rows if not row["income_group"]]
    unclassified_list = "\n".join(f"- `{row['code']}` {row['name']}" for row in unclassified)
    text = f"""\
# Sources for {output.name}

Generated by `scripts/build_countries.py`; do not edit `{output.name}` by hand.

- **Country codes**: pycountry {version("pycountry")} (ISO 3166-1 alpha-2, alpha-3, numeric),
  plus `XK` Kosovo (alpha-3 `XKX`, no numeric code), which is not in ISO 3166-1 but is used
  by CLDR and the World Bank.
- **Names** (`name`): Babel {babel.__version__} (CLDR {babel.core.get_cldr_version()}),
  English territory names, `babel.Locale("en").territories[code]`.
- **UN M49 region / sub-region** (`region`, `subregion`): npm package `cldr-core` {cldr_core}
  (CLDR {cldr}), `supplemental/territoryContainment.json`, following 001 World -> region
  (002, 009, 019, 142, 150) -> sub-region. CLDR's grouping containers (EU, EZ, UN, 003, 202,
  419) and its non-M49 `QO` (Outlying Oceania) are ignored, so `AQ` Antarctica has an empty
  region and sub-region (UN M49 lists it under World only).
- **EU membership** (`eu_member`): 1 for the 27 EU member states, otherwise 0.
- **Income group** (`income_group`): {INCOME_SOURCE},
  based on 2023 GNI per capita (Atlas method). Values: `low`, `lower_middle`, `upper_middle`,
  `high`. `JE` and `GG` take the classification of the World Bank economy
  "Channel Islands" (CHI).

## Codes without an income group ({len(unclassified)})

Empty `income_group`: `VE` Venezuela has been unclassified by the World Bank since FY2022
(pending revised national accounts); the others are not listed by the World Bank as separate
economies.

{unclassified_list}
"""
    sources = output.with_name(output.stem + ".SOURCES.md")
    sources.write_text(text, encoding="utf-8", newline="\n")


def cldr_core_version(containment: Path) -> str:
    package_json = containment.resolve().parent.parent / "package.json"
    try:
        return json.loads(package_json.read_text(encoding="utf-8"))["version"]
    except (OSError, KeyError, ValueError):
        return "(unknown version)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Build crm/countries/seed_data/countries.csv and countries.SOURCES.md from "
        "pycountry, Babel/CLDR names, CLDR M49 containment and the World Bank FY2025 income groups."
    )
    parser.add_argument(
        "containment",
        type=Path,
        help="path to cldr-core's supplemental/territoryContainment.json "
        "(npm install --no-save cldr-core@48.2.0, outside the repo)",
    )
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        default=DEFAULT_OUTPUT,
        help=f"CSV to write; countries.SOURCES.md goes next to it (default: {DEFAULT_OUTPUT})",
    )
    args = parser.parse_args(argv)

    tree, cldr = load_containment(args.containment)
    rows = country_rows(m49_regions(tree))
    check_rows(rows)
    write_csv(rows, args.output)
    write_sources(rows, args.output, cldr_core_version(args.containment), cldr)
    unclassified = sum(1 for row in rows if not row["income_group"])
    print(f"wrote {len(rows)} rows to {args.output} ({unclassified} without income group)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
