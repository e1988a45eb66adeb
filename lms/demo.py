"""Demonstration data: the fictional mission UNMIC in Carana and four contributing countries.

Deterministic for a given seed. People persist across rotations: part of each contingent's
previous rotation serves again in the next one, as in real rotations.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import select

from lms.auth import services as accounts
from lms.auth.models import UserScope
from lms.auth.roles import ADMIN, ANALYST, CONTROLLER, TRAINEE, TRAINER
from lms.extensions import db
from lms.org.models import (
    Cohort,
    CohortMember,
    Contingent,
    Country,
    Mission,
    Person,
    Rotation,
    RotationMember,
    SubUnit,
)

MISSION_CODE = "UNMIC"

# (username, password, role label) — printed by `flask demo load` and `make run`.
DEMO_LOGINS = [
    ("admin", "carana-admin-2026", "administrator"),
    ("trainer.npl", "carana-trainer-2026", "trainer (Nepal)"),
    ("trainer.sen", "carana-trainer-2026", "trainer (Senegal)"),
    ("controller", "carana-control-2026", "exercise controller"),
    ("analyst", "carana-analyst-2026", "HQ analyst"),
    ("trainee", "carana-trainee-2026", "trainee"),
]

COUNTRIES = [
    # iso, name, language, contingent code, contingent name, kind, rank list, roles
    (
        "NPL",
        "Nepal",
        "ne",
        "NEPBATT",
        "Nepalese infantry battalion",
        "infantry-battalion",
        [
            "Sepoy",
            "Lance Corporal",
            "Corporal",
            "Sergeant",
            "Warrant Officer II",
            "Lieutenant",
            "Captain",
            "Major",
        ],
        [
            "infantry",
            "infantry",
            "infantry",
            "patrol-leader",
            "signals",
            "driver",
            "medical",
            "staff-officer",
        ],
    ),
    (
        "BGD",
        "Bangladesh",
        "bn",
        "BANFPU",
        "Bangladeshi formed police unit",
        "formed-police-unit",
        [
            "Constable",
            "Naik",
            "Head Constable",
            "Sub-Inspector",
            "Inspector",
            "Assistant Superintendent",
        ],
        [
            "police-officer",
            "police-officer",
            "police-officer",
            "patrol-leader",
            "driver",
            "signals",
        ],
    ),
    (
        "SEN",
        "Senegal",
        "fr",
        "SENFPU",
        "Senegalese formed police unit",
        "formed-police-unit",
        [
            "Gendarme",
            "Maréchal des logis",
            "Maréchal des logis-chef",
            "Adjudant",
            "Lieutenant",
            "Capitaine",
        ],
        [
            "police-officer",
            "police-officer",
            "police-officer",
            "patrol-leader",
            "driver",
            "logistics",
        ],
    ),
    (
        "JOR",
        "Jordan",
        "ar",
        "JORMED",
        "Jordanian level-2 hospital",
        "level-2-hospital",
        ["Private", "Corporal", "Sergeant", "Lieutenant", "Captain", "Major"],
        ["medical", "medical", "medical", "logistics", "driver", "staff-officer"],
    ),
]

SUBUNITS = {
    "infantry-battalion": [
        ("Battalion headquarters", "headquarters"),
        ("Alpha Company", "company"),
        ("Bravo Company", "company"),
        ("Charlie Company", "company"),
    ],
    "formed-police-unit": [
        ("Command platoon", "headquarters"),
        ("1st Platoon", "platoon"),
        ("2nd Platoon", "platoon"),
        ("3rd Platoon", "platoon"),
    ],
    "level-2-hospital": [
        ("Hospital command", "headquarters"),
        ("Surgical team", "medical-team"),
        ("Ward and nursing", "medical-team"),
        ("Support section", "section"),
    ],
}

NAMES = {
    "NPL": (
        [
            "Ram",
            "Hari",
            "Bishnu",
            "Krishna",
            "Suman",
            "Anita",
            "Sita",
            "Dipak",
            "Prakash",
            "Sunita",
            "Bikash",
            "Rajesh",
            "Gita",
            "Kamal",
            "Nabin",
            "Puja",
            "Sanjay",
            "Binod",
            "Laxmi",
            "Manoj",
        ],
        [
            "Gurung",
            "Magar",
            "Thapa",
            "Rai",
            "Limbu",
            "Shrestha",
            "Tamang",
            "Karki",
            "Adhikari",
            "Basnet",
            "Khadka",
            "Bhandari",
            "Pun",
            "Sherpa",
            "Poudel",
            "Rana",
        ],
    ),
    "BGD": (
        [
            "Abdul",
            "Rahim",
            "Karim",
            "Nasrin",
            "Farhana",
            "Shahid",
            "Tanvir",
            "Sumaiya",
            "Mahmud",
            "Rafiq",
            "Jahid",
            "Ayesha",
            "Mizanur",
            "Shirin",
            "Habib",
            "Rezaul",
            "Sabina",
            "Imran",
        ],
        [
            "Hossain",
            "Rahman",
            "Islam",
            "Ahmed",
            "Chowdhury",
            "Uddin",
            "Akter",
            "Khan",
            "Sarkar",
            "Miah",
            "Talukder",
            "Bhuiyan",
            "Haque",
            "Kabir",
        ],
    ),
    "SEN": (
        [
            "Mamadou",
            "Awa",
            "Ousmane",
            "Fatou",
            "Cheikh",
            "Aminata",
            "Ibrahima",
            "Mariama",
            "Moussa",
            "Khady",
            "Abdoulaye",
            "Ndeye",
            "Babacar",
            "Aissatou",
            "Modou",
            "Seynabou",
        ],
        [
            "Diop",
            "Ndiaye",
            "Fall",
            "Sow",
            "Ba",
            "Diallo",
            "Faye",
            "Gueye",
            "Sarr",
            "Mbaye",
            "Cissé",
            "Sy",
            "Thiam",
            "Kane",
            "Niang",
        ],
    ),
    "JOR": (
        [
            "Omar",
            "Layla",
            "Khaled",
            "Rania",
            "Yousef",
            "Huda",
            "Ahmad",
            "Dana",
            "Mahmoud",
            "Nour",
            "Ibrahim",
            "Salma",
            "Tariq",
            "Reem",
            "Zaid",
            "Hala",
        ],
        [
            "Al-Masri",
            "Haddad",
            "Khoury",
            "Al-Zoubi",
            "Nasser",
            "Odeh",
            "Al-Khatib",
            "Qasem",
            "Shami",
            "Al-Hassan",
            "Darwish",
            "Saleh",
            "Barakat",
            "Jaber",
        ],
    ),
}


def is_loaded() -> bool:
    return db.session.scalar(select(Mission).where(Mission.code == MISSION_CODE)) is not None


def load(people: int = 320, seed: int = 2026, today: date | None = None) -> dict:
    """Create the demo organisation and logins. The caller commits."""
    rng = random.Random(seed)  # noqa: S311 (demo names, not secrets)
    today = today or date.today()
    mission = Mission(
        code=MISSION_CODE,
        name="United Nations Mission in Carana",
        host_country="Carana",
        description=(
            "A fictional multidimensional peacekeeping operation used for training. Its mandate puts "
            "the protection of civilians first, with support to the peace agreement and to the "
            "restoration of state authority in the north and west of Carana."
        ),
    )
    db.session.add(mission)
    per_country = max(10, people // len(COUNTRIES))
    counts = {"countries": 0, "contingents": 0, "rotations": 0, "people": 0}
    contingents: dict[str, Contingent] = {}
    next_rotations: dict[str, Rotation] = {}
    for index, (iso, name, lang, code, cname, kind, ranks, roles) in enumerate(COUNTRIES):
        country = Country(iso_code=iso, name=name, default_language=lang)
        contingent = Contingent(country=country, mission=mission, code=code, name=cname, kind=kind)
        db.session.add_all([country, contingent])
        subunits = [SubUnit(contingent=contingent, name=n, kind=k) for n, k in SUBUNITS[kind]]
        db.session.add_all(subunits)
        contingents[iso] = contingent
        counts["countries"] += 1
        counts["contingents"] += 1

        # Three rotations: the previous (completed), the current (deployed), the next (preparing).
        stagger = timedelta(days=30 * index)
        current_start = today - timedelta(days=150) + stagger
        base_number = 4 + index
        rotations = [
            Rotation(
                contingent=contingent,
                number=base_number,
                status="completed",
                planned_deployment=current_start - timedelta(days=365),
                end_date=current_start - timedelta(days=1),
            ),
            Rotation(
                contingent=contingent,
                number=base_number + 1,
                status="deployed",
                planned_deployment=current_start,
                end_date=current_start + timedelta(days=364),
            ),
            Rotation(
                contingent=contingent,
                number=base_number + 2,
                status="preparing",
                planned_deployment=current_start + timedelta(days=365),
                end_date=current_start + timedelta(days=729),
            ),
        ]
        db.session.add_all(rotations)
        counts["rotations"] += 3
        next_rotations[iso] = rotations[2]

        given, family = NAMES[iso]
        size = per_country // 3
        pool: list[Person] = []
        for n in range(per_country):
            rank_index = min(len(ranks) - 1, int(rng.random() ** 2.2 * len(ranks)))
            person = Person(
                country=country,
                service_number=f"{iso[:2]}{rng.randint(10, 99)}-{100000 + index * 10000 + n}",
                given_name=rng.choice(given),
                family_name=rng.choice(family),
                rank=ranks[rank_index],
                role=rng.choice(roles),
                preferred_language=lang
                if rng.random() < 0.8
                else rng.choice(["en", "fr", "ar", lang]),
            )
            pool.append(person)
        db.session.add_all(pool)
        counts["people"] += len(pool)
        # A third serves in each rotation; about a fifth of the previous rotation serves again
        # in the next one: people persist, rotations change.
        previous = pool[:size]
        current = pool[size : 2 * size]
        returning = previous[: max(2, size // 5)]
        nxt = returning + pool[2 * size : 3 * size - len(returning)]
        for rotation, members in zip(rotations, [previous, current, nxt], strict=True):
            for i, person in enumerate(members):
                db.session.add(
                    RotationMember(
                        rotation=rotation,
                        person=person,
                        subunit=subunits[i % len(subunits)],
                        position=_position(person.role),
                    )
                )
        db.session.flush()
        for rotation in rotations:
            for subunit in subunits[1:]:
                cohort = Cohort(
                    rotation=rotation, subunit=subunit, name=f"{subunit.name} — {rotation.number}"
                )
                db.session.add(cohort)
                for m in rotation.members:
                    if m.subunit_id == subunit.id:
                        db.session.add(CohortMember(cohort=cohort, person=m.person))
    db.session.flush()
    trainee = _create_logins(contingents, next_rotations)
    from lms.readiness import demo as readiness_demo

    counts["statements"] = readiness_demo.load(
        mission, seed=seed, skip_person_ids={trainee.person_id}
    )
    return counts


def _position(role: str) -> str:
    return {
        "patrol-leader": "Patrol leader",
        "staff-officer": "Operations staff",
        "signals": "Radio operator",
        "medical": "Medic",
        "driver": "Driver",
        "logistics": "Logistics",
    }.get(role, "")


def _create_logins(contingents: dict[str, Contingent], next_rotations: dict[str, Rotation]):
    passwords = {u: p for u, p, _ in DEMO_LOGINS}
    accounts.create_user("admin", passwords["admin"], "Portal administrator", {ADMIN}, locale="en")
    npl = accounts.create_user(
        "trainer.npl", passwords["trainer.npl"], "Capt. Asha Gurung", {TRAINER}
    )
    npl.scopes = [UserScope(country_id=contingents["NPL"].country.id)]
    sen = accounts.create_user(
        "trainer.sen", passwords["trainer.sen"], "Cdt. Aïda Ndiaye", {TRAINER}, locale="fr"
    )
    sen.scopes = [UserScope(country_id=contingents["SEN"].country.id)]
    ctrl = accounts.create_user(
        "controller", passwords["controller"], "Maj. Daniel Okoro", {CONTROLLER}, locale="en"
    )
    ctrl.scopes = [
        UserScope(contingent_id=contingents["NPL"].id),
        UserScope(contingent_id=contingents["SEN"].id),
    ]
    accounts.create_user("analyst", passwords["analyst"], "HQ training analyst", {ANALYST})
    member = next_rotations["NPL"].members[0]
    trainee = accounts.create_user(
        "trainee",
        passwords["trainee"],
        member.person.full_name,
        {TRAINEE},
        locale=member.person.preferred_language,
        person=member.person,
    )
    db.session.flush()
    return trainee
