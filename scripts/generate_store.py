#!/usr/bin/env python3
"""Generate a complete, realistic relate store (see docs/format.md).

The output is deterministic for a given --seed: the same arguments always
produce byte-identical files. Only the Python standard library is used
(and PyYAML by --check-settings).

Default sizes produce the project's example store (sample-data/):

    python3 scripts/generate_store.py sample-data --force

CI (.ci/run) writes it again and compares it with sample-data/ byte for byte,
with --check-settings: the defaults its relate.yaml copies from the one
`relate init` writes must still have that one's values.

Benchmark-sized stores use the same generator:

    python3 scripts/generate_store.py /tmp/bench-store --customers 100000 \\
        --interactions 1000000 --orders 300000 --products 1000 --deals 20000

The data's "today" is 2026-11-20; history covers 2025-05-01 .. 2026-11-20.
It is shaped so that analytics have something to find: champions, at-risk
and one-time buyers, new buyers and leads without orders (RFM); products
bought together (printer -> toner, laptop -> bag + mouse; basket analysis);
seasonality and a growing (cloud backup) and a declining (webcam) product;
NPS answers from questionnaires; deals in every pipeline stage, won and lost;
equipment at organizations (maintenance due, warranties ending, units past
their upgrade age), service tickets (a few past their SLA, some open) with the
replies that answered them, and an e-mail campaign with its contacts and
responses. The service records come from their own random stream, so the rest
of the store is the same with or without them.

Money and quantities are kept as integer cents / hundredths throughout, so
every order total is exactly the sum of quantity x price of its lines.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unicodedata
from datetime import date, timedelta
from itertools import accumulate
from random import Random

# --------------------------------------------------------------------------
# Calendar

START = date(2025, 5, 1)
TODAY = date(2026, 11, 20)
NDAYS = (TODAY - START).days + 1
LAST = NDAYS - 1  # day index of TODAY

_DAYS = [START + timedelta(days=i) for i in range(NDAYS)]
DAY_ISO = [d.isoformat() for d in _DAYS]
DAY_COMPACT = [s.replace("-", "") for s in DAY_ISO]
DAY_MONTH = [(d.year - START.year) * 12 + d.month - START.month for d in _DAYS]
DAY_CAL_MONTH = [d.month for d in _DAYS]
NMONTHS = DAY_MONTH[-1] + 1
MONTH_DIRS = []  # (yyyy, mm) for month index
for _i in range(NMONTHS):
    _y, _m = divmod(START.month - 1 + _i, 12)
    MONTH_DIRS.append(("%04d" % (START.year + _y), "%02d" % (_m + 1)))

# Orders per calendar month relative to an average month: summer dip,
# back-to-school bump, strong November/December.
SEASON = {1: 0.8, 2: 0.85, 3: 1.0, 4: 1.0, 5: 0.95, 6: 0.9, 7: 0.8,
          8: 0.7, 9: 1.1, 10: 1.05, 11: 1.4, 12: 1.5}
SEASON_MAX = max(SEASON.values())
DAY_SEASON = [SEASON[m] / SEASON_MAX for m in DAY_CAL_MONTH]

AT_RISK_CUTOFF = LAST - 160  # at-risk customers stopped ordering ~5 months ago


def iso(day):
    """ISO date of a day index (may lie after TODAY, e.g. follow-ups)."""
    if 0 <= day < NDAYS:
        return DAY_ISO[day]
    return (START + timedelta(days=day)).isoformat()


# --------------------------------------------------------------------------
# YAML emitting helpers (block style, deterministic key order)

_SAFE_PLAIN = re.compile(r"(?:[A-Za-z]|[^\W\d_])(?:[^\W_]|[ ._@+/()-])*\Z")
_TIME_ID = re.compile(r"\d{8}t\d{6}-[0-9a-z]{5}\Z")
# Words YAML 1.1 or 1.2 would read as booleans or null.
_RESERVED = {"y", "n", "yes", "no", "true", "false", "on", "off", "null"}
_qcache = {}


def q(s):
    """A string scalar: plain when unambiguous, else single-quoted."""
    r = _qcache.get(s)
    if r is not None:
        return r
    if (_SAFE_PLAIN.match(s) and not s.endswith(" ")
            and s.lower() not in _RESERVED) or _TIME_ID.match(s):
        r = s
    elif any(ch < " " or ch == "\x7f" for ch in s):
        r = '"' + "".join("\\x%02x" % ord(ch) if ch < " " or ch == "\x7f"
                          else "\\" + ch if ch in '"\\' else ch for ch in s) + '"'  # escapes
    else:
        r = "'" + s.replace("'", "''") + "'"
    if len(_qcache) < 200000:
        _qcache[s] = r
    return r


def num(h):
    """A decimal stored as integer hundredths (cents), at most 2 decimals."""
    if h % 100 == 0:
        return str(h // 100)
    s = "%d.%02d" % (h // 100, h % 100)
    return s.rstrip("0")


def block(body):
    """A multi-line text as a literal block scalar (body ends with one newline)."""
    return "|\n" + "".join(("  " + ln if ln else "") + "\n"
                           for ln in body.rstrip("\n").split("\n"))


_TRANSLIT = str.maketrans({"ß": "ss", "æ": "ae", "Æ": "AE", "ø": "o", "Ø": "O",
                           "œ": "oe", "Œ": "OE", "ł": "l", "Ł": "L", "đ": "d",
                           "Đ": "D", "þ": "th", "Þ": "TH", "&": " and "})


def slugify(s, maxlen=64):
    s = unicodedata.normalize("NFKD", s.translate(_TRANSLIT))
    s = s.encode("ascii", "ignore").decode("ascii").lower()
    s = re.sub(r"[^a-z0-9]+", "-", s).strip("-")
    return s[:maxlen].rstrip("-") or "x"


def unique_slug(base, taken):
    if base not in taken:
        taken.add(base)
        return base
    n = 2
    while True:
        suffix = "-%d" % n
        cand = base[:64 - len(suffix)].rstrip("-") + suffix
        if cand not in taken:
            taken.add(cand)
            return cand
        n += 1


def apportion(total, weights):
    """Split an integer total proportionally to weights (largest remainder)."""
    wsum = sum(weights)
    if total <= 0 or wsum <= 0:
        return [0] * len(weights)
    raw = [total * w / wsum for w in weights]
    base = [int(r) for r in raw]
    rest = total - sum(base)
    order = sorted(range(len(weights)), key=lambda i: (base[i] - raw[i], i))
    for i in order[:rest]:
        base[i] += 1
    return base


# --------------------------------------------------------------------------
# Settings

OWNERS = [
    ("alice", "Alice Martin", "alice@relate.example"),
    ("bob", "Bob Schneider", "bob@relate.example"),
    ("carol", "Carol Nguyen", "carol@relate.example"),
    ("dan", "Dan Okafor", "dan@relate.example"),
]
OWNER_IDS = [o[0] for o in OWNERS]
# Who usually looks after which region.
REGION_OWNER = {"EU": ["alice", "bob"], "UK": ["bob", "dan"],
                "NA": ["carol"], "APAC": ["dan", "carol"]}
PIPELINE = [("qualification", "0.1", False), ("needs_analysis", "0.25", False),
            ("proposal", "0.5", False), ("negotiation", "0.75", True)]
STAGES = [p[0] for p in PIPELINE]
CHANNELS = ["phone", "email", "meeting", "chat", "sms", "letter", "web",
            "social", "questionnaire"]

# relate.yaml: the defaults of the one `relate init` writes (schema,
# currency, pipeline, channels, price segments, SLA, agenda; --check-settings
# compares them), with the store's own team and segments.
SETTINGS = """\
# relate store settings. Edit by hand; `relate check` validates the result.
# Format reference: docs/format.md in the relate repository.
# This example store was written by scripts/generate_store.py (seed {seed}).

# Version of the file format of this store.
schema: 1

# Currency of new deals unless one is given.
currency: EUR

# The sales pipeline: ordered open stages, each with the probability of
# winning a deal that is there (0 to 1). `won` and `lost` are the terminal
# outcomes and are not listed. `commit: true` counts a stage as commit in
# forecasts. `idle_days: N` makes `relate agenda` flag a deal that stays in
# the stage more than N days without a stage move or an interaction.
pipeline:
- stage: qualification
  probability: 0.1
  idle_days: 14
- stage: needs_analysis
  probability: 0.25
  idle_days: 14
- stage: proposal
  probability: 0.5
  idle_days: 10
- stage: negotiation
  probability: 0.75
  commit: true
  idle_days: 7

# Channels through which contacts are logged.
channels:
{channels}
# Price segments: bands over a product's unit price, cheapest first. `below`
# is the exclusive upper bound; the last band has none.
price_segments:
- name: budget
  below: 50
- name: standard
  below: 500
- name: premium

# The team. Customers, deals, interactions and deal history name owners by id.
owners:
{owners}
# Named customer segments: filters used by `--segment NAME`.
segments:
  eu-organizations:
    where: 'region = "EU" and kind = "organization"'
  big-spenders:
    where: 'orders.total >= 5000'
  at-risk:
    where: 'rfm.segment = "at_risk"'

# Service level agreements per ticket priority: the hours within which a
# ticket gets its first response and its resolution, on the calendar clock.
sla:
  urgent:
    first_response_hours: 1
    resolution_hours: 8
  high:
    first_response_hours: 4
    resolution_hours: 24
  normal:
    first_response_hours: 8
    resolution_hours: 72
  low:
    first_response_hours: 24
    resolution_hours: 168

# `relate agenda`: a customer "slipped into" the at_risk RFM segment when they
# are in it today but were not this many days ago; and is "likely lost" when
# the P(alive) of `report clv` is below p_alive_threshold today but was not
# seven days ago (0 turns that off).
agenda:
  at_risk_lookback_days: 30
  p_alive_threshold: 0.3
"""

GITIGNORE = """\
# written by relate: its lock and unfinished temporary files
.relate.lock
.relate-*.tmp
"""

GITATTRIBUTES = """\
# Record files are merged by relate's merge driver (field-wise three-way merge).
# The driver itself is configured per clone in .git/config by relate.
customers/*.yaml merge=relate
deals/*.yaml merge=relate
products/*.yaml merge=relate
interactions/**/*.yaml merge=relate
orders/**/*.yaml merge=relate
tickets/*.yaml merge=relate
assets/*.yaml merge=relate
campaigns/*.yaml merge=relate
"""


def settings_yaml(seed):
    chans = "".join("- %s\n" % c for c in CHANNELS)
    owners = "".join("- id: %s\n  name: %s\n  email: %s\n" % (i, q(n), q(e))
                     for i, n, e in OWNERS)
    return SETTINGS.format(channels=chans, owners=owners, seed=seed)


# The store's own settings, of which `relate init` writes none.
OWN_SETTINGS = ("owners", "segments")


def settings_differences(relate, settings):
    """The keys of the relate.yaml text `settings` (but OWN_SETTINGS) whose
    values differ from those of the relate.yaml that `relate init` writes, as
    PyYAML reads them."""
    import yaml

    with tempfile.TemporaryDirectory() as tmp:
        store = os.path.join(tmp, "store")
        env = dict(os.environ, RELATE_AUTHOR="generate_store <generate_store@relate.example>")
        try:
            done = subprocess.run([relate, "init", store], capture_output=True, text=True,
                                  env=env)
        except OSError as e:
            sys.exit("error: cannot run %s (build it with cargo build --release): %s"
                     % (relate, e.strerror))
        if done.returncode != 0:
            sys.exit("error: %s init failed:\n%s" % (relate, done.stderr))
        with open(os.path.join(store, "relate.yaml"), encoding="utf-8") as f:
            template = yaml.safe_load(f)
    ours = yaml.safe_load(settings)
    return [key for key in ours if key not in OWN_SETTINGS and ours[key] != template.get(key)]


# --------------------------------------------------------------------------
# Products

# id, name, category, price (cents), cost (cents or None), explicit segment,
# quantity kind, base popularity as the first item of a basket
CATALOG = [
    ("laptop-pro-14", "Laptop Pro 14", "hardware", 129900, 94000, None, "unit", 6.0),
    ("laptop-air-13", "Laptop Air 13", "hardware", 89900, 64000, None, "unit", 5.0),
    ("laser-printer-lp200", "Laser Printer LP200", "hardware", 34900, 23000, None, "unit", 6.0),
    ("monitor-27", "Monitor 27 inch", "hardware", 28900, 19500, None, "unit", 5.0),
    ("wireless-mouse", "Wireless Mouse", "hardware", 2990, 1150, None, "small", 3.0),
    ("laptop-bag", "Laptop Bag", "hardware", 4990, 1800, None, "small", 1.0),
    ("mechanical-keyboard", "Mechanical Keyboard", "hardware", 8900, 4100, None, "small", 3.0),
    ("docking-station", "USB-C Docking Station", "hardware", 17900, 10200, None, "small", 2.0),
    ("webcam-hd", "HD Webcam", "hardware", 5990, 2700, None, "few", 6.0),
    ("toner-black", "Black Toner Cartridge", "supplies", 3990, 1450, None, "consumable", 7.0),
    ("toner-color-pack", "Colour Toner Pack", "supplies", 11900, 5200, None, "consumable", 3.0),
    ("paper-a4-box", "A4 Paper Box (5 reams)", "supplies", 2450, 1300, None, "consumable", 4.0),
    ("usb-c-cable", "USB-C Cable 2m", "supplies", 1290, 300, None, "consumable", 3.0),
    ("office-suite", "Office Suite (1 year)", "software", 14900, 6000, None, "license", 4.0),
    ("antivirus-1y", "Antivirus (1 year)", "software", 3900, 900, None, "license", 3.0),
    ("cloud-backup-1tb", "Cloud Backup 1 TB (1 year)", "software", 9900, None, None, "few", 8.0),
    ("onsite-setup", "On-site Setup", "services", 45000, 28000, "premium", "service", 1.0),
    ("consulting-day", "Consulting Day", "services", 95000, None, "premium", "days", 1.0),
    ("support-plan-gold", "Gold Support Plan (1 year)", "services", 120000, 52000, None, "service", 0.7),
    ("extended-warranty", "Extended Warranty (3 years)", "services", 7900, 2100, None, "service", 0.5),
]

# Products bought together with the first item of a basket:
# (product, probability at the start of the history, probability at the end)
ASSOCIATIONS = {
    "laptop-pro-14": [("laptop-bag", 0.75, 0.75), ("wireless-mouse", 0.65, 0.65),
                      ("cloud-backup-1tb", 0.0, 0.6), ("extended-warranty", 0.25, 0.25)],
    "laptop-air-13": [("laptop-bag", 0.75, 0.75), ("wireless-mouse", 0.65, 0.65),
                      ("cloud-backup-1tb", 0.0, 0.5), ("extended-warranty", 0.2, 0.2)],
    "laser-printer-lp200": [("toner-black", 0.85, 0.85), ("paper-a4-box", 0.5, 0.5)],
    "monitor-27": [("docking-station", 0.45, 0.45), ("webcam-hd", 0.5, 0.0),
                   ("usb-c-cable", 0.4, 0.4)],
    "docking-station": [("usb-c-cable", 0.4, 0.4)],
    "office-suite": [("antivirus-1y", 0.45, 0.45), ("cloud-backup-1tb", 0.0, 0.4)],
    "toner-black": [("paper-a4-box", 0.3, 0.3)],
}


# Equipment that ages: years after which an installed unit is a candidate for
# an upgrade, and the product that replaces it.
UPGRADES = {
    "laptop-air-13": (4, "laptop-pro-14"),
    "laptop-pro-14": (4, None),
    "laser-printer-lp200": (5, None),
    "monitor-27": (6, None),
}


def popularity_trend(pid, t, cal_month):
    """Multiplier on a product's popularity at time t (0..1 over the history)."""
    if pid == "cloud-backup-1tb":
        return 0.05 + 2.5 * t  # growing demand
    if pid == "webcam-hd":
        return 0.05 + 3.0 * (1 - t) ** 2  # declining demand
    if pid.startswith("laptop-") and cal_month in (9, 11, 12):
        return 1.6  # back to school and year-end peaks
    return 1.0


_GEN_CATEGORIES = [
    ("hardware", "hw", ["Desk Lamp", "Headset", "Tablet", "Router", "Scanner", "Speaker",
                        "Projector", "Label Printer", "Graphics Tablet", "Power Bank",
                        "Keyboard", "Monitor Arm", "Barcode Reader", "NAS Drive"], "unit"),
    ("supplies", "sup", ["Notebook Pack", "Ink Cartridge", "Label Roll", "Cable Ties",
                         "Sticky Notes", "Binder Set", "Envelope Box", "Screen Wipes"], "consumable"),
    ("software", "sw", ["Design Suite", "Password Manager", "VPN", "Accounting App",
                        "Project Planner", "PDF Editor"], "license"),
    ("services", "svc", ["Data Recovery", "Training Session", "Remote Support",
                         "Installation", "Health Check"], "service"),
]
_GEN_ADJ = ["Compact", "Pro", "Smart", "Classic", "Eco", "Ultra", "Basic", "Premium",
            "Portable", "Silent"]


class Product:
    __slots__ = ("id", "name", "category", "price", "cost", "segment", "qkind", "pop")

    def __init__(self, pid, name, category, price, cost, segment, qkind, pop):
        self.id, self.name, self.category = pid, name, category
        self.price, self.cost, self.segment = price, cost, segment
        self.qkind, self.pop = qkind, pop


def make_products(rng, n):
    prods = [Product(*row) for row in CATALOG[:n]]
    taken = {p.id for p in prods}
    for i in range(len(prods), n):
        cat, prefix, nouns, qkind = _GEN_CATEGORIES[i % len(_GEN_CATEGORIES)]
        noun = rng.choice(nouns)
        adj = rng.choice(_GEN_ADJ)
        model = "%s%d" % (rng.choice("ABCDEFGHKLMNPRSTVXZ"), rng.randint(10, 999))
        name = "%s %s %s" % (adj, noun, model)
        pid = unique_slug(slugify("%s %s %s" % (prefix, noun, model)), taken)
        band = rng.random()
        if band < 0.4:
            price = rng.randint(290, 4999)
        elif band < 0.85:
            price = rng.randint(5000, 49999)
        else:
            price = rng.randint(50000, 300000)
        price = max(price // 10 * 10 - 10, 90)  # prices end in 0 cents, e.g. 19.90
        cost = None if rng.random() < 0.1 else price * rng.randint(35, 75) // 100
        prods.append(Product(pid, name, cat, price, cost, None, qkind, 0.3))
    return prods


def product_yaml(p, product_ids):
    out = ["id: %s\n" % p.id, "name: %s\n" % q(p.name), "category: %s\n" % q(p.category),
           "price: %s\n" % num(p.price)]
    if p.cost is not None:
        out.append("cost: %s\n" % num(p.cost))
    if p.segment:
        out.append("segment: %s\n" % p.segment)
    upgrade = UPGRADES.get(p.id)
    if upgrade:
        out.append("upgrade_after_years: %d\n" % upgrade[0])
        if upgrade[1] and upgrade[1] in product_ids:
            out.append("successor: %s\n" % upgrade[1])
    return "".join(out)


# --------------------------------------------------------------------------
# Customers

# locale: region, female first names, male first names, last names,
#         phone patterns (X = random digit), legal forms, language, org words
LOCALES = {
    "de": ("EU", ["Anna", "Lena", "Sophie", "Katharina", "Jana", "Miriam", "Jülide"],
           ["Jonas", "Lukas", "Felix", "Matthias", "Tobias", "Stefan", "Jörg"],
           ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Becker", "Hoffmann",
            "Schäfer", "Koch", "Wagner", "Groß"],
           ["+49 30 XXXXXXX", "+49 151 XXXXXXXX", "+49 89 XXXXXX"], ["GmbH", "AG", "KG"],
           "de", ["Müller", "Alpen", "Hanse", "Rhein", "Sonnenhof"]),
    "fr": ("EU", ["Camille", "Chloé", "Léa", "Manon", "Élodie", "Claire"],
           ["Louis", "Hugo", "Théo", "Julien", "Mathieu", "Antoine"],
           ["Martin", "Bernard", "Dubois", "Lefèvre", "Moreau", "Girard", "Rousseau", "Fontaine"],
           ["+33 1 XX XX XX XX", "+33 6 XX XX XX XX"], ["SAS", "SARL"],
           "fr", ["Lumière", "Provence", "Étoile", "Belle Rive"]),
    "es": ("EU", ["Lucía", "María", "Carmen", "Sofía", "Elena"],
           ["Pablo", "Javier", "Sergio", "Diego", "Álvaro"],
           ["García", "Fernández", "López", "Martínez", "Sánchez", "Romero", "Navarro", "Ortega"],
           ["+34 91 XXX XX XX", "+34 6XX XXX XXX"], ["S.L.", "S.A."],
           "es", ["Costa", "Sol", "Iberia"]),
    "it": ("EU", ["Giulia", "Chiara", "Francesca", "Sara", "Martina"],
           ["Marco", "Luca", "Matteo", "Giorgio", "Davide"],
           ["Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci"],
           ["+39 02 XXXX XXXX", "+39 3XX XXX XXXX"], ["S.r.l.", "S.p.A."],
           "it", ["Dolomiti", "Laguna", "Vesuvio"]),
    "nl": ("EU", ["Emma", "Sanne", "Fleur", "Iris"], ["Daan", "Bram", "Sem", "Thijs"],
           ["de Jong", "Jansen", "de Vries", "van Dijk", "Bakker", "Visser", "Smit"],
           ["+31 20 XXX XXXX", "+31 6 XXXX XXXX"], ["B.V."], "nl", ["Tulip", "Delft"]),
    "pl": ("EU", ["Zofia", "Agnieszka", "Katarzyna", "Magdalena"],
           ["Jakub", "Piotr", "Tomasz", "Michał"],
           ["Nowak", "Wójcik", "Mazur", "Krawczyk", "Zając", "Król"],
           ["+48 22 XXX XX XX", "+48 5XX XXX XXX"], ["sp. z o.o."], "pl", ["Vistula", "Wawel"]),
    "se": ("EU", ["Astrid", "Ebba", "Maja", "Linnea"], ["Erik", "Oskar", "Nils", "Anders"],
           ["Andersson", "Johansson", "Karlsson", "Nilsson", "Lindqvist", "Björk", "Åberg"],
           ["+46 8 XXX XXX XX", "+46 70 XXX XX XX"], ["AB"], "sv", ["Fjäll", "Norrsken"]),
    "uk": ("UK", ["Olivia", "Amelia", "Charlotte", "Harriet", "Emily", "Grace"],
           ["Oliver", "George", "Harry", "James", "William", "Thomas"],
           ["Smith", "Jones", "Taylor", "Brown", "Wilson", "Evans", "O'Brien", "Hughes", "Clarke"],
           ["+44 20 7946 0XXX", "+44 7700 900XXX"], ["Ltd", "PLC"],
           "en", ["Thames", "Pennine", "Kingsway"]),
    "us": ("NA", ["Emily", "Madison", "Ashley", "Jessica", "Megan", "Hannah"],
           ["Michael", "Ethan", "Tyler", "Brandon", "Kevin", "Ryan"],
           ["Johnson", "Williams", "Miller", "Davis", "Rodriguez", "Anderson", "Thompson", "Carter"],
           ["+1 212-555-01XX", "+1 415-555-01XX", "+1 312-555-01XX"], ["Inc.", "LLC"],
           "en", ["Liberty", "Prairie", "Golden Gate"]),
    "ca": ("NA", ["Chloe", "Isabelle", "Avery"], ["Liam", "Noah", "Étienne"],
           ["Tremblay", "Gagnon", "Roy", "MacDonald", "Campbell"],
           ["+1 416-555-01XX", "+1 514-555-01XX"], ["Inc.", "Ltd."],
           "en", ["Maple", "Laurentian"]),
    "au": ("APAC", ["Charlotte", "Mia", "Ruby", "Matilda"], ["Jack", "Lachlan", "Cooper", "Riley"],
           ["Kelly", "Ryan", "Walker", "Mitchell", "Harris"],
           ["+61 2 5550 XXXX", "+61 491 570 XXX"], ["Pty Ltd"], "en", ["Koala", "Coral Reef"]),
    "jp": ("APAC", ["Yui", "Aoi", "Haruka", "Sakura"], ["Haruto", "Ren", "Takumi", "Kenji"],
           ["Sato", "Suzuki", "Takahashi", "Tanaka", "Watanabe", "Ito"],
           ["+81 3-XXXX-XXXX", "+81 90-XXXX-XXXX"], ["K.K."], "ja", ["Sakura", "Fuji"]),
    "sg": ("APAC", ["Mei Ling", "Priya", "Hui Min"], ["Wei Jie", "Arjun", "Jun Hao"],
           ["Tan", "Lim", "Lee", "Ng", "Wong"],
           ["+65 6XXX XXXX", "+65 9XXX XXXX"], ["Pte. Ltd."], "en", ["Merlion", "Lion City"]),
    "in": ("APAC", ["Ananya", "Priya", "Divya"], ["Rahul", "Arjun", "Vikram"],
           ["Sharma", "Patel", "Iyer", "Reddy", "Gupta"],
           ["+91 98XXX XXXXX", "+91 22 XXXX XXXX"], ["Pvt. Ltd."], "en", ["Ganges", "Lotus"]),
}
REGION_LOCALES = {"EU": ["de", "de", "fr", "fr", "es", "it", "nl", "pl", "se"],
                  "UK": ["uk"], "NA": ["us", "us", "ca"], "APAC": ["au", "jp", "sg", "in"]}
REGIONS = ["EU", "UK", "NA", "APAC"]
REGION_CW = [55, 70, 90, 100]

ORG_WORDS = ["Acme", "Nordwind", "Atlas", "Brightline", "Silverleaf", "Orion", "Kestrel",
             "Summit", "Bluewater", "Redwood", "Meridian", "Harbor", "Evergreen", "Pinnacle",
             "Lighthouse", "Cobalt", "Juniper", "Falcon", "Granite", "Horizon", "Quartz",
             "Sterling", "Willow", "Zenith", "Aurora", "Beacon", "Cedar", "Ember", "Fjord"]
INDUSTRIES = [
    ("logistics", ["Logistics", "Freight", "Transport"]),
    ("construction", ["Construction", "Builders"]),
    ("consulting", ["Consulting", "Advisory", "Partners"]),
    ("retail", ["Retail", "Stores", "Market"]),
    ("healthcare", ["Clinic", "Health", "Medical"]),
    ("media", ["Studio", "Media", "Design"]),
    ("software", ["Software", "Systems", "Digital"]),
    ("food", ["Foods", "Bakery", "Kitchen"]),
    ("hospitality", ["Hotels", "Hospitality"]),
    ("legal", ["Legal", "Law Office"]),
    ("education", ["Academy", "Learning"]),
    ("manufacturing", ["Manufacturing", "Works", "Industries"]),
]
SOURCES = ["web", "referral", "trade-show", "cold-call", "partner", "social", "advertising", "event"]
SOURCES_CW = [30, 50, 62, 72, 82, 90, 96, 100]
PERSON_TAGS = ["newsletter", "returning", "student", "b2c", "gamer", "photographer"]
ORG_TAGS = ["b2b", "reseller", "partner", "public-sector", "newsletter", "multi-site"]
PERSON_PURPOSES = ["home office", "small business", "education", "gaming", "gift", "photography"]
ORG_PURPOSES = ["office equipment", "IT infrastructure", "resale", "new branch office"]
PERSON_PAY = ["card", "paypal", "sepa_debit", "invoice", "bank_transfer"]
PERSON_PAY_CW = [40, 70, 85, 95, 100]
ORG_PAY = ["invoice", "bank_transfer", "card"]
ORG_PAY_CW = [70, 90, 100]
PERSON_COMPANIES = ["Freelance", "Self-employed", "University of Leeds", "City Library",
                    "Studio Nord", "Bäckerei Sonnenschein", "Dr. Weiss & Partner"]

# archetype, share of customers, created-day range (from, to; negative = before today)
ARCHETYPES = [
    ("champion", 0.10), ("loyal", 0.15), ("at_risk", 0.125), ("one_time", 0.125),
    ("new", 0.10), ("occasional", 0.15), ("prospect", 0.125), ("lead", 0.125),
]
ORDER_WEIGHT = {"champion": 14.0, "loyal": 6.0, "at_risk": 3.0, "occasional": 1.5}
INTERACTION_WEIGHT = {"champion": 6, "loyal": 4, "at_risk": 3, "one_time": 1.5, "new": 2,
                      "occasional": 2, "prospect": 3, "lead": 1.2}
BUYERS = ("champion", "loyal", "at_risk", "one_time", "new", "occasional")


class Customer:
    __slots__ = ("idx", "id", "name", "kind", "company", "emails", "phones", "owner",
                 "source", "created", "tags", "gender", "birth_year", "income", "purpose",
                 "payment_method", "region", "fields", "arch", "lo", "hi",
                 "n_orders", "first_order", "last_order", "n_deals", "loc")


def phone(rng, pattern):
    return "".join(str(rng.randint(0, 9)) if ch == "X" else ch for ch in pattern)


def pick_cw(rng, items, cw):
    return rng.choices(items, cum_weights=cw)[0]


def make_customers(rng, n):
    counts = apportion(n, [a[1] for a in ARCHETYPES])
    if n >= len(ARCHETYPES):  # every archetype present
        for i, c in enumerate(counts):
            if c == 0:
                j = counts.index(max(counts))
                counts[j] -= 1
                counts[i] += 1
    archs = [a[0] for a, c in zip(ARCHETYPES, counts) for _ in range(c)]
    rng.shuffle(archs)

    taken = set()
    customers = []
    orgs = []
    for idx, arch in enumerate(archs):
        c = Customer()
        c.idx, c.arch = idx, arch
        region = pick_cw(rng, REGIONS, REGION_CW)
        loc_key = rng.choice(REGION_LOCALES[region])
        loc = LOCALES[loc_key]
        c.region, c.loc = region, loc_key
        is_org = rng.random() < (0.45 if idx % 10 else 0.6)
        c.kind = "organization" if is_org else "person"
        c.company = c.gender = c.birth_year = c.purpose = None
        c.fields = []
        c.n_orders = c.n_deals = 0
        c.first_order = c.last_order = None

        # created day and the window in which the customer orders
        if arch == "champion":
            c.created = rng.randint(0, 45)
        elif arch == "loyal":
            c.created = rng.randint(0, 120)
        elif arch == "at_risk":
            c.created = rng.randint(0, 60)
        elif arch == "one_time":
            c.created = rng.randint(0, LAST - 90)
        elif arch == "new":
            c.created = rng.randint(LAST - 80, LAST - 25)
        elif arch == "occasional":
            c.created = rng.randint(0, LAST - 60)
        elif arch == "prospect":
            c.created = rng.randint(0, LAST - 20)
        else:  # lead: skewed towards recent
            c.created = max(rng.randint(0, LAST), rng.randint(0, LAST))
        c.lo = c.created
        c.hi = {"at_risk": AT_RISK_CUTOFF,
                "one_time": min(c.created + 30, LAST)}.get(arch, LAST)

        if is_org:
            industry, nouns = rng.choice(INDUSTRIES)
            word = rng.choice(ORG_WORDS + loc[7] * 3)
            name = "%s %s %s" % (word, rng.choice(nouns), rng.choice(loc[5]))
            c.name = name
            c.id = unique_slug(slugify(name), taken)
            employees = int(rng.choice([4, 8, 15, 30, 60, 120, 250, 600, 1500])
                            * rng.uniform(0.7, 1.4)) or 1
            c.income = employees * rng.randint(60, 250) * 1000  # yearly revenue in EUR
            locals_ = rng.sample(["info", "sales", "purchasing", "office", "accounts"],
                                 1 if rng.random() < 0.6 else 2)
            c.emails = ["%s@%s.example" % (lp, c.id) for lp in locals_]
            c.phones = [phone(rng, rng.choice(loc[4]))] if rng.random() < 0.9 else []
            c.tags = sorted(rng.sample(ORG_TAGS, rng.choice([0, 1, 1, 2, 2, 3])),
                            key=ORG_TAGS.index)
            if rng.random() < 0.5:
                c.purpose = rng.choice(ORG_PURPOSES)
            c.payment_method = pick_cw(rng, ORG_PAY, ORG_PAY_CW)
            c.fields.append(("industry", q(industry)))
            c.fields.append(("employees", str(employees)))
            if region == "EU":
                vat = "%s%09d" % (loc_key.upper(), rng.randint(10**8, 10**9 - 1))
                c.fields.append(("vat_id", q(vat)))
            orgs.append(c)
        else:
            female = rng.random() < 0.5
            first = rng.choice(loc[1] if female else loc[2])
            last = rng.choice(loc[3])
            c.name = "%s %s" % (first, last)
            c.id = unique_slug(slugify(c.name), taken)
            r = rng.random()
            c.gender = "diverse" if r < 0.03 else ("female" if female else "male")
            c.birth_year = rng.randint(1950, 2005)
            c.income = int(rng.lognormvariate(10.7, 0.45)) // 500 * 500 + 12000
            local = c.id.replace("-", ".")
            c.emails = ["%s@%s" % (local, rng.choice(["mail.example", "post.example",
                                                      "inbox.example"]))]
            r = rng.random()
            if r < 0.3 and orgs:
                org = rng.choice(orgs[-50:])
                c.company = org.id  # a person working at an organization customer
                c.emails.append("%s@%s.example" % (local, org.id))
            elif r < 0.45:
                c.company = rng.choice(PERSON_COMPANIES)
                if rng.random() < 0.5:
                    c.emails.append("%s@%s.example" % (local, slugify(c.company)))
            c.phones = [phone(rng, p) for p in rng.sample(loc[4], rng.choice([0, 1, 1, 1, 2]))]
            c.tags = sorted(rng.sample(PERSON_TAGS, rng.choice([0, 1, 1, 2])),
                            key=PERSON_TAGS.index)
            if arch not in BUYERS and "returning" in c.tags:
                c.tags.remove("returning")
            c.purpose = rng.choice(PERSON_PURPOSES)
            c.payment_method = pick_cw(rng, PERSON_PAY, PERSON_PAY_CW)
            if region != "EU" and c.payment_method == "sepa_debit":
                c.payment_method = "card"
            c.fields.append(("preferred_language", q(loc[6])))
        if arch == "champion":
            c.tags = (["vip"] if c.kind == "person" else ["key-account"]) + c.tags
        c.source = pick_cw(rng, SOURCES, SOURCES_CW)
        regional = REGION_OWNER[region]
        c.owner = rng.choice(regional) if rng.random() < 0.8 else rng.choice(OWNER_IDS)
        customers.append(c)
    return customers


def customer_stage(c, nth):
    """Lifecycle stage; nth counts customers of the same archetype so far."""
    if c.n_orders:
        if c.arch == "at_risk" and nth % 2 == 0:
            return "former"  # half of the lapsed buyers are written off
        if c.arch == "one_time" and c.last_order < LAST - 300 and nth % 2 == 0:
            return "former"
        return "customer"
    if c.arch == "prospect" or c.n_deals:
        return "prospect"
    return "lead"


def customer_yaml(c, stage):
    out = ["id: %s\nname: %s\nkind: %s\n" % (c.id, q(c.name), c.kind)]
    if c.company:
        out.append("company: %s\n" % q(c.company))
    if c.emails:
        out.append("emails:\n" + "".join("- %s\n" % q(e) for e in c.emails))
    if c.phones:
        out.append("phones:\n" + "".join("- %s\n" % q(p) for p in c.phones))
    out.append("owner: %s\nstage: %s\nsource: %s\ncreated: %s\n"
               % (c.owner, stage, q(c.source), DAY_ISO[c.created]))
    if c.tags:
        out.append("tags:\n" + "".join("- %s\n" % q(t) for t in c.tags))
    if c.gender:
        out.append("gender: %s\n" % c.gender)
    if c.birth_year:
        out.append("birth_year: %d\n" % c.birth_year)
    out.append("income: %d\n" % c.income)
    if c.purpose:
        out.append("purpose: %s\n" % q(c.purpose))
    out.append("payment_method: %s\nregion: %s\n" % (q(c.payment_method), q(c.region)))
    if c.fields:
        out.append("fields:\n" + "".join("  %s: %s\n" % kv for kv in c.fields))
    return "".join(out)


# --------------------------------------------------------------------------
# Quantities and prices of lines

def line_qty(rng, p, is_org):
    """Quantity in hundredths."""
    k = p.qkind
    if k == "unit":
        q_ = rng.choice([1, 1, 2, 3, 4, 5, 8]) if is_org else 1
    elif k == "few":
        q_ = rng.randint(1, 4) if is_org else 1
    elif k == "small":
        q_ = rng.randint(1, 10) if is_org else rng.choice([1, 1, 1, 2])
    elif k == "consumable":
        q_ = rng.randint(2, 12) if is_org else rng.randint(1, 3)
    elif k == "license":
        q_ = rng.choice([5, 10, 10, 15, 20, 25, 40]) if is_org else 1
    elif k == "days":
        return rng.choice([50, 100, 100, 150, 200, 300, 500]) if is_org else 100
    else:
        q_ = 1
    return q_ * 100


def line_price(p, qh, discount):
    """Unit price in cents, less a volume discount in percent."""
    price = (p.price * (100 - discount) + 50) // 100
    if (qh * price) % 100:  # keep line totals in whole cents
        price = p.price
        if (qh * price) % 100:
            price = price // 2 * 2
    return price


# --------------------------------------------------------------------------
# Deals

# title, lines as (product, quantity kind) where quantity kind "n" shares one
# count across the bundle; lines=None means a deal without lines (amount only)
PERSON_DEAL_KINDS = [
    ("New laptop setup", [("laptop-pro-14", "n"), ("laptop-bag", "n"), ("wireless-mouse", "n"),
                          ("onsite-setup", "1")]),
    ("Home office upgrade", [("monitor-27", "n"), ("docking-station", "n"),
                             ("mechanical-keyboard", "n"), ("webcam-hd", "n")]),
    ("Support contract", [("support-plan-gold", "1")]),
    ("Photo studio printer", [("laser-printer-lp200", "n"), ("toner-color-pack", "2n")]),
    ("Website redesign", None),
]
DEAL_KINDS = [
    ("Laptop refresh", [("laptop-pro-14", "n"), ("laptop-bag", "n"), ("wireless-mouse", "n"),
                        ("extended-warranty", "n")]),
    ("Notebooks for new hires", [("laptop-air-13", "n"), ("laptop-bag", "n")]),
    ("Printer fleet", [("laser-printer-lp200", "n"), ("toner-black", "4n"), ("paper-a4-box", "4n")]),
    ("Office suite rollout", [("office-suite", "10n"), ("onsite-setup", "1")]),
    ("Support contract", [("support-plan-gold", "1")]),
    ("Consulting engagement", [("consulting-day", "days")]),
    ("Workstation upgrade", [("monitor-27", "n"), ("docking-station", "n"),
                             ("mechanical-keyboard", "n")]),
    ("Cloud backup rollout", [("cloud-backup-1tb", "n"), ("consulting-day", "1")]),
    ("Security bundle", [("antivirus-1y", "10n"), ("cloud-backup-1tb", "n")]),
    ("Website redesign", None),
    ("Annual framework agreement", None),
]
LOST_REASONS = ["price", "competitor", "timing", "no_budget", "price", "competitor", "no_decision"]


class Deal:
    __slots__ = ("id", "customer", "title", "owner", "amount", "stage", "created",
                 "expected_close", "lines", "history", "closed", "lost_reason", "end")


def spread_days(rng, lo, hi, n):
    """n increasing day indices from lo to hi (first = lo, last = hi when n > 1)."""
    if n == 1:
        return [lo]
    if hi - lo + 1 >= n:
        mid = sorted(rng.sample(range(lo + 1, hi), n - 2)) if n > 2 else []
        return [lo] + mid + [hi]
    return sorted(min(lo + i, hi) for i in range(n))


def make_deals(rng, n, customers, products_by_id):
    taken = set()
    deals = []
    if n <= 0 or not customers:
        return deals
    n_open = round(n * 0.42)
    n_won = round(n * 0.36)
    n_lost = n - n_open - n_won
    open_per_stage = apportion(n_open, [1, 1, 1, 1])

    def pool(archs, org_weight):
        items = [c for c in customers if c.arch in archs]
        if not items:
            items = list(customers)
        weights = [org_weight if c.kind == "organization" else 1.0 for c in items]
        return items, weights

    def choose(items, weights):
        i = rng.choices(range(len(items)), weights=weights)[0]
        weights[i] /= 4.0  # spread deals over customers
        return items[i]

    won_pool = pool(("champion", "loyal", "occasional", "new", "at_risk"), 3.0)
    open_pool = pool(("prospect", "champion", "loyal", "occasional", "new", "one_time"), 2.5)
    lost_pool = pool(("prospect", "at_risk", "one_time", "occasional", "loyal"), 2.0)

    plan = [("won", None)] * n_won + [("lost", None)] * n_lost
    for si, k in enumerate(open_per_stage):
        plan += [("open", si)] * k

    n_lost_done = 0
    for kind, stage_i in plan:
        d = Deal()
        if kind == "won":
            c = choose(*won_pool)
            reached = 3 if rng.random() < 0.7 else 2
        elif kind == "lost":
            c = choose(*lost_pool)
            reached = rng.randint(0, 3)
        else:
            c = choose(*open_pool)
            reached = stage_i
        start = 0 if rng.random() < 0.8 else min(1, reached)
        path = STAGES[start:reached + 1]
        c.n_deals += 1

        # title, lines, amount
        is_org = c.kind == "organization"
        kinds = DEAL_KINDS if is_org else PERSON_DEAL_KINDS
        title, bundle = kinds[rng.randrange(len(kinds))]
        scale = rng.choice([2, 3, 5, 8, 10, 12, 20]) if is_org else 1
        discount = rng.choice([0, 5, 8, 10, 12]) if scale >= 5 and rng.random() < 0.5 else 0
        lines = []
        if bundle:
            for pid, qk in bundle:
                p = products_by_id.get(pid)
                if p is None:
                    continue
                if qk == "n":
                    qh = scale * 100
                elif qk == "2n":
                    qh = 2 * scale * 100
                elif qk == "4n":
                    qh = 4 * scale * 100
                elif qk == "10n":
                    qh = 10 * scale * 100
                elif qk == "5n":
                    qh = 5 * scale * 100
                elif qk == "days":
                    qh = rng.choice([150, 300, 500, 800, 1000, 1500, 2000])
                else:
                    qh = 100
                price = (p.price * (100 - discount) + 50) // 100
                if (qh * price) % 100:
                    price = p.price
                lines.append((pid, qh, price))
        if lines:
            amount = sum(qh * pr for _, qh, pr in lines) // 100
        else:
            amount = rng.randint(8, 60) * 50000
            if title == "Website redesign":
                amount = rng.randint(16, 50) * 50000
        if lines and rng.random() < 0.15 and kind != "won":
            lines = []  # a few deals carry an amount only
        d.customer = c.id
        d.owner = c.owner if rng.random() < 0.8 else rng.choice(OWNER_IDS)
        d.amount = amount
        d.lines = lines

        nentries = len(path) + (0 if kind == "open" else 1)
        if kind == "open":
            lo = max(c.created, LAST - 240)
            last_move = rng.randint(min(max(lo, LAST - 45) + nentries - 1, LAST), LAST)
            span = rng.randint(7 * nentries, 50 * nentries)
            created = max(lo, last_move - span)
            days = spread_days(rng, created, last_move, nentries)
            d.closed = None
            d.stage = path[-1]
            if rng.random() < 0.12:
                d.expected_close = max(created + 1, LAST - rng.randint(3, 30))  # overdue
            else:
                d.expected_close = LAST + rng.randint(7, 120)
            d.end = LAST
        else:
            if kind == "won":
                lo, hi = min(c.created + 15, c.hi), c.hi
            else:
                lo, hi = min(c.created + 15, LAST - 1), LAST - 1
            closed = rng.randint(lo, max(lo, hi))
            created = max(c.created, closed - rng.randint(max(20, 3 * nentries), 120))
            days = spread_days(rng, created, closed, nentries)
            d.closed = closed
            d.stage = kind
            d.expected_close = max(created + 7, closed + rng.randint(-20, 25))
            d.end = closed
        d.created = created
        d.title = title
        if rng.random() < 0.3:  # e.g. "Printer fleet 2026"
            d.title = "%s %s" % (title, iso(d.expected_close)[:4])
        d.id = unique_slug(slugify("%s %s" % (c.id, d.title)), taken)
        d.history = list(zip(path + ([kind] if kind != "open" else []), days))
        d.history = [(s, day, d.owner if rng.random() < 0.85 else rng.choice(OWNER_IDS))
                     for s, day in d.history]
        if kind == "lost":
            d.lost_reason = LOST_REASONS[n_lost_done % len(LOST_REASONS)]
            n_lost_done += 1
        else:
            d.lost_reason = None
        deals.append(d)
    return deals


def deal_yaml(d):
    out = ["id: %s\ncustomer: %s\ntitle: %s\nowner: %s\namount: %s\ncurrency: EUR\n"
           "stage: %s\ncreated: %s\nexpected_close: %s\n"
           % (d.id, d.customer, q(d.title), d.owner, num(d.amount), d.stage,
              DAY_ISO[d.created], iso(d.expected_close))]
    if d.lines:
        out.append("lines:\n" + "".join("- product: %s\n  quantity: %s\n  price: %s\n"
                                        % (p, num(qh), num(pr)) for p, qh, pr in d.lines))
    out.append("history:\n" + "".join("- stage: %s\n  at: %s\n  by: %s\n"
                                      % (s, DAY_ISO[day], by) for s, day, by in d.history))
    if d.closed is not None:
        out.append("outcome: %s\nclosed: %s\n" % (d.stage, DAY_ISO[d.closed]))
        if d.lost_reason:
            out.append("lost_reason: %s\n" % q(d.lost_reason))
    return "".join(out)


# --------------------------------------------------------------------------
# Writing dated records

class Writer:
    def __init__(self, root):
        self.root = root
        self.files = 0

    def write(self, rel, text):
        fd = os.open(os.path.join(self.root, rel), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            os.write(fd, text.encode("utf-8"))
        finally:
            os.close(fd)
        self.files += 1


def new_id(rng, day, sec, taken):
    stamp = "%st%02d%02d%02d-" % (DAY_COMPACT[day], sec // 3600, sec // 60 % 60, sec % 60)
    while True:
        rid = stamp + "".join(rng.choices("0123456789abcdefghijklmnopqrstuvwxyz", k=5))
        if rid not in taken:
            taken.add(rid)
            return rid


def dt(day, sec):
    return "%sT%02d:%02d:%02dZ" % (DAY_ISO[day], sec // 3600, sec // 60 % 60, sec % 60)


def dated_path(kind, day, rid):
    y, m = MONTH_DIRS[DAY_MONTH[day]]
    return "%s/%s/%s/%s.yaml" % (kind, y, m, rid)


def work_seconds(rng, day, first=7, last=18):
    """A time of day in UTC seconds, never after 16:00 on 'today'."""
    if day == LAST:
        last = min(last, 15)
    return rng.randint(first * 3600, last * 3600 + 3599)


# --------------------------------------------------------------------------
# Orders

ORDER_CHANNELS = ["web", "store", "phone", "partner"]
PERSON_CH_CW = [55, 85, 95, 100]
ORG_CH_CW = [30, 45, 80, 100]


def sample_day(rng, lo, hi):
    while True:
        d = rng.randint(lo, hi)
        if rng.random() < DAY_SEASON[d]:
            return d


def make_orders(rng, w, n, customers, products, deals, customers_by_id):
    by_id = {p.id: p for p in products}
    pids = [p.id for p in products]
    # popularity of each product as first basket item, per month
    month_cw = []
    for mi in range(NMONTHS):
        day = next(i for i in range(NDAYS) if DAY_MONTH[i] == mi)
        t = day / max(1, LAST)
        acc, cw = 0.0, []
        for p in products:
            acc += p.pop * popularity_trend(p.id, t, DAY_CAL_MONTH[day])
            cw.append(acc)
        month_cw.append(cw)
    assoc = {k: [(pid, p0, p1 - p0) for pid, p0, p1 in v if pid in by_id]
             for k, v in ASSOCIATIONS.items() if k in by_id}
    taken = set()
    written = 0

    def record(c, day, lines, total, channel, payment, deal_id):
        nonlocal written
        c.n_orders += 1
        c.first_order = day if c.first_order is None else min(c.first_order, day)
        c.last_order = day if c.last_order is None else max(c.last_order, day)
        if channel == "web":
            sec = rng.randint(6 * 3600, 22 * 3600 + 3599)
            if day == LAST:
                sec = min(sec, 15 * 3600 + rng.randint(0, 3599))
        else:
            sec = work_seconds(rng, day)
        rid = new_id(rng, day, sec, taken)
        out = ["id: %s\ncustomer: %s\nat: %s\n" % (rid, c.id, dt(day, sec))]
        if lines:
            out.append("lines:\n" + "".join("- product: %s\n  quantity: %s\n  price: %s\n"
                                            % (p, num(qh), num(pr)) for p, qh, pr in lines))
            total = sum(qh * pr for _, qh, pr in lines)
            assert total % 100 == 0
            total //= 100
        out.append("total: %s\npayment_method: %s\nchannel: %s\n"
                   % (num(total), q(payment), channel))
        if deal_id:
            out.append("deal: %s\n" % deal_id)
        w.write(dated_path("orders", day, rid), "".join(out))
        written += 1

    def payment_for(c):
        if c.kind == "organization":
            return c.payment_method if rng.random() < 0.85 else pick_cw(rng, ORG_PAY, ORG_PAY_CW)
        return c.payment_method if rng.random() < 0.8 else pick_cw(rng, PERSON_PAY, PERSON_PAY_CW)

    # 1. orders of won deals: like `relate deal win`, on the day the deal closed,
    # with the deal's lines (or its amount as the total)
    won = [d for d in deals if d.stage == "won"][:n]
    for d in won:
        c = customers_by_id[d.customer]
        day = d.closed
        total = None if d.lines else d.amount
        record(c, day, d.lines, total, rng.choice(["phone", "partner", "phone"]),
               "invoice" if c.kind == "organization" else payment_for(c), d.id)

    # 2. how many orders each buyer places
    remaining = n - len(won)
    buyers = [c for c in customers if c.arch in BUYERS]
    if not buyers and remaining > 0:
        buyers = list(customers)
    counts = {}
    fixed = 0
    for c in buyers:
        if c.arch == "one_time":
            k = 0 if c.n_orders else 1
        elif c.arch == "new":
            k = max(0, rng.choice([1, 1, 2, 2, 3]) - c.n_orders)
        else:
            continue
        counts[c.idx] = k
        fixed += k
    if fixed > remaining:  # tiny stores: fewer fixed orders
        for c in buyers:
            if fixed <= remaining:
                break
            k = counts.get(c.idx, 0)
            if k:
                counts[c.idx] = k - 1
                fixed -= 1
    flexible = [c for c in buyers if c.idx not in counts]
    if not flexible and remaining - fixed > 0:
        flexible = buyers
    weights = [ORDER_WEIGHT.get(c.arch, 1.0) * rng.uniform(0.6, 1.4) for c in flexible]
    for c, k in zip(flexible, apportion(remaining - fixed, weights)):
        counts[c.idx] = counts.get(c.idx, 0) + k

    n_nolines = max(2, remaining // 200) if remaining >= 50 else 0
    nolines_every = max(1, remaining // n_nolines) if n_nolines else 0
    serial = 0
    for c in buyers:
        k = counts.get(c.idx, 0)
        if not k:
            continue
        lo, hi = c.lo, max(c.lo, c.hi)
        days = [sample_day(rng, lo, hi) for _ in range(k)]
        if c.arch == "champion":  # champions bought recently
            days[0] = rng.randint(max(lo, LAST - 30), hi)
        elif c.arch == "loyal":
            days[0] = rng.randint(max(lo, LAST - 60), hi)
        is_org = c.kind == "organization"
        ch_cw = ORG_CH_CW if is_org else PERSON_CH_CW
        for day in days:
            serial += 1
            channel = pick_cw(rng, ORDER_CHANNELS, ch_cw)
            if nolines_every and serial % nolines_every == 0 and n_nolines:
                n_nolines -= 1  # e.g. a service or delivery fee, total only
                record(c, day, None, rng.choice([1500, 2500, 4900, 7500, 12000, 15000]),
                       "phone", payment_for(c), None)
                continue
            first = rng.choices(pids, cum_weights=month_cw[DAY_MONTH[day]])[0]
            basket = [first]
            t = day / LAST
            for pid, p0, slope in assoc.get(first, ()):
                if rng.random() < p0 + slope * t:
                    basket.append(pid)
            if rng.random() < 0.15:
                extra = rng.choices(pids, cum_weights=month_cw[DAY_MONTH[day]])[0]
                if extra not in basket:
                    basket.append(extra)
            basket = basket[:4]
            lines = []
            base_qh = None
            discount = rng.choice([5, 10]) if is_org and rng.random() < 0.25 else 0
            for i, pid in enumerate(basket):
                p = by_id[pid]
                if i > 0 and base_qh and p.qkind in ("small", "service") \
                        and by_id[basket[0]].qkind == "unit":
                    qh = base_qh  # one bag and one mouse per laptop
                else:
                    qh = line_qty(rng, p, is_org)
                if i == 0:
                    base_qh = qh
                lines.append((pid, qh, line_price(p, qh, discount if qh >= 300 else 0)))
            record(c, day, lines, None, channel, payment_for(c), None)
    return written


# --------------------------------------------------------------------------
# Interactions

# channel -> [(direction, purpose, summary)]; {p} = a product name
TEMPLATES = {
    "phone": [
        ("outbound", "sales", "Called to follow up on the quote"),
        ("outbound", "sales", "Intro call about {p}"),
        ("outbound", "sales", "Discussed volume pricing for {p}"),
        ("outbound", "sales", "Left a voicemail, will try again"),
        ("inbound", "sales", "Asked for a quote for {p}"),
        ("inbound", "sales", "Called about availability of {p}"),
        ("inbound", "service", "Reported a faulty {p}"),
        ("inbound", "service", "Question about the last invoice"),
        ("inbound", "service", "Needs help setting up {p}"),
        ("outbound", "service", "Checked that the replacement arrived"),
        ("outbound", "service", "Called to confirm the delivery date"),
        ("outbound", "marketing", "Invited to the spring customer event"),
    ],
    "email": [
        ("outbound", "sales", "Sent quote for {p}"),
        ("outbound", "sales", "Re: your request for {p}"),
        ("outbound", "sales", "Sent product sheet for {p}"),
        ("inbound", "sales", "Asked for a volume discount on {p}"),
        ("inbound", "sales", "Wants to add five more seats"),
        ("inbound", "service", "Invoice #{n} is missing the PO number"),
        ("inbound", "service", "Delivery arrived damaged"),
        ("inbound", "service", "Return request for {p}"),
        ("outbound", "service", "Sent RMA instructions"),
        ("outbound", "service", "Sent the corrected invoice"),
        ("outbound", "marketing", "Newsletter: autumn offers"),
        ("outbound", "marketing", "Black Friday: 15% off supplies"),
        ("inbound", "marketing", "Unsubscribe request"),
        ("inbound", "marketing", "Replied to the newsletter: yes, interested"),
    ],
    "meeting": [
        ("outbound", "sales", "Demo of {p} at their office"),
        ("outbound", "sales", "Quarterly business review"),
        ("outbound", "sales", "Workshop on the new office setup"),
        ("inbound", "sales", "Visited our showroom to see {p}"),
        ("outbound", "service", "On-site check of the printer fleet"),
        ("inbound", "service", "Training session for new staff"),
        ("outbound", "marketing", "Met at the trade show booth"),
    ],
    "chat": [
        ("inbound", "service", "Chat: tracking number for the last order"),
        ("inbound", "service", "Asked how to move a licence to a new laptop"),
        ("inbound", "service", "Chat about warranty terms for {p}"),
        ("inbound", "sales", "Chat: is {p} in stock?"),
        ("outbound", "service", "Proactive chat after a failed delivery"),
        ("inbound", "marketing", "Asked about the loyalty programme"),
    ],
    "sms": [
        ("outbound", "marketing", "SMS: weekend sale reminder"),
        ("outbound", "marketing", "SMS: toner subscription offer"),
        ("outbound", "service", "Delivery notification sent"),
        ("outbound", "service", "Appointment reminder for the on-site setup"),
        ("inbound", "service", "yes"),
        ("inbound", "sales", "Replied OK to the offer"),
    ],
    "letter": [
        ("outbound", "sales", "Sent the signed contract by post"),
        ("inbound", "sales", "Received the signed order form"),
        ("inbound", "service", "Written complaint about delivery times"),
        ("outbound", "marketing", "Christmas card and printed catalogue"),
        ("outbound", "service", "Sent the warranty certificate"),
    ],
    "web": [
        ("inbound", "sales", "Filled in the contact form asking about {p}"),
        ("inbound", "sales", "Requested a callback via the website"),
        ("inbound", "marketing", "Downloaded the {p} brochure"),
        ("inbound", "marketing", "Signed up for the newsletter"),
        ("inbound", "service", "Opened a support ticket on the portal"),
        ("outbound", "service", "Answered the support ticket on the portal"),
    ],
    "social": [
        ("inbound", "marketing", "Commented on our LinkedIn post"),
        ("inbound", "marketing", "Shared our product launch post"),
        ("inbound", "service", "Direct message about a late delivery"),
        ("outbound", "marketing", "Replied to a mention on social media"),
        ("inbound", "sales", "Asked about {p} via Instagram"),
    ],
}
CHANNEL_CW_ITEMS = ["email", "phone", "meeting", "chat", "sms", "letter", "web", "social"]
CHANNEL_CW = [30, 52, 61, 71, 76, 79, 88, 94]
WINBACK = [
    ("email", "outbound", "marketing", "We miss you: 10% off your next order"),
    ("phone", "outbound", "sales", "Called to ask why orders stopped"),
    ("letter", "outbound", "marketing", "Win-back letter with voucher"),
    ("sms", "outbound", "marketing", "SMS: your voucher expires soon"),
]
# (purpose, channels, direction or None for both, text); {p} = a product name
# (the deal's title for deal interactions), {c} = customer, {o} = owner name
BODY_TEMPLATES = [
    ("sales", ("meeting",), None,
     "Attendees: {c}, {o}\nTopics:\n- current setup and pain points\n- budget for next quarter\n"
     "- timeline for the rollout\n\nNext step: send a proposal for {p}.\n"),
    ("sales", ("phone", "meeting"), None,
     "They compare us with two other vendors.\nDecision maker: head of IT.\n"
     "Price matters more than delivery time.\n"),
    ("sales", ("email",), "inbound",
     "Hello,\n\ncould you send us three options:\n1. {p} only\n2. {p} with setup\n"
     "3. the full bundle with support\n\nThanks!\n"),
    ("sales", ("email",), "outbound",
     "Hi,\n\nas discussed, attached is our offer for {p}.\n"
     "Prices are valid until the end of the month.\n\nBest regards,\n{o}\n"),
    ("sales", ("letter",), None,
     "Enclosed: contract in two copies.\nOne copy to be returned countersigned.\n"),
    ("service", ("phone", "email", "meeting"), "inbound",
     "Customer reported: {p} stops responding after a few minutes.\n"
     "Steps tried: restart, firmware update.\nResolution: replacement shipped, RMA opened.\n"),
    ("service", ("email", "phone"), None,
     "Invoice address was wrong (old office).\nCorrected in the system, new invoice sent.\n"),
    ("service", ("email", "phone", "letter"), None,
     "Delivery was split in two parcels; the second one is late.\n"
     "# carrier says: tomorrow before noon\n"),
    ("marketing", ("email", "letter"), "outbound",
     "Campaign: autumn offers\nSegment: existing customers\n"
     "Response: clicked through, no order yet.\n"),
    ("marketing", ("phone", "meeting", "email"), None,
     "Interested in the customer event.\nWould like an invitation for two colleagues.\n"),
]
BODIES = {}
for _purpose, _chans, _dir, _text in BODY_TEMPLATES:
    for _ch in _chans:
        for _d in ((_dir,) if _dir else ("inbound", "outbound")):
            BODIES.setdefault((_purpose, _ch, _d), []).append(_text)
OWNER_NAMES = {o[0]: o[1] for o in OWNERS}
DEAL_TEMPLATES = {
    "qualification": [("phone", "outbound", "Kick-off call for {t}"),
                      ("email", "inbound", "Asked about options for {t}")],
    "needs_analysis": [("meeting", "outbound", "Needs analysis meeting: {t}"),
                       ("phone", "outbound", "Clarified requirements for {t}")],
    "proposal": [("email", "outbound", "Sent proposal for {t}"),
                 ("meeting", "outbound", "Presented the proposal for {t}")],
    "negotiation": [("phone", "outbound", "Negotiated terms for {t}"),
                    ("email", "inbound", "Asked for a better price on {t}")],
    "won": [("letter", "inbound", "Contract signed: {t}"),
            ("email", "inbound", "Order confirmation for {t}")],
    "lost": [("email", "inbound", "Declined our offer for {t}"),
             ("phone", "outbound", "Debrief after losing {t}")],
}
NPS_SUMMARY = "Answered the satisfaction survey (score {s})"
NPS_BODIES = {
    "promoter": ["Great service, fast delivery.\nWould recommend us to colleagues.\n",
                 "Very happy with the support team.\n"],
    "passive": ["Good products, but delivery took a while.\n",
                "OK overall.\nWould like a better price for toner.\n"],
    "detractor": ["Delivery took two weeks.\nSupport did not call back.\n",
                  "Invoice was wrong twice; not impressed.\n"],
}
NPS_MIX = {  # cumulative probability of detractor, passive (rest promoter)
    "champion": (0.05, 0.25), "loyal": (0.15, 0.5), "at_risk": (0.65, 0.9),
    "new": (0.2, 0.5), "one_time": (0.35, 0.7), "occasional": (0.3, 0.65),
}


def make_interactions(rng, w, n, customers, products, deals, customers_by_id):
    taken = set()
    pnames = [p.name for p in products[:20]]
    written = 0
    questionnaire_stats = [0, 0, 0]

    def emit(c, day, sec, channel, direction, purpose, owner, summary, body=None,
             deal=None, follow_up=None, score=None):
        nonlocal written
        rid = new_id(rng, day, sec, taken)
        out = ["id: %s\ncustomer: %s\nat: %s\nchannel: %s\ndirection: %s\npurpose: %s\n"
               "owner: %s\nsummary: %s\n"
               % (rid, c.id, dt(day, sec), channel, direction, purpose, owner, q(summary))]
        if body:
            out.append("body: " + block(body))
        if deal:
            out.append("deal: %s\n" % deal)
        if follow_up is not None:
            out.append("follow_up: %s\n" % iso(follow_up))
        if score is not None:
            out.append("score: %d\n" % score)
        w.write(dated_path("interactions", day, rid), "".join(out))
        written += 1

    def fill(text, c, owner, pname):
        if "{" not in text:
            return text
        return (text.replace("{p}", pname).replace("{c}", c.name)
                .replace("{o}", OWNER_NAMES[owner]).replace("{n}", str(rng.randint(1000, 9999))))

    def follow(day, boost=1.0):
        """Recent contacts often have a pending follow-up; old ones rarely."""
        if day >= LAST - 21:
            pr = 0.4
        elif day >= LAST - 90:
            pr = 0.1
        else:
            pr = 0.025
        return day + rng.randint(2, 21) if rng.random() < pr * boost else None

    # 1. interactions about deals
    budget_deal = min(n // 4, sum(1 for _ in deals) * 5)
    deal_jobs = list(deals)
    i = 0
    while budget_deal > 0 and deal_jobs:
        d = deal_jobs[i % len(deal_jobs)]
        i += 1
        if i > len(deal_jobs) * 6:
            break
        c = customers_by_id[d.customer]
        day = rng.randint(d.created, d.end)
        stage = d.history[0][0]
        for s, hday, _ in d.history:
            if hday <= day:
                stage = s
        channel, direction, summary = rng.choice(DEAL_TEMPLATES[stage])
        summary = summary.replace("{t}", d.title)
        body = None
        texts = BODIES.get(("sales", channel, direction))
        if texts and rng.random() < 0.3:
            body = fill(rng.choice(texts), c, d.owner, d.title)
        fu = follow(day, 1.5 if d.closed is None else 0.5)
        if d.closed is not None and fu is not None and fu > d.closed + 30:
            fu = None
        emit(c, day, work_seconds(rng, day), channel, direction, "sales", d.owner, summary,
             body, d.id, fu)
        budget_deal -= 1

    # 2. questionnaires (NPS) from buyers, after their first order
    n_q = min(round(n * 0.12), n - written)
    qbuyers = [c for c in customers if c.first_order is not None]
    if qbuyers and n_q:
        qw = [INTERACTION_WEIGHT.get(c.arch, 1) for c in qbuyers]
        for c in rng.choices(qbuyers, weights=qw, k=n_q):
            hi = LAST if c.arch != "at_risk" else min(LAST, AT_RISK_CUTOFF + 60)
            lo = min(c.first_order + 3, hi)
            day = rng.randint(lo, max(lo, hi))
            det, pas = NPS_MIX.get(c.arch, (0.3, 0.6))
            r = rng.random()
            if r < det:
                score, kind = rng.choice([0, 2, 3, 4, 5, 5, 6, 6]), "detractor"
                questionnaire_stats[0] += 1
            elif r < pas:
                score, kind = rng.choice([7, 8]), "passive"
                questionnaire_stats[1] += 1
            else:
                score, kind = rng.choice([9, 10, 10]), "promoter"
                questionnaire_stats[2] += 1
            body = rng.choice(NPS_BODIES[kind]) if rng.random() < 0.4 else None
            fu = day + rng.randint(1, 7) if kind == "detractor" and rng.random() < 0.5 else None
            emit(c, day, rng.randint(0, 86399) if day != LAST else rng.randint(0, 15 * 3600),
                 "questionnaire", "inbound", "service", c.owner,
                 NPS_SUMMARY.replace("{s}", str(score)), body, None, fu, score)

    # 3. everything else
    rest = n - written
    if rest > 0 and customers:
        iw = []
        acc = 0.0
        for c in customers:
            acc += INTERACTION_WEIGHT.get(c.arch, 1)
            iw.append(acc)
        chan_templates = {ch: TEMPLATES[ch] for ch in CHANNEL_CW_ITEMS}
        chan_no_service = {ch: [t for t in TEMPLATES[ch] if t[1] != "service"]
                           for ch in CHANNEL_CW_ITEMS}
        picks = rng.choices(customers, cum_weights=iw, k=rest)
        for c in picks:
            owner = c.owner if rng.random() < 0.85 else rng.choice(OWNER_IDS)
            if c.arch == "at_risk" and rng.random() < 0.25:
                day = rng.randint(min(AT_RISK_CUTOFF + 30, LAST), LAST)
                channel, direction, purpose, summary = rng.choice(WINBACK)
                pname = rng.choice(pnames)
            else:
                day = rng.randint(c.created, LAST)
                channel = pick_cw(rng, CHANNEL_CW_ITEMS, CHANNEL_CW)
                tl = chan_templates[channel] if c.first_order is not None \
                    else chan_no_service[channel]
                direction, purpose, summary = rng.choice(tl)
                pname = rng.choice(pnames)
                summary = fill(summary, c, owner, pname)
            body = None
            texts = BODIES.get((purpose, channel, direction))
            if texts and rng.random() < 0.2:
                body = fill(rng.choice(texts), c, owner, pname)
            if channel in ("web", "social", "chat"):
                sec = rng.randint(0, 86399) if day != LAST else rng.randint(0, 15 * 3600)
            else:
                sec = work_seconds(rng, day)
            emit(c, day, sec, channel, direction, purpose, owner, summary, body, None,
                 follow(day))
    return written, questionnaire_stats


# --------------------------------------------------------------------------
# Service: equipment at customers, tickets, campaigns

# Equipment installed at organizations: (product, service interval in days or
# None, warranty in years)
EQUIPMENT = [("laser-printer-lp200", 180, 2), ("laptop-pro-14", 365, 3),
             ("laptop-air-13", None, 2), ("monitor-27", None, 3)]
# Hours to first response and to resolution per priority (the default SLAs).
SLA_HOURS = {"urgent": (1, 8), "high": (4, 24), "normal": (8, 72), "low": (24, 168)}
PRIORITY_CW = [("urgent", 1), ("high", 4), ("normal", 9), ("low", 11)]
# (kind, subject); {p} = the equipment's product name
ASSET_SUBJECTS = [
    ("repair", "{p} stops responding"), ("repair", "{p} makes a grinding noise"),
    ("repair", "{p} does not power on"), ("repair", "Error code E7 on the {p}"),
    ("warranty", "Warranty claim for the {p}"), ("warranty", "{p} failed within warranty"),
    ("maintenance", "{p} needs cleaning and calibration"),
]
OTHER_SUBJECTS = [
    ("question", "How do I set up scan to e-mail?"),
    ("question", "Question about the licence renewal"),
    ("question", "Which toner fits our printer?"),
    ("question", "Can the support plan move to our new site?"),
    ("complaint", "Invoice charged twice"),
    ("complaint", "Technician arrived late"),
    ("complaint", "Delivery was incomplete"),
]
RESOLUTION_NOTES = {
    "repair": ["Replaced the part", "Fixed on site", None],
    "warranty": ["Unit swapped under warranty", None],
    "maintenance": ["Cleaned and calibrated", None],
    "question": ["Explained the settings", "Sent the instructions", None],
    "complaint": ["Credit note sent", "Apologised; new appointment made", None],
}
# The data's clock: 16:00 UTC on TODAY, in seconds from START.
NOW_SECONDS = LAST * 86400 + 16 * 3600
CAMPAIGN_LAUNCH = (date(2026, 9, 30) - START).days
CAMPAIGN_START = CAMPAIGN_LAUNCH + 1
CAMPAIGN_END = (date(2026, 10, 31) - START).days


def add_years(day, years):
    """The day index `years` calendar years after `day` (Feb 29 -> Feb 28)."""
    d = START + timedelta(days=day)
    try:
        later = d.replace(year=d.year + years)
    except ValueError:
        later = d.replace(year=d.year + years, day=28)
    return (later - START).days


def moment(seconds):
    """An RFC 3339 UTC date-time of seconds since START."""
    day, sec = divmod(seconds, 86400)
    return dt(day, sec)


class ServiceWriter:
    """Writes assets, tickets, campaigns and the interactions about them."""

    def __init__(self, rng, w):
        self.rng, self.w = rng, w
        self.taken = set()
        self.interactions = 0

    def interaction(self, c, seconds, channel, direction, purpose, owner, summary,
                    ticket=None, campaign=None):
        day, sec = divmod(seconds, 86400)
        while True:
            rid = new_id(self.rng, day, sec, self.taken)
            path = dated_path("interactions", day, rid)
            if not os.path.exists(os.path.join(self.w.root, path)):
                break
        out = ["id: %s\ncustomer: %s\nat: %s\nchannel: %s\ndirection: %s\npurpose: %s\n"
               "owner: %s\nsummary: %s\n"
               % (rid, c.id, dt(day, sec), channel, direction, purpose, owner, q(summary))]
        if ticket:
            out.append("ticket: %s\n" % ticket)
        if campaign:
            out.append("campaign: %s\n" % campaign)
        self.w.write(path, "".join(out))
        self.interactions += 1


def make_assets(sw, customers, products_by_id):
    """Equipment at some of the organizations that buy, with its service visits."""
    rng = sw.rng
    equipment = [e for e in EQUIPMENT if e[0] in products_by_id]
    orgs = [c for c in customers if c.kind == "organization" and c.first_order is not None]
    if not equipment:
        return []
    taken = set()
    assets = []
    for c in orgs[:max(1, len(orgs) * 2 // 3)]:
        for _ in range(rng.choice([1, 1, 2, 3])):
            pid, every, warranty_years = rng.choice(equipment)
            a = {"id": unique_slug(slugify("%s %s" % (c.id, pid)), taken), "customer": c,
                 "product": pid, "every": every}
            # Installed up to six years before the history starts, or during it;
            # some so that the warranty ends within the next four weeks.
            if rng.random() < 0.15:
                a["installed"] = add_years(LAST + rng.randint(3, 28), -warranty_years)
            else:
                a["installed"] = rng.randint(-5 * 365, LAST - 20)
            a["warranty"] = add_years(a["installed"], warranty_years)
            a["serial"] = "%s-%05d" % (pid.split("-")[0][:3].upper(), rng.randint(0, 99999))
            a["last"] = None
            if every:
                visit = a["installed"] + every + rng.randint(-10, 20)
                while visit <= LAST:
                    if rng.random() < 0.15 and visit + every > LAST:
                        break  # the latest visit is overdue
                    a["last"] = visit
                    if visit >= 0:
                        sw.interaction(c, visit * 86400 + work_seconds(rng, visit), "meeting",
                                       "outbound", "service", c.owner,
                                       "Maintenance of %s" % a["id"])
                    visit += every + rng.randint(-10, 20)
            assets.append(a)
    for a in assets:
        out = ["id: %s\ncustomer: %s\nproduct: %s\nserial: %s\ninstalled: %s\n"
               "warranty_until: %s\n" % (a["id"], a["customer"].id, a["product"], a["serial"],
                                         iso(a["installed"]), iso(a["warranty"]))]
        if a["every"]:
            out.append("service_every_days: %d\n" % a["every"])
        if a["last"] is not None:
            out.append("last_service: %s\n" % iso(a["last"]))
        sw.w.write("assets/%s.yaml" % a["id"], "".join(out))
    return assets


def make_tickets(sw, n, customers, products_by_id, assets):
    """Tickets of the last six months; most resolved, the recent ones often open,
    a few past their SLA. Replies are interactions naming the ticket."""
    rng = sw.rng
    buyers = [c for c in customers if c.first_order is not None]
    if not buyers:
        return 0, 0
    by_customer = {}
    for a in assets:
        by_customer.setdefault(a["customer"].id, []).append(a)
    taken = set()
    opened_count = 0
    for i in range(n):
        c = rng.choice(buyers)
        owned = by_customer.get(c.id)
        asset = rng.choice(owned) if owned and rng.random() < 0.7 else None
        if asset:
            kind, subject = rng.choice(ASSET_SUBJECTS)
            product = asset["product"]
            subject = subject.replace("{p}", products_by_id[product].name)
        else:
            kind, subject = rng.choice(OTHER_SUBJECTS)
            product = None
        priority = rng.choices([p for p, _ in PRIORITY_CW],
                               cum_weights=list(accumulate(w for _, w in PRIORITY_CW)))[0]
        first_hours, resolution_hours = SLA_HOURS[priority]
        day = rng.randint(LAST - 180, LAST - 8) if i % 3 else rng.randint(LAST - 7, LAST)
        opened = day * 86400 + work_seconds(rng, day)
        # Mostly within the SLA; about one clock in six runs over.
        responded = opened + int(first_hours * 3600 * rng.uniform(0.1, 1.25))
        resolved = responded + int(resolution_hours * 3600 * rng.uniform(0.05, 1.1))
        tid = unique_slug(slugify("%s %s" % (c.id, subject), 60), taken)
        history = [("open", opened, None)]
        if rng.random() < 0.5:
            sw.interaction(c, opened, rng.choice(["email", "phone"]), "inbound", "service",
                           c.owner, subject, ticket=tid)
        replied = responded <= NOW_SECONDS and (resolved > NOW_SECONDS or rng.random() < 0.85)
        if replied:
            sw.interaction(c, responded, rng.choice(["email", "phone"]), "outbound", "service",
                           c.owner, "Re: %s" % subject, ticket=tid)
            if rng.random() < 0.6:
                history.append(("in_progress", responded, None))
        if resolved <= NOW_SECONDS:
            history.append(("resolved", resolved, rng.choice(RESOLUTION_NOTES[kind])))
        elif replied and rng.random() < 0.3:
            history.append(("waiting", responded + 1800, "Asked the customer for details"))
        status = history[-1][0]
        opened_count += status != "resolved"
        out = ["id: %s\ncustomer: %s\nsubject: %s\nkind: %s\npriority: %s\nstatus: %s\n"
               "owner: %s\n" % (tid, c.id, q(subject), kind, priority, status, c.owner)]
        if asset:
            out.append("asset: %s\n" % asset["id"])
        if product:
            out.append("product: %s\n" % product)
        out.append("opened: %s\n" % moment(opened))
        if replied:
            out.append("first_response: %s\n" % moment(responded))
        elif status == "resolved":
            out.append("first_response: %s\n" % moment(resolved))
        if status == "resolved":
            out.append("resolved: %s\n" % moment(resolved))
        out.append("history:\n")
        for st, at, note in history:
            out.append("- status: %s\n  at: %s\n  by: %s\n" % (st, moment(at), c.owner))
            if note:
                out.append("  note: %s\n" % q(note))
        sw.w.write("tickets/%s.yaml" % tid, "".join(out))
    return n, opened_count


def make_campaigns(sw, customers):
    """A launched e-mail campaign to the EU organizations (segment
    eu-organizations) in October, with its contacts and responses, and a
    win-back letter planned for December."""
    rng = sw.rng
    members = sorted((c for c in customers if c.region == "EU" and c.kind == "organization"
                      and c.created <= CAMPAIGN_LAUNCH), key=lambda c: c.id)
    if not members or CAMPAIGN_END > LAST:
        return 0
    cid = "autumn-printer-offer"
    for c in members:
        day = CAMPAIGN_START + rng.randint(0, 1)
        sw.interaction(c, day * 86400 + work_seconds(rng, day), "email", "outbound",
                       "marketing", "alice", "Autumn printer offer", campaign=cid)
        if rng.random() < 0.3:
            day = rng.randint(CAMPAIGN_START + 1, CAMPAIGN_END)
            sw.interaction(c, day * 86400 + work_seconds(rng, day), "email", "inbound",
                           "marketing", c.owner, "Asked about the autumn printer offer",
                           campaign=cid)
    sw.w.write("campaigns/%s.yaml" % cid,
               "id: %s\nname: Autumn printer offer\nchannel: email\nsegment: eu-organizations\n"
               "start: %s\nend: %s\nowner: alice\nlaunched: %sT08:00:00Z\nmembers:\n%s"
               % (cid, iso(CAMPAIGN_START), iso(CAMPAIGN_END), iso(CAMPAIGN_LAUNCH),
                  "".join("- %s\n" % c.id for c in members)))
    sw.w.write("campaigns/winter-win-back.yaml",
               "id: winter-win-back\nname: Winter win-back\nchannel: letter\nsegment: at-risk\n"
               "start: 2026-12-01\nend: 2026-12-31\nowner: bob\n")
    return 2


def make_service(seed, w, customers, products_by_id):
    """Assets, tickets and campaigns, from their own random stream so that the
    rest of the store does not change with them."""
    sw = ServiceWriter(Random("service-%d" % seed), w)
    assets = make_assets(sw, customers, products_by_id)
    tickets, still_open = make_tickets(sw, max(0, len(customers) * 3 // 4), customers,
                                       products_by_id, assets)
    campaigns = make_campaigns(sw, customers)
    return {"assets": len(assets), "tickets": tickets, "open": still_open,
            "campaigns": campaigns, "interactions": sw.interactions}


# --------------------------------------------------------------------------

def prepare_dir(out, force):
    if os.path.exists(out) and not os.path.isdir(out):
        sys.exit("error: %s exists and is not a directory" % out)
    if os.path.isdir(out) and os.listdir(out):
        if not force:
            sys.exit("error: %s is not empty (use --force to replace the store in it)" % out)
        for sub in ("customers", "interactions", "deals", "products", "orders", "tickets",
                    "assets", "campaigns"):
            path = os.path.join(out, sub)
            if os.path.isdir(path):
                shutil.rmtree(path)
    os.makedirs(out, exist_ok=True)
    for sub in ("customers", "deals", "products", "tickets", "assets", "campaigns"):
        os.makedirs(os.path.join(out, sub), exist_ok=True)
    for kind in ("interactions", "orders"):
        for y, m in MONTH_DIRS:
            os.makedirs(os.path.join(out, kind, y, m), exist_ok=True)


def remove_empty_month_dirs(out):
    for kind in ("interactions", "orders"):
        for y, m in MONTH_DIRS:
            path = os.path.join(out, kind, y, m)
            if not os.listdir(path):
                os.rmdir(path)
        for y in sorted({y for y, _ in MONTH_DIRS}):
            path = os.path.join(out, kind, y)
            if not os.listdir(path):
                os.rmdir(path)


def main(argv=None):
    ap = argparse.ArgumentParser(
        description="Write a complete, deterministic relate store (YAML files) into OUT_DIR. "
                    "Data spans 2025-05-01 .. 2026-11-20 ('today').")
    ap.add_argument("out_dir", metavar="OUT_DIR", help="directory to create the store in")
    ap.add_argument("--seed", type=int, default=42, help="random seed (default: 42)")
    ap.add_argument("--customers", type=int, default=40, help="number of customers (default: 40)")
    ap.add_argument("--interactions", type=int, default=340,
                    help="number of interactions (default: 340)")
    ap.add_argument("--orders", type=int, default=330, help="number of orders (default: 330)")
    ap.add_argument("--products", type=int, default=20, help="number of products (default: 20)")
    ap.add_argument("--deals", type=int, default=45, help="number of deals (default: 45)")
    ap.add_argument("--force", action="store_true",
                    help="write into a non-empty OUT_DIR: its record folders (customers/, "
                         "deals/, products/, interactions/, orders/, tickets/, assets/, "
                         "campaigns/) are deleted first")
    ap.add_argument("--check-settings", metavar="RELATE",
                    help="check that relate.yaml holds the defaults of the one the binary "
                         "RELATE writes with `init` (with PyYAML); exit 1 if it does not")
    args = ap.parse_args(argv)
    for name in ("customers", "interactions", "orders", "products", "deals"):
        if getattr(args, name) < 0:
            ap.error("--%s must not be negative" % name)
    if args.customers == 0 and (args.interactions or args.orders or args.deals):
        ap.error("interactions, orders and deals need at least one customer")
    if args.products == 0 and args.orders:
        ap.error("orders need at least one product")

    settings = settings_yaml(args.seed)
    if args.check_settings:
        differ = settings_differences(args.check_settings, settings)
        if differ:
            sys.exit("error: the relate.yaml `relate init` writes has other values for %s: "
                     "make SETTINGS (scripts/generate_store.py) hold them"
                     % ", ".join(differ))

    t0 = time.monotonic()
    rng = Random(args.seed)
    out = args.out_dir
    prepare_dir(out, args.force)
    w = Writer(out)

    w.write("relate.yaml", settings)
    w.write(".gitattributes", GITATTRIBUTES)
    w.write(".gitignore", GITIGNORE)

    products = make_products(rng, args.products)
    products_by_id = {p.id: p for p in products}
    customers = make_customers(rng, args.customers)
    customers_by_id = {c.id: c for c in customers}
    deals = make_deals(rng, args.deals, customers, products_by_id)
    n_orders = make_orders(rng, w, args.orders, customers, products, deals, customers_by_id)
    n_inter, nps = make_interactions(rng, w, args.interactions, customers, products, deals,
                                     customers_by_id)
    service = make_service(args.seed, w, customers, products_by_id)

    for p in products:
        w.write("products/%s.yaml" % p.id, product_yaml(p, products_by_id))
    for d in deals:
        w.write("deals/%s.yaml" % d.id, deal_yaml(d))
    stages = {}
    seen = {}
    for c in customers:
        seen[c.arch] = seen.get(c.arch, -1) + 1
        stage = customer_stage(c, seen[c.arch])
        stages[stage] = stages.get(stage, 0) + 1
        w.write("customers/%s.yaml" % c.id, customer_yaml(c, stage))
    remove_empty_month_dirs(out)

    deal_stages = {}
    for d in deals:
        deal_stages[d.stage] = deal_stages.get(d.stage, 0) + 1
    print("wrote %s: %d customers (%s), %d products, %d deals (%s), %d orders, "
          "%d interactions (%d questionnaires, %d about tickets, assets and campaigns), "
          "%d tickets (%d open), %d assets, %d campaigns, %d files in %.1fs"
          % (out, len(customers), ", ".join("%s %d" % kv for kv in sorted(stages.items())),
             len(products), len(deals),
             ", ".join("%s %d" % (s, deal_stages[s]) for s in STAGES + ["won", "lost"]
                       if s in deal_stages),
             n_orders, n_inter + service["interactions"], sum(nps), service["interactions"],
             service["tickets"], service["open"], service["assets"], service["campaigns"],
             w.files, time.monotonic() - t0))


if __name__ == "__main__":
    main()
