"""Static catalogue of the demo data: agencies, colours, offences, courts and livestock terms.

Places (checkpoints, towns, ranch country) live in ``catalog_places``, names of people in
``catalog_people`` and the vehicle park in ``catalog_vehicles``. Everything here is plain
data; the generator draws from it with weights.
"""

from __future__ import annotations

from typing import Final

# code, name, kind, state ("" for a national agency)
AGENCIES: Final[tuple[tuple[str, str, str, str], ...]] = (
    ("CICPC", "Cuerpo de Investigaciones Científicas, Penales y Criminalísticas", "police", ""),
    ("GNB", "Guardia Nacional Bolivariana", "police", ""),
    ("PNB", "Policía Nacional Bolivariana", "police", ""),
    ("INTT", "Instituto Nacional de Transporte Terrestre", "transit", ""),
    (
        "TSJ-GUA",
        "Tribunal de Control, Circuito Judicial Penal del estado Guárico",
        "court",
        "Guárico",
    ),
    (
        "TSJ-CAR",
        "Tribunal de Control, Circuito Judicial Penal del Área Metropolitana de Caracas",
        "court",
        "Distrito Capital",
    ),
    ("INSAI", "Instituto Nacional de Salud Agrícola Integral", "livestock", ""),
    ("DDP", "Defensoría del Pueblo", "oversight", ""),
    (
        "SENIAT",
        "Servicio Nacional Integrado de Administración Aduanera y Tributaria",
        "customs",
        "",
    ),
)

# Courts issuing warrants: agency code -> (circuit wording, number of control tribunals).
COURT_CIRCUITS: Final[dict[str, tuple[str, int]]] = {
    "TSJ-GUA": ("del Circuito Judicial Penal del estado Guárico", 6),
    "TSJ-CAR": ("del Circuito Judicial Penal del Área Metropolitana de Caracas", 12),
}
COURT_WEIGHTS: Final[tuple[tuple[str, int], ...]] = (("TSJ-GUA", 2), ("TSJ-CAR", 3))

ORDINALS: Final[tuple[str, ...]] = (
    "Primero",
    "Segundo",
    "Tercero",
    "Cuarto",
    "Quinto",
    "Sexto",
    "Séptimo",
    "Octavo",
    "Noveno",
    "Décimo",
    "Undécimo",
    "Duodécimo",
)

# offence, weight, urgent (violent offences need confirmation within 10 minutes)
OFFENCES: Final[tuple[tuple[str, int, bool], ...]] = (
    ("Robo agravado", 14, True),
    ("Robo de vehículo automotor", 10, True),
    ("Hurto de vehículo automotor", 6, False),
    ("Hurto de ganado (abigeato)", 8, False),
    ("Tráfico de drogas", 9, True),
    ("Homicidio intencional", 7, True),
    ("Secuestro", 3, True),
    ("Extorsión", 5, True),
    ("Estafa", 9, False),
    ("Apropiación indebida calificada", 4, False),
    ("Lesiones personales graves", 5, False),
    ("Porte ilícito de arma de fuego", 7, False),
    ("Contrabando de extracción", 4, False),
    ("Legitimación de capitales", 2, False),
    ("Violencia de género", 7, False),
)

# Colours as written on a Venezuelan registration certificate (certificado de circulación).
COLOURS: Final[tuple[tuple[str, int], ...]] = (
    ("Blanco", 24),
    ("Gris Plata", 16),
    ("Plata", 8),
    ("Negro", 12),
    ("Rojo", 8),
    ("Azul", 6),
    ("Azul Marino", 3),
    ("Gris", 7),
    ("Beige", 3),
    ("Verde", 3),
    ("Vinotinto", 4),
    ("Dorado", 2),
    ("Arena", 2),
    ("Blanco Perla", 2),
)

# Agencies that own fleets, with their share of fleet vehicles.
FLEET_OWNERS: Final[tuple[tuple[str, int], ...]] = (
    ("GNB", 30),
    ("PNB", 30),
    ("CICPC", 20),
    ("INTT", 7),
    ("SENIAT", 7),
    ("INSAI", 6),
)

# Agencies that take stolen-vehicle reports.
REPORTING_AGENCIES: Final[tuple[tuple[str, int], ...]] = (("CICPC", 80), ("PNB", 12), ("GNB", 8))

THEFT_NOTES: Final[tuple[str, ...]] = (
    "",
    "",
    "",
    "Robo a mano armada; dos sujetos en moto.",
    "Hurtado mientras estaba estacionado frente a la vivienda.",
    "Despojado en la vía; el conductor fue abandonado ileso.",
    "Hurtado del estacionamiento de un centro comercial.",
    "Sometido al detenerse en un semáforo.",
    "Se llevaron el vehículo con la documentación adentro.",
)
RECOVERY_NOTES: Final[tuple[str, ...]] = (
    "Recuperado en punto de control; seriales coinciden.",
    "Localizado abandonado; sin placas.",
    "Recuperado con seriales de carrocería adulterados; en experticia.",
    "Recuperado durante operativo; conductor detenido.",
)
CANCEL_NOTES: Final[tuple[str, ...]] = (
    "Anulada: denuncia duplicada.",
    "Anulada: error de transcripción del serial.",
    "Anulada: el vehículo estaba retenido por el propio denunciante.",
)

# species -> (weight, categories); categories are the permit line vocabulary.
SPECIES: Final[dict[str, tuple[int, tuple[str, ...]]]] = {
    "bovine": (80, ("steer", "heifer", "cow", "bull", "calf")),
    "buffalo": (8, ("steer", "heifer", "cow", "bull", "calf")),
    "porcine": (5, ("fattener", "sow", "boar", "piglet")),
    "caprine": (3, ("doe", "buck", "kid")),
    "ovine": (2, ("ewe", "ram", "lamb")),
    "equine": (2, ("mare", "stallion", "gelding", "foal")),
}

# ISO 3166-1 numeric code of Venezuela, the first three digits of an ISO 11784 ear tag.
EAR_TAG_COUNTRY: Final = "862"
