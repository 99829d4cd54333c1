"""Complaints that cannot vanish: filed by anyone, owned by oversight, proven by the log.

A complaint is filed with no login (:mod:`.filing`), gets a code, a secret and a signed
promise of inclusion at once and its log proof within seconds (:mod:`.proofs`), and moves
``received`` → ``under_review`` → ``resolved`` | ``dismissed`` in the hands of the
``oversight`` role only (:mod:`.services`). Nothing of it is ever edited or deleted: notes
and the complainant's additions are new rows, each one a log entry. Public statistics are
computed at a log checkpoint so that anyone can check them against the log
(:mod:`.stats`). See docs/complaints.md.
"""
