"""The outbox of notifications (an owner told their stolen car was found) and its senders.

``messages`` is the catalogue (Spanish, and English by the recipient's language), ``models``
the outbox table, ``services`` enqueues and sends a batch, ``notifiers`` delivers (log or
SMTP) and ``sender`` runs the batches on a thread of the serve process.
"""
