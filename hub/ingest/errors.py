"""The error that rejects a whole delivery."""


class DeliveryRejected(Exception):
    """The file cannot be loaded at all; nothing of it is staged.

    The message names the file, the problem and what the contract expected, because it is
    what a steward reads in ``hub ingest``, ``hub status`` and the Dagster UI.
    """
