"""The complainant's proof: the complaint's log entry as a C2SP tlog proof.

What: :func:`complaint_proof` gives, to the holder of the code and the secret, the tlog
proof of the complaint's ``complaint.created`` entry (:func:`alcabala.ledger.provable.
prove_entry`): the complaint as filed, with its salt, index, inclusion proof and the
latest signed checkpoint with its witnesses' cosignatures. ``alcabala log verify-proof
FILE --vkey VKEY`` checks it offline. The filed record never changes (status lives in
transition rows), so the proof can be fetched again at any time and still verifies — now
under a larger, newer checkpoint.
"""

from __future__ import annotations

from typing import NamedTuple

from alcabala.complaints.models import Complaint
from alcabala.complaints.services import for_complainant
from alcabala.context import Ctx
from alcabala.db.base import table_of
from alcabala.ledger.provable import prove_entry
from alcabala.ledger.records import stored_records

REF_KIND = Complaint.__tablename__


class ComplaintProof(NamedTuple):
    code: str
    text: str

    @property
    def filename(self) -> str:
        return f"complaint-{self.code}.tlog-proof"


def complaint_proof(ctx: Ctx, code: str, secret: str) -> ComplaintProof:
    """The proof of the complaint ``code``, for the holder of its ``secret``."""
    complaint = for_complainant(ctx, code, secret)
    key = str(complaint.id)
    record = stored_records(ctx.session, table_of(Complaint), [complaint.id])[key]
    text = prove_entry(ctx.session, REF_KIND, key, record, what="This complaint")
    return ComplaintProof(complaint.code, text)
