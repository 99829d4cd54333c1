"""The Venezuelan vehicle park: makes, models, the WMIs they are built under, engine codes.

Each model lists the World Manufacturer Identifiers it carries with the model years of
each (``"8XA:1995-2026"``: Toyota de Venezuela, Cumaná) and its engine families with
years (``"1ZZ:1999-2008"``). WMIs are real: 8XA Toyota de Venezuela, 8Z1 General Motors
Venezolana, 8XD Ford Motor de Venezuela, 9FB Sofasa (Renault, Colombia), 9BD/9BF/9BG/9BW
Fiat/Ford/GM/VW do Brasil, JT*/JA3/JMB/JMY Japan, MR0/MMB Thailand, KMH/KM8/KNA/KND Korea,
LVV Chery, VF1 Renault France and 1xx/3xx North America. Engine numbers are the family
code followed by a serial, the way they are stamped on the block.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

Span = tuple[str, int, int]


@dataclass(frozen=True, slots=True)
class VehicleModel:
    """A model as sold in Venezuela."""

    make: str
    model: str
    weight: int  # relative share of the park
    kind: str  # car | suv | pickup
    fleet: bool  # bought by agencies for their fleets
    wmis: tuple[Span, ...]
    engines: tuple[Span, ...]
    vds: tuple[str, ...]  # VIN positions 4-6 (the rest of the VDS is drawn)

    @property
    def first_year(self) -> int:
        return min(span[1] for span in self.wmis)

    @property
    def last_year(self) -> int:
        return max(span[2] for span in self.wmis)


def _spans(text: str) -> tuple[Span, ...]:
    spans = []
    for item in text.split():
        code, years = item.split(":")
        first, last = years.split("-")
        spans.append((code, int(first), int(last)))
    return tuple(spans)


def _m(
    make: str, model: str, weight: int, kind: str, wmis: str, engines: str, vds: str
) -> VehicleModel:
    fleet = kind.endswith("*")
    return VehicleModel(
        make,
        model,
        weight,
        kind.rstrip("*"),
        fleet,
        _spans(wmis),
        _spans(engines),
        tuple(vds.split()),
    )


# kind with a trailing "*": agencies buy it for their fleets.
# fmt: off
MODELS: Final[tuple[VehicleModel, ...]] = (
    _m("Toyota", "Corolla", 10, "car*", "8XA:1995-2026 JTD:1995-2008",
       "4AF:1995-1998 1ZZ:1999-2008 3ZZ:2003-2008 2ZR:2009-2026", "BR2 ZE1 AE1"),
    _m("Toyota", "Yaris", 4, "car", "JTD:2000-2016", "2SZ:2000-2016 1NZ:2000-2016", "KT1 BT9"),
    _m("Toyota", "Hilux", 8, "pickup*", "8XA:1995-2026 MR0:2005-2026",
       "3RZ:1995-2005 2TR:2005-2026 1KD:2005-2026 1GR:2006-2026", "FR3 EX3 CX3"),
    _m("Toyota", "Fortuner", 4, "suv*", "8XA:2009-2026 MR0:2006-2026",
       "2TR:2006-2026 1GR:2006-2026 1KD:2006-2026", "ZX5 YU5"),
    _m("Toyota", "Land Cruiser", 4, "suv*", "8XA:1995-2012 JTE:1995-2026",
       "1FZ:1995-2007 1HZ:1995-2007 1GR:2007-2026 1VD:2007-2026", "HJ7 BJ7 GJ7"),
    _m("Toyota", "RAV4", 2, "suv", "JTM:1996-2020",
       "3SF:1996-2000 1AZ:2001-2008 2AZ:2006-2012 3ZR:2013-2020", "HD2 BD2"),
    _m("Chevrolet", "Aveo", 10, "car*", "8Z1:2005-2016 KL1:2004-2011",
       "F14D3:2004-2016 F16D3:2004-2016", "TJ2 TJ5 SF6"),
    _m("Chevrolet", "Optra", 6, "car*", "8Z1:2007-2012 KL1:2004-2008",
       "F16D3:2004-2012 F18D3:2004-2012", "NJ5 NJ6"),
    _m("Chevrolet", "Spark", 5, "car", "8Z1:2007-2016 KL1:2006-2011", "B10S1:2006-2016", "MF4 MJ6"),
    _m("Chevrolet", "Cruze", 3, "car", "8Z1:2011-2016 KL1:2010-2012 1G1:2011-2016",
       "F18D4:2010-2016", "PC5 PE5"),
    _m("Chevrolet", "Corsa", 8, "car", "8Z1:1996-2006 9BG:1996-2006", "C16NE:1996-2006", "SD0 SE0"),
    _m("Chevrolet", "Silverado", 3, "pickup", "8Z1:2001-2012 1GC:1999-2019 3GC:2007-2019",
       "LM7:1999-2007 LY5:2007-2013 L83:2014-2019", "EC1 EK1"),
    _m("Chevrolet", "Grand Blazer", 3, "suv", "8Z1:1995-2007", "L31:1995-2000 L35:1995-2007",
       "GK1 GC1"),
    _m("Ford", "Fiesta", 8, "car", "8XD:2004-2014 9BF:2002-2010 3FA:2011-2016",
       "RCM:2002-2012 SIG:2011-2016", "ZF1 PP4 AP4"),
    _m("Ford", "Ka", 3, "car", "9BF:2000-2008", "END:2000-2008", "BF1"),
    _m("Ford", "EcoSport", 3, "suv", "9BF:2004-2016", "DRT:2004-2016", "ZZ3 AZ3"),
    _m("Ford", "Explorer", 5, "suv*", "8XD:2002-2012 1FM:1995-2016",
       "C40:1995-2010 M46:2002-2010 D35:2011-2016", "ZU7 EU6 DU7"),
    _m("Ford", "F-150", 4, "pickup*", "8XD:2004-2014 1FT:1997-2016",
       "T46:1997-2016 T54:1997-2014", "RF1 RX1"),
    _m("Ford", "F-350", 4, "pickup", "8XD:2005-2016 1FD:1999-2016",
       "T54:1999-2010 T68:1999-2016 PSD:2003-2016", "WF3 SF3"),
    _m("Mitsubishi", "Lancer", 5, "car*", "JA3:1995-2015 JMB:1995-2015",
       "4G93:1995-2003 4G18:2002-2010 4B11:2008-2015", "SRC CS3 AU6"),
    _m("Mitsubishi", "Signo", 3, "car", "JMB:2004-2010", "4G18:2004-2010", "SRC"),
    _m("Mitsubishi", "Montero", 5, "suv*", "JMY:1995-2016",
       "6G72:1995-2006 6G74:1997-2006 6G75:2007-2016 4M41:2000-2016", "LNV LRV GRV"),
    _m("Mitsubishi", "L200", 2, "pickup", "MMB:2006-2016", "4D56:2006-2016", "JNK"),
    _m("Hyundai", "Getz", 5, "car", "KMH:2003-2012",
       "G4EA:2003-2012 G4ED:2003-2012 G4HD:2003-2012", "BT5 BU5"),
    _m("Hyundai", "Accent", 5, "car", "KMH:1995-2014",
       "G4EK:1995-1999 G4EB:2000-2005 G4EC:2000-2005 G4EE:2006-2011 G4FC:2011-2014",
       "CF2 CN4 CT4"),
    _m("Hyundai", "Elantra", 3, "car", "KMH:1996-2016",
       "G4GF:1996-2000 G4ED:2001-2010 G4GC:2001-2010 G4FG:2011-2016 G4NB:2011-2016",
       "DN4 DH4"),
    _m("Hyundai", "Tucson", 3, "suv", "KM8:2005-2026",
       "G4GC:2005-2010 G6BA:2005-2010 G4KD:2010-2016 G4NA:2017-2026", "JM1 JT3 J3A"),
    _m("Kia", "Rio", 5, "car", "KNA:2001-2026",
       "A5D:2001-2005 G4EE:2006-2011 G4FC:2012-2016 G4LC:2017-2026", "DC2 DE2 DB4"),
    _m("Kia", "Sportage", 3, "suv", "KND:2005-2016", "G4GC:2005-2010 G4KD:2011-2016", "JE7 PB7"),
    _m("Kia", "Picanto", 2, "car", "KNA:2004-2016", "G4HE:2004-2011 G4LA:2011-2016", "BA2 BB2"),
    _m("Renault", "Logan", 5, "car", "9FB:2005-2016 93Y:2007-2016",
       "K7M:2005-2016 K7J:2005-2016", "LS0 4SR"),
    _m("Renault", "Clio", 4, "car", "VF1:1995-2010 9FB:2000-2010",
       "K7M:1995-2010 D4F:2001-2010", "BB0 CB0"),
    _m("Renault", "Twingo", 3, "car", "9FB:1997-2012", "C3G:1997-2000 D7F:1997-2012", "C06"),
    _m("Renault", "Sandero", 2, "car", "9FB:2009-2016 93Y:2009-2016",
       "K7M:2009-2016 K4M:2009-2016", "BS0 5SR"),
    _m("Fiat", "Palio", 4, "car", "9BD:1998-2012", "178B:1998-2012", "178 17F"),
    _m("Fiat", "Siena", 3, "car", "9BD:1998-2012", "178B:1998-2012", "178 17Z"),
    _m("Fiat", "Uno", 2, "car", "9BD:1995-2012", "146A:1995-2003 178E:2004-2012", "146 15F"),
    _m("Jeep", "Grand Cherokee", 4, "suv", "1J4:1995-2010 1C4:2011-2016",
       "ERH:1995-2004 EVA:1999-2010 EZH:2011-2016 ERB:2011-2016", "GW5 GX4 RR4"),
    _m("Jeep", "Cherokee", 2, "suv", "1J4:2002-2010", "EKG:2002-2010", "GL4 GK4"),
    _m("Jeep", "Wrangler", 2, "suv", "1J4:1997-2010 1C4:2011-2016",
       "ERH:1997-2006 EGS:2007-2011 ERB:2012-2016", "FA3 BA3"),
    _m("Chery", "Orinoco", 3, "car", "LVV:2011-2016", "SQR477F:2011-2016", "DB1 DC1"),
    _m("Chery", "Arauca", 3, "car", "LVV:2011-2016", "SQR473F:2011-2016", "DA1 DD1"),
    _m("Chery", "Tiggo", 3, "suv", "LVV:2006-2026",
       "SQR484F:2006-2016 E4G15B:2017-2026", "DB1 DG1"),
    _m("Chery", "X1", 2, "car", "LVV:2011-2016", "SQR473F:2011-2016", "DA3"),
    _m("Volkswagen", "Gol", 4, "car", "9BW:1998-2013",
       "AEA:1998-2003 BAH:2004-2009 CCR:2008-2013", "AB0 CA0 AA0"),
    _m("Volkswagen", "Fox", 2, "car", "9BW:2005-2013", "BAH:2005-2013", "AB5 KA5"),
    _m("Volkswagen", "Jetta", 2, "car", "3VW:1999-2016",
       "AEG:1999-2005 BEV:2006-2010 CBP:2011-2016", "RA6 SA6 DP7"),
)
# fmt: on

# Share of the park by model year: the 2004-2013 boom, the collapse, recent imports.
_YEAR_WEIGHTS: Final = ((1995, 3), (2000, 5), (2004, 9), (2009, 7), (2014, 2), (2017, 1), (2022, 2))


def year_weight(year: int) -> int:
    """Relative share of vehicles of model ``year`` in the park."""
    weight = 1
    for first, value in _YEAR_WEIGHTS:
        if year >= first:
            weight = value
    return weight
