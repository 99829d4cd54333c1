"""Places of the demo data: checkpoints, towns and the llanos ranch country.

Checkpoint sites are real places on real roads; coordinates are approximate (to about a
kilometre) and only meant to put the markers in the right spot on a map.
"""

from __future__ import annotations

from typing import Final

# code, name, road, state, lat, lon, agency
CHECKPOINTS: Final[tuple[tuple[str, str, str, str, float, float, str], ...]] = (
    (
        "GUA-CALABOZO",
        "Punto de Control Calabozo Sur",
        "Troncal 2 (Carretera Nacional Calabozo–San Fernando de Apure)",
        "Guárico",
        8.9010,
        -67.4380,
        "GNB",
    ),
    (
        "GUA-CAMAGUAN",
        "Alcabala de Camaguán",
        "Troncal 2 (Carretera Nacional Calabozo–San Fernando de Apure)",
        "Guárico",
        8.1120,
        -67.6020,
        "GNB",
    ),
    (
        "GUA-SJMORROS",
        "Punto de Control San Juan de los Morros Norte",
        "Troncal 2 (Carretera Nacional Villa de Cura–San Juan de los Morros)",
        "Guárico",
        9.9420,
        -67.3560,
        "PNB",
    ),
    (
        "APU-MARIANIEVES",
        "Puente María Nieves",
        "Troncal 2 (Puente sobre el río Apure)",
        "Apure",
        7.9050,
        -67.4750,
        "GNB",
    ),
    (
        "CAR-LACABRERA",
        "Túnel La Cabrera",
        "Autopista Regional del Centro",
        "Carabobo",
        10.2370,
        -67.7280,
        "GNB",
    ),
    (
        "MIR-TAZON",
        "Alcabala de Tazón",
        "Autopista Regional del Centro (Caracas–Valencia)",
        "Miranda",
        10.4100,
        -66.9550,
        "GNB",
    ),
    (
        "CAR-GUACARA",
        "Peaje de Guacara",
        "Autopista Regional del Centro",
        "Carabobo",
        10.2270,
        -67.9000,
        "PNB",
    ),
    (
        "ARA-TAPATAPA",
        "Peaje de Tapa Tapa",
        "Autopista Regional del Centro",
        "Aragua",
        10.2150,
        -67.4050,
        "PNB",
    ),
    (
        "COJ-TINAQUILLO",
        "Alcabala de Tinaquillo",
        "Carretera Nacional Valencia–San Carlos",
        "Cojedes",
        9.9250,
        -68.3050,
        "GNB",
    ),
    (
        "BOL-ANGOSTURA",
        "Puente Angostura",
        "Carretera El Tigre–Ciudad Bolívar (Puente Angostura sobre el Orinoco)",
        "Bolívar",
        8.1420,
        -63.5990,
        "GNB",
    ),
    (
        "ANZ-UCHIRE",
        "Alcabala de Boca de Uchire",
        "Troncal 9 (Carretera de la Costa Oriental)",
        "Anzoátegui",
        10.1300,
        -65.4200,
        "GNB",
    ),
    (
        "TAC-SIMONBOLIVAR",
        "Puente Internacional Simón Bolívar",
        "Puente Internacional San Antonio del Táchira–Cúcuta",
        "Táchira",
        7.8190,
        -72.4550,
        "GNB",
    ),
    (
        "ZUL-URDANETA",
        "Puente General Rafael Urdaneta",
        "Puente sobre el Lago de Maracaibo",
        "Zulia",
        10.5950,
        -71.5600,
        "PNB",
    ),
    (
        "YAR-YARITAGUA",
        "Peaje de Yaritagua",
        "Autopista Centroccidental Rafael Caldera",
        "Yaracuy",
        10.0700,
        -69.1450,
        "PNB",
    ),
)

# "Town, State" where vehicles are stolen, weighted roughly by population.
TOWNS: Final[tuple[tuple[str, int], ...]] = (
    ("Caracas, Distrito Capital", 30),
    ("Petare, Miranda", 12),
    ("Guarenas, Miranda", 5),
    ("Los Teques, Miranda", 4),
    ("Valencia, Carabobo", 16),
    ("Guacara, Carabobo", 3),
    ("Maracay, Aragua", 12),
    ("Turmero, Aragua", 3),
    ("Maracaibo, Zulia", 16),
    ("Cabimas, Zulia", 4),
    ("Barquisimeto, Lara", 10),
    ("San Cristóbal, Táchira", 6),
    ("Barcelona, Anzoátegui", 5),
    ("Puerto La Cruz, Anzoátegui", 5),
    ("Maturín, Monagas", 5),
    ("Ciudad Guayana, Bolívar", 6),
    ("Ciudad Bolívar, Bolívar", 3),
    ("Calabozo, Guárico", 3),
    ("San Juan de los Morros, Guárico", 2),
    ("Valle de la Pascua, Guárico", 2),
    ("San Fernando de Apure, Apure", 2),
    ("Barinas, Barinas", 3),
    ("Acarigua, Portuguesa", 3),
    ("Guanare, Portuguesa", 2),
    ("San Carlos, Cojedes", 2),
    ("Cumaná, Sucre", 3),
    ("Mérida, Mérida", 3),
    ("Coro, Falcón", 2),
    ("Punto Fijo, Falcón", 2),
)

# Llanos ranch country: state, state code prefix, [(municipality, lat, lon)] of municipal seats.
RANCH_COUNTRY: Final[tuple[tuple[str, str, tuple[tuple[str, float, float], ...]], ...]] = (
    (
        "Guárico",
        "GUA",
        (
            ("Francisco de Miranda", 8.924, -67.429),
            ("Camaguán", 8.112, -67.603),
            ("Leonardo Infante", 9.212, -66.006),
            ("Pedro Zaraza", 9.350, -65.323),
            ("Julián Mellado", 9.385, -67.050),
        ),
    ),
    (
        "Apure",
        "APU",
        (
            ("San Fernando", 7.888, -67.472),
            ("Achaguas", 7.780, -68.223),
            ("Muñoz", 7.560, -69.140),
            ("Rómulo Gallegos", 7.059, -69.500),
        ),
    ),
    (
        "Barinas",
        "BAR",
        (
            ("Barinas", 8.622, -70.207),
            ("Sosa", 8.050, -69.320),
            ("Obispos", 8.600, -70.090),
            ("Pedraza", 8.350, -70.580),
        ),
    ),
    (
        "Cojedes",
        "COJ",
        (
            ("Ezequiel Zamora", 9.661, -68.583),
            ("Girardot", 8.960, -68.290),
            ("Tinaco", 9.703, -68.434),
        ),
    ),
    (
        "Portuguesa",
        "POR",
        (
            ("Guanare", 9.042, -69.742),
            ("Turén", 9.320, -69.100),
            ("Guanarito", 8.700, -69.200),
        ),
    ),
    (
        "Zulia",
        "ZUL",
        (
            ("Machiques de Perijá", 10.060, -72.550),
            ("Colón", 9.000, -71.930),
            ("Catatumbo", 9.060, -72.150),
        ),
    ),
)

# Ranch names: a kind of holding and a name, combined without repeats.
RANCH_KINDS: Final[tuple[str, ...]] = ("Hato", "Hato", "Fundo", "Fundo", "Finca", "Agropecuaria")
RANCH_NAMES: Final[tuple[str, ...]] = (
    "La Esperanza",
    "El Porvenir",
    "San José",
    "Santa Rosa",
    "La Candelaria",
    "Los Caujaros",
    "El Totumo",
    "La Trinidad",
    "San Francisco",
    "El Samán",
    "Las Mercedes",
    "La Guanota",
    "El Cedral",
    "Santa Bárbara",
    "Mata Redonda",
    "La Fortuna",
    "El Carmen",
    "Los Araguaneyes",
    "San Pablo",
    "La Chaparrera",
    "El Paraíso",
    "La Yagüita",
    "Buenos Aires",
    "El Garzal",
)
