"""Seizures and chain of custody: what was taken is what comes back.

A seizure (:mod:`.seizing`) records every item, seal, photo and person detained, and
gives the driver a receipt provable through the log (:mod:`.proofs`). Items move only by
custody events (:mod:`.transfers`: a transfer completes when the receiver confirms it);
they leave custody by release or disposal (:mod:`.outcomes`), compared item by item with
the seizure. Recovered vehicles get a condition inventory at recovery and at return
(:mod:`.conditions`). Discrepancies and unapproved detentions go to oversight, and a
location can be audited against a count (:mod:`.oversight`).
"""
