"""Deterministic demo data for the Odoo test double.

:func:`build` fills a :class:`~._store.Store` with what an Odoo 17 database
with demo data shows a client: the company, the users ``admin`` (uid 2),
``demo`` (uid 6; 5 on Odoo 19) and ``portal`` (uid 7; 6 on Odoo 19), 40 demo
partners (ids 1-40, among them "Azure Interior" id 14 and its contacts 26, 27, 33; 8 companies; 36
active), partner tags, countries, currencies, system parameters, calendar
events and 24 journal entries whose totals match the captured ``read_group``.

``partners`` more contacts (ids from 41, individuals, no parent, 1 in 20
archived) are generated from ``seed``; the same seed always gives the same
rows. Rows are inserted directly, without the ORM hooks, so that 100 000
partners build in well under a second or two.

Dates are those of the capture (records created on 2026-11-22), unless the
machine's clock is earlier: then every date moves back the whole years it takes
for no record to have been created or written after now (:func:`_move_back`).
"""

from __future__ import annotations

import random
from datetime import datetime, timezone
from typing import Any

from ._business import commercial_of, partner_names
from ._fields import Row
from ._models import TIMEZONES
from ._store import Store

__all__ = ["DEMO_PARTNERS", "PASSWORDS", "build", "passwords"]

CAPTURE_YEAR = 2026
CREATED = "2026-11-22 18:58:57"
UPDATED = "2026-11-22 18:59:15"
US = 233
_WRITE_DATES = {1: "2026-11-22 18:59:12", 3: "2026-11-22 18:59:19"}
#: Logins and passwords of the demo users, by uid (Odoo 17).
PASSWORDS = {2: ("admin", "admin"), 6: ("demo", "demo"), 7: ("portal", "portal")}
#: Odoo 19 creates the template users later, so ``demo`` is uid 5 and ``portal`` 6.
_UIDS_19 = {5: 7, 6: 5, 7: 6}


def _uid(uid: int, major: int) -> int:
    return _UIDS_19.get(uid, uid) if major >= 19 else uid


def passwords(major: int = 17) -> dict[int, tuple[str, str]]:
    """Logins and passwords of the demo users, by uid, on Odoo ``major``."""
    return {_uid(uid, major): pair for uid, pair in PASSWORDS.items()}


_CURRENCIES = [
    (1, "USD", "US Dollar", "$", "before"),
    (2, "EUR", "Euro", "€", "after"),
    (3, "GBP", "Pound Sterling", "£", "before"),
    (4, "INR", "Indian Rupee", "₹", "before"),
    (5, "JPY", "Japanese Yen", "¥", "before"),
    (6, "CAD", "Canadian Dollar", "$", "before"),
]
# id, name, code, phone code, currency
_COUNTRIES = [
    (14, "Austria", "AT", 43, 2),
    (20, "Belgium", "BE", 32, 2),
    (31, "Brazil", "BR", 55, None),
    (38, "Canada", "CA", 1, 6),
    (43, "Switzerland", "CH", 41, None),
    (57, "Germany", "DE", 49, 2),
    (68, "Spain", "ES", 34, 2),
    (75, "France", "FR", 33, 2),
    (104, "India", "IN", 91, 4),
    (109, "Italy", "IT", 39, 2),
    (112, "Japan", "JP", 81, 5),
    (133, "Luxembourg", "LU", 352, 2),
    (156, "Mexico", "MX", 52, None),
    (165, "Netherlands", "NL", 31, 2),
    (231, "United Kingdom", "GB", 44, 3),
    (233, "United States", "US", 1, 1),
]
_CATEGORIES = [
    (1, "Prospects", None, 1),
    (2, "Services", None, 2),
    (3, "Consulting Services", 2, 3),
    (4, "Employees", None, 4),
    (5, "Desk Manufacturers", None, 5),
    (6, "Office Supplies", None, 6),
    (7, "Vendor", None, 7),
    (8, "Gold", None, 8),
    (9, "Silver", None, 9),
    (10, "Bronze", None, 10),
]
_AZURE = ("4557 De Silva St", "Fremont", "94538")
# id, name, company?, parent, email, phone, (street, city, zip), tags, active
DEMO_PARTNERS: list[tuple[Any, ...]] = [
    (1, "YourCompany", True, None, "info@yourcompany.com", "+1 555-555-5556",
     ("250 Executive Park Blvd, Suite 3400", "San Francisco", "94134"), [], True),
    (2, "OdooBot", False, None, "odoobot@example.com", None, (None, None, None), [], False),
    (3, "Mitchell Admin", False, None, "admin@yourcompany.example.com", "+1 555-555-5555",
     ("215 Vine St", "Scranton", "18503"), [], True),
    (4, "Public user", False, None, None, None, (None, None, None), [], False),
    (5, "Default User Template", False, None, None, None, (None, None, None), [], False),
    (6, "Portal User Template", False, None, None, None, (None, None, None), [], False),
    (7, "Marc Demo", False, None, "mark.brown23@example.com", "(441)-695-2334",
     ("3575  Buena Vista Avenue", "Eugene", "97401"), [], True),
    (8, "Joel Willis", False, None, "joel.willis63@example.com", "(683)-556-5104",
     ("858 Lynn Street", "Bayonne", "07002"), [], True),
    (9, "Wood Corner", True, None, "wood.corner26@example.com", "(623)-853-7197",
     ("1839 Arbor Way", "Turlock", "95380"), [5], True),
    (10, "Deco Addict", True, None, "deco_addict@yourcompany.example.com", "(603)-996-3829",
     ("77 Santa Barbara Rd", "Pleasant Hill", "94523"), [7], True),
    (11, "Gemini Furniture", True, None, "gemini_furniture@fake.geminifurniture.com",
     "(941)-284-4875", ("317 Fairchild Dr", "Fairfield", "94535"), [6], True),
    (12, "Ready Mat", True, None, "ready.mat28@example.com", "(803)-873-6126",
     ("7500 W Linne Road", "Tracy", "95304"), [5, 6], True),
    (13, "The Jackson Group", True, None, "jackson.group82@example.com", "(334)-502-1024",
     ("1611 Peony Dr", "Tracy", "95377"), [2], True),
    (14, "Azure Interior", True, None, "azure.Interior24@example.com", "(870)-931-0505",
     _AZURE, [5], True),
    (15, "Lumber Inc", True, None, "lumber-inv92@example.com", "(828)-316-0593",
     ("1337 N San Joaquin St", "Stockton", "95202"), [7], True),
]  # fmt: skip
# id, name, parent, email local part, phone
_CONTACTS = [
    (16, "Willie Burke", 9, "willie.burke80", "(846)-523-2111"),
    (17, "Ron Gibson", 9, "ron.gibson76", "(976)-397-4091"),
    (18, "Billy Fox", 9, "billy.fox45", "(915)-498-5611"),
    (19, "Douglas Fletcher", 10, "douglas.fletcher51", "(132)-553-7242"),
    (20, "Floyd Steward", 10, "floyd.steward34", "(145)-138-3401"),
    (21, "Addison Olson", 10, "addison.olson28", "(223)-399-7637"),
    (22, "Edwin Hansen", 11, "edwin.hansen58", "(943)-352-2555"),
    (23, "Jesse Brown", 11, "jesse.brown74", "(829)-386-3277"),
    (24, "Oscar Morgan", 11, "oscar.morgan11", "(561)-239-1744"),
    (25, "Soham Palmer", 11, "soham.palmer15", "(379)-167-2040"),
    (26, "Brandon Freeman", 14, "brandon.freeman55", "(355)-687-3262"),
    (27, "Nicole Ford", 14, "nicole.ford75", "(946)-638-6034"),
    (28, "Kim Snyder", 12, "kim.snyder96", "(215)-379-4865"),
    (29, "Theodore Gardner", 12, "theodore.gardner36", "(186)-612-6561"),
    (30, "Jennie Fletcher", 12, "jennie.fletcher76", "(157)-363-8229"),
    (31, "Gordon Owens", 13, "gordon.owens47", "(336)-723-6569"),
    (32, "Julie Richards", 13, "julie.richards84", "(225)-148-7811"),
    (33, "Colleen Diaz", 14, "colleen.diaz83", "(255)-595-8393"),
    (34, "Lorraine Douglas", 13, "lorraine.douglas35", "(443)-648-9155"),
    (35, "Tom Ruiz", 13, "tom.ruiz89", "(102)-834-1602"),
    (36, "Toni Rhodes", 15, "toni.rhodes11", "(198)-539-4948"),
    (37, "Travis Mendoza", 15, "travis.mendoza24", "(840)-944-8661"),
    (38, "Jeff Lawson", 15, "jeff.lawson52", "(100)-172-5483"),
    (39, "Chester Reed", 1, "chester.reed79", "(979)-904-8902"),
    (40, "Dwayne Newman", 1, "dwayne.newman28", "(614)-177-4937"),
]
# uid, login, partner, active, share
_USERS = [
    (1, "__system__", 2, False, False),
    (2, "admin", 3, True, False),
    (3, "public", 4, False, True),
    (4, "default", 5, False, False),
    (5, "portaltemplate", 6, False, True),
    (6, "demo", 7, True, False),
    (7, "portal", 8, True, True),
]
# fmt: off
_FIRST = (
    "Aaron", "Abigail", "Adrian", "Alice", "Amelia", "Andre", "Anna", "Arthur", "Beatrice",
    "Benjamin", "Bianca", "Boris", "Camille", "Carlos", "Chloe", "Clara", "Daniel", "Delia",
    "Diego", "Elena", "Elias", "Emma", "Felix", "Fiona", "Frank", "Gabriel", "Grace", "Hannah",
    "Hugo", "Ines", "Isaac", "Ivy", "Jack", "Julia", "Karim", "Laura", "Leo", "Lucia", "Marco",
    "Maria", "Mila", "Nadia", "Noah", "Olivia", "Omar", "Paula", "Pierre", "Quentin", "Rosa",
    "Samuel", "Sara", "Sofia", "Tariq", "Teresa", "Ugo", "Victor", "Wendy", "Xavier", "Yara",
    "Yusuf", "Zoe",
)
_LAST = (
    "Adams", "Baker", "Bernard", "Bianchi", "Brown", "Carter", "Clark", "Costa", "Dubois",
    "Evans", "Fischer", "Garcia", "Green", "Hall", "Hansen", "Jansen", "Kowalski", "Kumar",
    "Lambert", "Lopez", "Martin", "Meyer", "Moreau", "Muller", "Nakamura", "Nguyen", "Novak",
    "Peeters", "Petit", "Rossi", "Schmidt", "Silva", "Smith", "Suzuki", "Tanaka", "Taylor",
    "Thomas", "Walker", "Weber", "Wilson", "Young",
)
_STREETS = (
    "Main St", "Oak Avenue", "Maple Road", "Station Road", "Church Lane", "Park Street",
    "Rue Haute",
)
# fmt: on
_CITIES = {
    233: [("New York", "10001"), ("Chicago", "60601"), ("Austin", "73301"), ("Denver", "80202")],
    20: [("Brussels", "1000"), ("Ghent", "9000"), ("Namur", "5000")],
    75: [("Paris", "75001"), ("Lyon", "69001")],
    57: [("Berlin", "10115"), ("Munich", "80331")],
    231: [("London", "EC1A"), ("Leeds", "LS1")],
    104: [("Mumbai", "400001"), ("Pune", "411001")],
    165: [("Amsterdam", "1011"), ("Utrecht", "3511")],
    68: [("Madrid", "28001"), ("Sevilla", "41001")],
}
_GENERATED_COUNTRIES = [233] * 6 + [20, 20, 75, 75, 57, 231, 104, 165, 68]


def build(
    store: Store, *, partners: int, seed: int, major: int = 17, today: datetime | None = None
) -> None:
    """Fill an empty ``store`` with the demo data of Odoo ``major`` as of ``today``
    (an aware datetime; the machine's clock by default)."""
    rng = random.Random(seed)
    _reference_data(store)
    _demo_partners(store)
    _generated_partners(store, partners, rng)
    _users(store, major)
    _events(store, major)
    _moves(store, rng)
    _reports(store)
    store.next_id["res.partner"] = max(store.next_id["res.partner"], 41 + partners)
    now = (today or datetime.now(timezone.utc)).astimezone(timezone.utc)
    _move_back(store, _years_back(now.strftime(_DATETIME)))


_DATETIME = "%Y-%m-%d %H:%M:%S"
#: The latest create_date or write_date of the demo data.
_LAST_TIMESTAMP = max(CREATED, UPDATED, *_WRITE_DATES.values())


def _years_back(now: str) -> int:
    """Whole years the demo dates move back so that none of its records is from after ``now``."""
    years = 0
    while _shift(_LAST_TIMESTAMP, years) > now:
        years += 1
    return years


def _shift(value: str, years: int) -> str:
    """A ``YYYY-MM-DD[ HH:MM:SS]`` date ``years`` earlier (29 February becomes the 28th)."""
    year = int(value[:4]) - years
    rest = value[4:]
    if rest.startswith("-02-29") and not (year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)):
        rest = "-02-28" + rest[6:]
    return f"{year:04d}{rest}"


def _move_back(store: Store, years: int) -> None:
    """Every date, datetime and dated name of the demo data, ``years`` earlier."""
    if not years:
        return
    for model, table in store.tables.items():
        dated = [
            name for name, f in store.models[model].fields.items() if f.type in ("date", "datetime")
        ]
        for row in table.values():
            for name in dated:
                value = row.get(name)
                if isinstance(value, str):
                    row[name] = _shift(value, years)
    old, new = f"/{CAPTURE_YEAR}/", f"/{CAPTURE_YEAR - years}/"  # INV/2026/00001
    for move in store.tables["account.move"].values():
        move["name"] = move["name"].replace(old, new)
    for line in store.tables["account.move.line"].values():
        if isinstance(line.get("move_name"), str):
            line["move_name"] = line["move_name"].replace(old, new)
    for param in store.tables["ir.config_parameter"].values():
        if param.get("key") == "database.create_date":
            param["value"] = _shift(param["value"], years)


#: PDF reports present on the captured servers: ``(name, report_name, model)``.
REPORTS = (
    ("Invoices", "account.report_invoice", "account.move"),
    ("Invoices with Payments", "account.report_invoice_with_payments", "account.move"),
    ("Internal layout preview", "web.preview_internalreport", "res.company"),
    ("External layout preview", "web.preview_externalreport", "res.company"),
)


def _reports(store: Store) -> None:
    for name, report_name, model in REPORTS:
        row = {"name": name, "report_name": report_name, "model": model}
        store.insert("ir.actions.report", _stamp(row))


def _stamp(row: Row, uid: int = 1) -> Row:
    row.update(create_date=CREATED, write_date=UPDATED, create_uid=uid, write_uid=uid)
    return row


def _reference_data(store: Store) -> None:
    for cid, code, full, symbol, position in _CURRENCIES:
        store.insert(
            "res.currency",
            _stamp(
                {
                    "id": cid,
                    "name": code,
                    "full_name": full,
                    "symbol": symbol,
                    "position": position,
                    "rounding": 0.01,
                    "decimal_places": 2,
                    "active": cid in (1, 2),
                }
            ),
        )
    for cid, name, code, phone_code, currency in _COUNTRIES:
        store.insert(
            "res.country",
            _stamp(
                {
                    "id": cid,
                    "name": name,
                    "code": code,
                    "phone_code": phone_code,
                    "currency_id": currency,
                    "name_position": "before",
                    "state_required": code in ("US", "IN", "MX", "BR"),
                    "zip_required": True,
                }
            ),
        )
    for cid, name, parent, color in _CATEGORIES:
        store.insert(
            "res.partner.category",
            _stamp({"id": cid, "name": name, "parent_id": parent, "color": color, "active": True}),
        )
    store.insert(
        "res.company",
        _stamp(
            {
                "id": 1,
                "name": "YourCompany",
                "partner_id": 1,
                "currency_id": 1,
                "email": "info@yourcompany.com",
                "phone": "+1 555-555-5556",
                "website": "http://www.example.com",
                "street": "250 Executive Park Blvd, Suite 3400",
                "city": "San Francisco",
                "zip": "94134",
                "country_id": US,
                "sequence": 0,
                "active": True,
            }
        ),
    )
    params = [
        ("database.create_date", CREATED),
        ("database.uuid", "8a1e2b4c-17d0-4f53-9c6e-0d2b7a3f5e91"),
        ("web.base.url", "http://localhost:8069"),
        ("base.login_cooldown_after_failure", "5"),
        ("base.login_cooldown_duration", "60"),
    ]
    for pid, (key, value) in enumerate(params, start=1):
        store.insert("ir.config_parameter", _stamp({"id": pid, "key": key, "value": value}))


def _partner_row(pid: int, name: str, **values: Any) -> Row:
    row: Row = {
        "id": pid,
        "name": name,
        "type": "contact",
        "lang": "en_US",
        "active": True,
        "is_company": False,
        "employee": False,
        "customer_rank": 0,
        "supplier_rank": 0,
    }
    row.update(values)
    return _stamp(row)


def _demo_partners(store: Store) -> None:
    table = store.tables["res.partner"]
    for pid, name, company, parent, email, phone, address, tags, active in DEMO_PARTNERS:
        street, city, zip_code = address
        row = _partner_row(
            pid,
            name,
            is_company=company,
            parent_id=parent,
            email=email,
            phone=phone,
            street=street,
            city=city,
            zip=zip_code,
            country_id=US if city else None,
            category_id=tuple(tags),
            active=active,
            company_id=1 if pid in (3, 7) else None,
            tz="Europe/Brussels" if pid in (3, 7) else None,
            company_name="YourCompany" if pid in (3, 7) else None,
        )
        if pid in _WRITE_DATES:
            row["write_date"] = _WRITE_DATES[pid]
        store.insert("res.partner", row)
    for pid, name, parent, local, phone in _CONTACTS:
        company = table[parent]
        store.insert(
            "res.partner",
            _partner_row(
                pid,
                name,
                parent_id=parent,
                email=f"{local}@example.com",
                phone=phone,
                street=company["street"],
                city=company["city"],
                zip=company["zip"],
                country_id=US,
                category_id=(),
            ),
        )
    for row in table.values():
        parent = table.get(row["parent_id"]) if row.get("parent_id") else None
        row.update(partner_names(row, parent, commercial_of(table, row)))


def _generated_partners(store: Store, count: int, rng: random.Random) -> None:
    table = store.tables["res.partner"]
    people = [(f"{first} {last}", f"{first}.{last}".lower()) for first in _FIRST for last in _LAST]
    places = [
        (country, city, zip_code)
        for country in _GENERATED_COUNTRIES
        for city, zip_code in _CITIES[country]
        for _weight in range(12 // len(_CITIES[country]))
    ]
    picks = zip(
        rng.choices(people, k=count),
        rng.choices(places, k=count),
        rng.choices(_STREETS, k=count),
        [rng.random() for _ in range(count)],
        strict=True,
    )
    zones = TIMEZONES
    for offset, ((name, local), (country, city, zip_code), street, roll) in enumerate(picks):
        pid = 41 + offset
        row: Row = {
            "id": pid,
            "name": name,
            "complete_name": name,
            "commercial_partner_id": pid,
            "type": "contact",
            "lang": "en_US",
            "active": offset % 20 != 19,
            "is_company": False,
            "employee": False,
            "email": f"{local}{pid}@example.com",
            "phone": f"+{offset % 90 + 10} {pid % 1000:03d} {pid * 7 % 10000:04d}",
            "street": f"{pid % 997 + 1} {street}",
            "city": city,
            "zip": zip_code,
            "country_id": country,
            "tz": zones[pid % 10],
            "category_id": () if roll < 0.6 else (1 + int(roll * 97) % 10,),
            "customer_rank": int(roll * 5),
            "supplier_rank": 1 if roll > 0.9 else 0,
            "color": pid % 12,
            "create_date": CREATED,
            "write_date": UPDATED,
            "create_uid": 1,
            "write_uid": 1,
        }
        if roll < 0.1 and "date" in store.models["res.partner"].fields:  # gone in Odoo 18
            row["date"] = f"2026-{1 + pid % 12:02d}-{1 + pid % 28:02d}"
        table[pid] = row


def _users(store: Store, major: int) -> None:
    for uid, login, partner, active, share in _USERS:
        store.insert(
            "res.users",
            _stamp(
                {
                    "id": _uid(uid, major),
                    "login": login,
                    "partner_id": partner,
                    "company_id": 1,
                    "company_ids": (1,),
                    "active": active,
                    "share": share,
                    "notification_type": "email",
                }
            ),
        )


def _events(store: Store, major: int) -> None:
    events = [
        (1, "Follow-up", "2026-11-24 09:00:00", "2026-11-24 10:00:00", False, [10, 3], 2),
        (2, "Initial discussion", "2026-11-25 13:30:00", "2026-11-25 14:30:00", False, [11, 7], 6),
        (3, "Customer visit", "2026-11-19 14:00:00", "2026-11-19 17:00:00", False, [13, 3], 2),
        (4, "Requirements review", "2026-11-20 08:00:00", "2026-11-20 10:30:00", False, [9, 7], 6),
        (5, "Changes in Designing", "2026-11-22 00:00:00", "2026-11-22 00:00:00", True, [14, 3], 2),
        (6, "Presentation for new Services", "2026-11-18 02:00:00", "2026-11-18 10:30:00", False,
         [14, 12, 9], 6),
        (7, "Team meeting", "2026-11-23 10:00:00", "2026-11-23 11:00:00", False, [3, 7], 2),
        (8, "Pricing discussion", "2026-11-26 15:00:00", "2026-11-26 16:00:00", False, [15, 7], 6),
    ]  # fmt: skip
    for eid, name, start, stop, allday, partner_ids, user in events:
        hours = (
            int(stop[11:13]) * 60 + int(stop[14:16]) - int(start[11:13]) * 60 - int(start[14:16])
        ) / 60
        row = _stamp(
            {
                "id": eid,
                "name": name,
                "start": start,
                "stop": stop,
                "allday": allday,
                "duration": 0.0 if allday else hours,
                "partner_ids": tuple(partner_ids),
                "user_id": _uid(user, major),
                "privacy": "public",
                "show_as": "busy",
                "active": True,
                "recurrency": False,
            }
        )
        if allday:
            row.update(start_date=start[:10], stop_date=stop[:10])
        store.insert("calendar.event", row)


def _moves(store: Store, rng: random.Random) -> None:
    """24 journal entries: id 6 the only draft, the 23 posted ones totalling 302 673.57."""
    customers = [10, 11, 12, 13, 14, 15, 9]
    cents: dict[int, int] = {5: 3450, 10: 3450, 6: 0}
    posted = [mid for mid in range(1, 25) if mid not in cents]
    weights = {mid: rng.randrange(10, 100) for mid in posted}
    share = 30_267_357 - 6900  # the captured posted total, less moves 5 and 10
    for mid in posted[:-1]:
        cents[mid] = share * weights[mid] // sum(weights.values())
    cents[posted[-1]] = share - sum(cents[mid] for mid in posted[:-1])
    line_counts = {**dict.fromkeys(range(1, 5), 3), 5: 2, 6: 0, 7: 1, 8: 1, 9: 1, 10: 2}
    invoice_number = bill_number = 0
    line_id = 1
    for mid in range(1, 25):
        kind = "out_invoice"
        if mid == 5 or mid == 6 or mid % 7 == 0:
            kind = "in_invoice"
        elif mid == 10:
            kind = "in_refund"
        day = 1 if mid in (5, 10) else 1 + (mid * 5) % 28
        invoice_date = f"2026-{10 + mid % 2:02d}-{day:02d}" if mid not in (5, 10) else "2026-11-01"
        if kind == "out_invoice":
            invoice_number += 1
            name = f"INV/2026/{invoice_number:05d}"
        elif kind == "in_refund":
            name = "RBILL/2026/11/0001"
        else:
            bill_number += 1
            name = f"BILL/2026/{invoice_date[5:7]}/{bill_number:04d}"
        move: Row = {
            "id": mid,
            "name": name,
            "move_type": kind,
            "state": "posted",
            "payment_state": "not_paid",
            "partner_id": 14 if mid in (5, 10) else customers[mid % len(customers)],
            "invoice_date": invoice_date,
            "date": invoice_date,
            "invoice_date_due": "2026-12-31" if mid == 5 else "2026-11-22",
            "currency_id": 1,
            "company_id": 1,
            "invoice_user_id": 2,
        }
        if mid == 6:
            move.update(
                name="/", state="draft", partner_id=None, invoice_date=None, date="2026-11-22"
            )
        elif mid % 4 == 0:
            move["payment_state"] = "paid"
        total = cents[mid] / 100
        move.update(
            amount_untaxed=total,
            amount_tax=0.0,
            amount_total=total,
            amount_residual=0.0 if move["payment_state"] == "paid" else total,
        )
        store.insert("account.move", _stamp(move, 2))
        count = line_counts.get(mid, 2)
        remaining = cents[mid]
        for index in range(count):
            part = remaining if index == count - 1 else remaining * (index + 1) // (count + 1)
            remaining -= part
            price = part / 100
            outgoing = kind.startswith("out")
            store.insert(
                "account.move.line",
                _stamp(
                    {
                        "id": line_id,
                        "move_id": mid,
                        "name": f"{name} line {index + 1}",
                        "partner_id": move["partner_id"],
                        "quantity": 1.0,
                        "price_unit": price,
                        "discount": 0.0,
                        "price_subtotal": price,
                        "price_total": price,
                        "debit": 0.0 if outgoing else price,
                        "credit": price if outgoing else 0.0,
                        "balance": -price if outgoing else price,
                        "currency_id": 1,
                        "date": move["date"],
                        "parent_state": move["state"],
                        "move_name": name,
                        "display_type": "product",
                        "sequence": 10 + index,
                        "company_id": 1,
                    },
                    2,
                ),
            )
            line_id += 1
