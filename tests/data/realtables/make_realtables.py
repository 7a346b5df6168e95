#!/usr/bin/python3
"""Writes the small real-table fixtures of tests/cli/real_tables.sh (deterministic):
weather.csv (the shape of a public Seattle weather table: date, numbers with some empty cells, a
string label), weather_reordered.csv (its last rows, columns in another order and an extra one),
weather_no_wind.csv (a column missing), incident.csv (the shape of a wildlife-strike table: 14
columns, 10 of them strings, a date, a numeric column with empty cells, quoted fields holding
commas, a UTF-8 column name with spaces) and incident_unseen.csv (categories never seen in
training). Run from this folder: /usr/bin/python3 make_realtables.py"""
import csv
import datetime
import random

rng = random.Random(11)


def weather_rows(n):
    rows = []
    day = datetime.date(2012, 1, 1)
    for i in range(n):
        month = day.month
        warm = 8 + 10 * (1 - abs(month - 7) / 6)
        temp_max = round(rng.gauss(warm, 3), 1)
        temp_min = round(temp_max - abs(rng.gauss(6, 2)), 1)
        wind = round(abs(rng.gauss(3, 1.5)), 1)
        u = rng.random()
        precipitation = 0.0 if u < 0.45 else round(rng.expovariate(0.2), 1)
        if precipitation == 0.0:
            weather = "sun" if wind > 1.5 else "fog"
        elif temp_max < 6.5:
            weather = "snow"
        elif precipitation < 2:
            weather = "drizzle"
        else:
            weather = "rain"
        row = {"date": day.isoformat(), "precipitation": precipitation, "temp_max": temp_max,
               "temp_min": temp_min, "wind": wind, "weather": weather}
        if i % 17 == 3:
            row["wind"] = ""
        if i % 23 == 5:
            row["temp_min"] = ""
        rows.append(row)
        day += datetime.timedelta(days=1)
    return rows


def write(path, fields, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=fields, lineterminator="\n", extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)


rows = weather_rows(400)
fields = ["date", "precipitation", "temp_max", "temp_min", "wind", "weather"]
write("weather.csv", fields, rows[:360])
for row in rows[360:]:
    row["station"] = "SEA"
write("weather_reordered.csv", ["station", "weather", "wind", "temp_min", "date", "temp_max",
                                "precipitation"], rows[360:])
write("weather_no_wind.csv", ["date", "precipitation", "temp_max", "temp_min", "weather"],
      rows[360:])

AIRPORTS = ["KDEN", "KORD", "KJFK", "KSEA", "KDFW", "KATL"]
MODELS = ["B-737-800", "A-320", "B-757-200, WL", "CRJ-200", "EMB-170"]
OPERATORS = ["UNITED AIRLINES", "DELTA AIR LINES", "SOUTHWEST AIRLINES", "BUSINESS"]
STATES = ["CO", "IL", "NY", "WA", "TX", "GA"]
PHASES = ["Approach", "Climb", "Landing Roll", "Take-off run", "Descent"]
SPECIES = ["Gull, unknown", "Mourning dove", "Canada goose", "Unknown bird - small", "Hawk"]
TIMES = ["Dawn", "Day", "Dusk", "Night"]
SKIES = ["No Cloud", "Some Cloud", "Overcast"]
PRECIPITATION = ["None", "Rain", "Fog", "Snow"]
incident_fields = ["Record ID", "Incident Date", "Airport", "Aircraft Model", "Operator", "State",
                   "Flight Phase", "Species", "Time of Day", "Sky", "Precipitation", "Height",
                   "Cost Total $", "Damage"]


def incident_rows(n, first_id, airports, species):
    out = []
    for i in range(n):
        a = rng.randrange(len(airports))
        sp = rng.choice(species)
        phase = rng.choice(PHASES)
        height = rng.choice([0, 0, 50, 200, 500, 1500, 3000])
        big = sp in ("Canada goose", "Hawk")
        damage = "Substantial" if big and height > 300 else ("Minor" if big or height > 1000
                                                             else "No damage")
        cost = 0 if damage == "No damage" else round(rng.uniform(1000, 90000) * (3 if damage ==
                                                                              "Substantial" else 1))
        out.append({"Record ID": first_id + i,
                    "Incident Date": (datetime.date(2015, 1, 1) +
                                      datetime.timedelta(days=rng.randrange(1000))).isoformat(),
                    "Airport": airports[a], "Aircraft Model": rng.choice(MODELS),
                    "Operator": rng.choice(OPERATORS), "State": STATES[a % len(STATES)],
                    "Flight Phase": phase, "Species": sp, "Time of Day": rng.choice(TIMES),
                    "Sky": rng.choice(SKIES), "Precipitation": rng.choice(PRECIPITATION),
                    "Height": "" if i % 9 == 4 else height, "Cost Total $": cost,
                    "Damage": damage})
    return out


write("incident.csv", incident_fields, incident_rows(300, 100000, AIRPORTS, SPECIES))
# Unseen at training: an airport and a species.
write("incident_unseen.csv", incident_fields,
      incident_rows(20, 200000, AIRPORTS + ["KXYZ"], SPECIES + ["Pelican, brown"]))
