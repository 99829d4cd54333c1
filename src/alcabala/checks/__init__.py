"""The stop: the hot-path engine, verdicts, recording of checks, hits and their confirmation, receipts, sightings."""  # noqa: E501
