"""C2SP tlog checkpoints (c2sp.org/tlog-checkpoint): a log's signed tree head as a note.

What: the note text is the origin, the tree size in decimal, and the base64 root hash,
each on its own line. Our log writes exactly these three lines: :meth:`Checkpoint.body`
never emits an extension line, and :meth:`Checkpoint.parse` refuses them by default.

Why refuse by default: extension lines are opaque and not auditable by monitors (the spec
calls them NOT RECOMMENDED), and a checkpoint of *ours* that carries one was not written
by us. Reading another log's checkpoint is a different case, so ``parse(body,
extensions=True)`` accepts the spec's non-empty extension lines and keeps them, unread,
in :attr:`Checkpoint.extensions` (and :meth:`body` then reproduces them byte for byte,
so a cosigner signs what it received).

The parse is strict where the spec is: the origin is non-empty, the size has no leading
zero (and fits uint64), the root is canonical base64 of 32 bytes, and the body ends with
a newline. The origin is *not* required to be a URL: the spec says clients must not
assume so.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from alcabala.ledger import note
from alcabala.ledger.errors import ProofError
from alcabala.ledger.keys import Signer, Verifier, b64decode, b64encode
from alcabala.ledger.merkle import HASH_SIZE, MAX_SIZE

_SIZE = re.compile(r"0|[1-9][0-9]*")


@dataclass(frozen=True)
class Checkpoint:
    """A tree head: which log (``origin``), how many leaves (``size``), and the ``root``."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.origin, str) or not self.origin or "\n" in self.origin:
            raise ProofError("a checkpoint origin is one non-empty line", field="origin")
        if type(self.size) is not int or not 0 <= self.size <= MAX_SIZE:
            raise ProofError("a checkpoint size is from 0 to 2^64-1", field="size")
        if not isinstance(self.root, bytes) or len(self.root) != HASH_SIZE:
            raise ProofError(f"a checkpoint root is {HASH_SIZE} bytes", field="root")
        if any(not line or "\n" in line for line in self.extensions):
            raise ProofError("extension lines are non-empty single lines", field="extensions")

    def body(self) -> str:
        """The note text: ``origin\\nsize\\nbase64(root)\\n`` (then any extension lines)."""
        lines = [self.origin, str(self.size), b64encode(self.root), *self.extensions]
        return "".join(line + "\n" for line in lines)

    @classmethod
    def parse(cls, body: str, *, extensions: bool = False) -> Checkpoint:
        """Read a checkpoint body; extension lines are refused unless ``extensions``."""
        note.check_text(body)
        if not body.endswith("\n"):
            raise ProofError("a checkpoint body ends with a newline", field="checkpoint")
        lines = body[:-1].split("\n")
        if len(lines) < 3:
            raise ProofError("a checkpoint has origin, size and root lines", field="checkpoint")
        origin, size, root64, *rest = lines
        if rest and not extensions:
            raise ProofError("this checkpoint must not have extension lines", field="checkpoint")
        if not _SIZE.fullmatch(size):
            raise ProofError("a checkpoint size is decimal without leading zeros", field="size")
        root = b64decode(root64)
        if root is None:
            raise ProofError("a checkpoint root is base64", field="root")
        return cls(origin, int(size), root, tuple(rest))

    def sign(self, signers: Iterable[Signer]) -> str:
        """This checkpoint as a signed note (the log's key name should be the origin)."""
        return note.sign(self.body(), signers)


def open_checkpoint(
    signed: str,
    vkeys: Iterable[str | Verifier],
    *,
    origin: str | None = None,
    extensions: bool = False,
) -> Checkpoint:
    """Verify a signed checkpoint against ``vkeys`` and read it.

    With ``origin``, the checkpoint must be of that log: a valid signature on another
    log's tree head proves nothing about this one.
    """
    checkpoint = Checkpoint.parse(note.open_note(signed, vkeys).text, extensions=extensions)
    if origin is not None and checkpoint.origin != origin:
        raise ProofError(f"the checkpoint is of {checkpoint.origin!r}, not {origin!r}")
    return checkpoint
