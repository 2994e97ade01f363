"""The workbook contract: its sheets, their columns (fields of Vehicle), which are required, the
names people give them, and the words coded columns accept.

One module for what the readers accept and the template writes (docs/workbook-format.md
describes it for people). Pure data, no behaviour: names that people give sheets and headers
are keyed as normalised (case, spaces, hyphens and underscores ignored; see
`rvc.readers.raw.normalize_name`).
"""

from __future__ import annotations

from typing import Literal

SheetName = Literal["Vehicle", "BOM", "SteelAluminum", "LVC", "FX"]
SHEETS: tuple[SheetName, ...] = ("Vehicle", "BOM", "SteelAluminum", "LVC", "FX")
"""The contract's sheets (CSV: one file each, `BOM.csv`), in the order they are read."""
REQUIRED_SHEETS: tuple[SheetName, ...] = ("Vehicle", "BOM")
OPTIONAL_SHEETS: tuple[SheetName, ...] = ("SteelAluminum", "LVC", "FX")
"""A missing optional sheet leaves its requirement not evaluated (FX: no conversion)."""
OTHER_SPELLINGS: dict[str, tuple[str, ...]] = {"SteelAluminum": ("SteelAluminium",)}
"""Spellings of a sheet's name that are the contract's own, not a mapping."""

CONTRACT: dict[str, tuple[str, ...]] = {
    "Vehicle": (
        "model_line",
        "vehicle_class",
        "hs_subheading",
        "producer",
        "plant",
        "as_of",
        "currency",
        "net_cost",
        "transaction_value",
        "lvc_formula",
        "total_annual_purchase_value",
        "production_wages_total",
    ),
    "BOM": (
        "part_number",
        "parent",
        "description",
        "hs_code",
        "quantity",
        "unit_cost",
        "originating",
        "core_part",
        "rvc_percent",
        "supplier",
        "country",
    ),
    "SteelAluminum": (
        "material",
        "value",
        "originating",
        "melted_and_poured",
        "description",
        "supplier",
        "hs_code",
    ),
    "LVC": (
        "category",
        "amount",
        "hourly_wage",
        "assembly_type",
        "annual_capacity",
        "description",
        "plant",
        "country",
        "wage_currency",
    ),
    "FX": ("currency", "rate", "date", "source"),
}
"""The columns (fields of Vehicle) of the workbook contract, in the contract's order."""

PERIOD_FIELDS: tuple[str, ...] = (
    "volume",
    "volume_exported",
    "period_start",
    "period_end",
    "fiscal_year_start",
    "country",
)
"""The Vehicle fields for averaging over a period (`rvc average`, s. 16); `rvc check` ignores
them."""

EXTENSIONS: dict[str, tuple[str, ...]] = {
    "Vehicle": PERIOD_FIELDS,
    "BOM": ("level", "currency", "resourcing_cost"),
    "SteelAluminum": ("currency",),
    "LVC": ("currency",),
}
"""Optional columns rvc adds to the contract (see the README)."""

FIELDS: dict[str, tuple[str, ...]] = {
    sheet: names + EXTENSIONS.get(sheet, ()) for sheet, names in CONTRACT.items()
}
"""Every column rvc reads on each sheet: the contract's, then the extensions."""

REQUIRED: dict[str, tuple[str, ...]] = {
    "Vehicle": ("model_line", "vehicle_class", "net_cost"),
    "BOM": ("part_number", "unit_cost"),
    "SteelAluminum": ("material", "value", "originating"),
    "LVC": ("category",),
    "FX": ("currency", "rate"),
}
"""The columns (fields) a sheet must have; its header row is the first row naming them all.
Some others are required by row: an LVC `labor` row needs `amount` and `hourly_wage`."""

HEADER_ALIASES: dict[str, dict[str, str]] = {
    "BOM": {
        "qty": "quantity",
        "qnty": "quantity",
        "quantityper": "quantity",
        "compqty": "quantity",
        "hts": "hs_code",
        "htscode": "hs_code",
        "hs": "hs_code",
        "hsn": "hs_code",
        "tariff": "hs_code",
        "tariffcode": "hs_code",
        "tariffnumber": "hs_code",
        "commoditycode": "hs_code",
        "parentpart": "parent",
        "parentpn": "parent",
        "parentpartnumber": "parent",
        "parentitem": "parent",
        "origin": "originating",
        "orig": "originating",
        "originstatus": "originating",
        "isoriginating": "originating",
        "partno": "part_number",
        "pn": "part_number",
        "partnum": "part_number",
        "partid": "part_number",
        "itemnumber": "part_number",
        "itemno": "part_number",
        "cost": "unit_cost",
        "price": "unit_cost",
        "unitprice": "unit_cost",
        "costeach": "unit_cost",
        "desc": "description",
        "descr": "description",
        "core": "core_part",
        "corepartcategory": "core_part",
        "rvc": "rvc_percent",
        "rvc%": "rvc_percent",
        "vendor": "supplier",
        "coo": "country",
        "countryoforigin": "country",
        "lvl": "level",
        "bomlevel": "level",
        "curr": "currency",
        "curr.": "currency",
        "usage": "quantity",
        "htsus": "hs_code",
        "nextassembly": "parent",
        "parentassembly": "parent",
        "rvcpct": "rvc_percent",
        "rvcpercentage": "rvc_percent",
    },
    "SteelAluminum": {
        "metal": "material",
        "origin": "originating",
        "orig": "originating",
        "amount": "value",
        "cost": "value",
        "purchasevalue": "value",
        "meltedpoured": "melted_and_poured",
        "meltandpour": "melted_and_poured",
        "meltpour": "melted_and_poured",
        "meltedandpouredinna": "melted_and_poured",
        "hts": "hs_code",
        "tariff": "hs_code",
        "vendor": "supplier",
        "curr": "currency",
    },
    "LVC": {
        "type": "category",
        "wage": "hourly_wage",
        "hourlyrate": "hourly_wage",
        "wagerate": "hourly_wage",
        "capacity": "annual_capacity",
        "curr": "currency",
        "wagecurr": "wage_currency",
        "wagecurrencycode": "wage_currency",
    },
    "FX": {"exchangerate": "rate", "fxrate": "rate", "curr": "currency"},
    "Vehicle": {
        "class": "vehicle_class",
        "model": "model_line",
        "asofdate": "as_of",
        "hs": "hs_subheading",
        "hts": "hs_subheading",
        "netcostperunit": "net_cost",
        "curr": "currency",
        "currencycode": "currency",
        "vehicletype": "vehicle_class",
        "modelname": "model_line",
        "lvcmethod": "lvc_formula",
    },
}
"""Common ERP names of contract columns (normalised header -> contract column), per sheet: not
accepted as the column, but recognised as meaning it (a "did you mean", rvc.readers.suggest)."""

SHEET_ALIASES: dict[str, str] = {
    "billofmaterials": "BOM",
    "billofmaterial": "BOM",
    "bill": "BOM",
    "partslist": "BOM",
    "parts": "BOM",
    "boms": "BOM",
    "vehicleinfo": "Vehicle",
    "vehicledata": "Vehicle",
    "car": "Vehicle",
    "steel": "SteelAluminum",
    "aluminum": "SteelAluminum",
    "aluminium": "SteelAluminum",
    "steelandaluminum": "SteelAluminum",
    "steelandaluminium": "SteelAluminum",
    "metals": "SteelAluminum",
    "laborvaluecontent": "LVC",
    "labourvaluecontent": "LVC",
    "exchangerates": "FX",
    "rates": "FX",
}
"""Sheet names people give the contract's sheets (normalised -> contract sheet), likewise
recognised, never read as the sheet without a `[sheets]` mapping."""

# --- the words coded columns accept ---------------------------------------------------------

CHOICES: dict[str, tuple[str, ...]] = {
    "vehicle_class": ("passenger_vehicle", "light_truck", "heavy_truck"),
    "originating": ("Y", "N"),
    "core_part": (
        "engine",
        "transmission",
        "body_chassis",
        "axle",
        "suspension",
        "steering",
        "advanced_battery",
    ),
    "material": ("steel", "aluminum"),
    "melted_and_poured": ("Y", "N"),
    "category": ("material", "labor", "technology", "assembly_plant"),
    "assembly_type": ("engine", "transmission", "advanced_battery"),
    "lvc_formula": ("net_cost", "annual_purchase_value"),
    "currency": ("USD", "CAD", "MXN"),
    "wage_currency": ("USD", "CAD", "MXN"),
}
"""Each coded column's values as the contract writes them (the template's drop-down lists).
`currency` takes any ISO code; its list names the three USMCA currencies."""

YES = frozenset(("y", "yes", "true", "1", "t"))
NO = frozenset(("n", "no", "false", "0", "f"))
"""Y/N columns (`originating`, `melted_and_poured`): the words read as yes and as no, any case
(a settings file may add its own under `[values.originating]`)."""

VEHICLE_CLASSES = {
    "passengervehicle": "passenger_vehicle",
    "lighttruck": "light_truck",
    "heavytruck": "heavy_truck",
}
LVC_FORMULAS = {
    "netcost": "net_cost",
    "annualpurchasevalue": "annual_purchase_value",
    "apv": "annual_purchase_value",
}
CORE_PARTS = {
    "engine": "engine",
    "engines": "engine",
    "transmission": "transmission",
    "transmissions": "transmission",
    "gearbox": "transmission",
    "bodychassis": "body_chassis",
    "bodyandchassis": "body_chassis",
    "body&chassis": "body_chassis",
    "axle": "axle",
    "axles": "axle",
    "suspension": "suspension",
    "suspensionsystem": "suspension",
    "steering": "steering",
    "steeringsystem": "steering",
    "advancedbattery": "advanced_battery",
    "advancedbatteries": "advanced_battery",
}
NOT_CORE = frozenset(("none", "no", "-", "n/a", "noncore", "notcore"))
"""`core_part` words that mean "not a core part", like a blank cell."""
MATERIALS = {"steel": "steel", "aluminum": "aluminum", "aluminium": "aluminum"}
LVC_CATEGORIES = {
    "material": "material",
    "materials": "material",
    "labor": "labor",
    "labour": "labor",
    "technology": "technology",
    "assemblyplant": "assembly_plant",
}
ASSEMBLY_TYPES = {
    "engine": "engine",
    "transmission": "transmission",
    "advancedbattery": "advanced_battery",
}
WAGE_CURRENCIES = ("USD", "CAD", "MXN")
"""The currencies of the s. 12 high-wage figures: `wage_currency` is one of them."""

WORDS: dict[str, dict[str, str]] = {
    "vehicle_class": VEHICLE_CLASSES,
    "lvc_formula": LVC_FORMULAS,
    "core_part": CORE_PARTS,
    "material": MATERIALS,
    "category": LVC_CATEGORIES,
    "assembly_type": ASSEMBLY_TYPES,
}
"""For each coded column read by word: the normalised words accepted -> the contract's value."""

COUNTRIES: dict[str, str] = {
    "us": "US",
    "usa": "US",
    "unitedstates": "US",
    "unitedstatesofamerica": "US",
    "ca": "CA",
    "can": "CA",
    "canada": "CA",
    "mx": "MX",
    "mex": "MX",
    "mexico": "MX",
    "méxico": "MX",
}
"""The CUSMA countries a plant can be in (the Vehicle sheet's `country`), read as US, CA, MX."""
