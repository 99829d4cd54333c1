"""Demo custody, so that the custody pages have content: a storage location in Calabozo,
the Aldao bridge seizure (88 packs, cash, a pistol) received by the custodian and released
to the court one pack short, explained — a discrepancy on oversight's dashboard — and a
cargo of tiles still waiting for the custodian to confirm its transfer. All through the
real services, as the demo users ``oficial`` and ``custodio``.
"""

from __future__ import annotations

from sqlalchemy import select

from alcabala.accounts.models import User
from alcabala.checkpoints.models import Checkpoint
from alcabala.context import SYSTEM, Actor, Door
from alcabala.custody import locations, outcomes, seizing, transfers
from alcabala.custody.schemas import LocationIn, ReceiveIn, ReleaseIn, SeizureIn, TransferIn
from alcabala.db.engine import read_session

LOCATION = "GNB-DEP-CALABOZO"
ALDAO = {
    "place": "Puente Aldao, canal sur",
    "case_ref": "MP-GUA-2026-88",
    "items": [
        {"kind": "drugs", "description": "Panelas de cocaína", "quantity": 88,
         "unit": "panelas", "weight_kg": "92.4", "seal": "GNB-000111"},
        {"kind": "cash", "description": "Billetes", "quantity": "1500", "unit": "USD",
         "currency": "USD", "seal": "GNB-000112"},
        {"kind": "weapon", "description": "Pistola 9 mm", "serial": "BRT-99812"},
    ],
    "seals": ["GNB-000110"],
}  # fmt: skip
TILES = {
    "place": "Alcabala, carril de carga",
    "items": [
        {"kind": "cargo", "description": "Cajas de cerámica para piso", "quantity": 120,
         "unit": "cajas", "seal": "GNB-000140"},
    ],
}  # fmt: skip


def _actor(door: Door, username: str) -> Actor | None:
    with read_session(door.engine) as s:
        user = s.scalar(select(User).where(User.username == username))
    return None if user is None else Actor(user.id, user.username, user.role, user.agency_id, "cli")


def seed_demo_custody(door: Door) -> int:
    """The demo's seizures; returns how many."""
    officer, custodian = _actor(door, "oficial"), _actor(door, "custodio")
    with read_session(door.engine) as s:
        checkpoint = s.scalar(select(Checkpoint.code).where(Checkpoint.code == "GUA-ALDAO"))
    if officer is None or custodian is None:
        return 0
    where = {"checkpoint": checkpoint} if checkpoint else {}
    with door.write(SYSTEM) as ctx:
        locations.add_location(
            ctx, LocationIn(code=LOCATION, name="Depósito de evidencias, Calabozo", agency="GNB")
        )
    with door.write(officer) as ctx:
        aldao = seizing.seize(ctx, SeizureIn.model_validate(ALDAO | where))
        labels = [f"{aldao.code}/{n}" for n in (1, 2, 3)]
        offer = transfers.offer(
            ctx, TransferIn(items=labels, to="custodio", purpose="Resguardo", location=LOCATION)
        )
        tiles = seizing.seize(ctx, SeizureIn.model_validate(TILES | where))
        transfers.offer(
            ctx, TransferIn(items=[f"{tiles.code}/1"], to="custodio", purpose="Resguardo")
        )
    with door.write(custodian) as ctx:
        transfers.receive(ctx, offer.id, ReceiveIn())
    release = {
        "to": "court",
        "recipient": "Tribunal Tercero de Control, Calabozo",
        "authority": "Oficio 3C-455",
        "lines": [
            {"label": labels[0], "quantity": 87, "weight_kg": "91.35",
             "explanation": "Una panela rota en el traslado; consta en acta 12."},
            {"label": labels[1]},
            {"label": labels[2]},
        ],
    }  # fmt: skip
    with door.write(custodian) as ctx:
        outcomes.release(ctx, aldao.code, ReleaseIn.model_validate(release))
    return 2
