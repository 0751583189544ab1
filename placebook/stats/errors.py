"""The one exception type raised for bad input to placebook.stats."""


class StatsInputError(ValueError):
    """Input that PHEindicatormethods would also reject (or that has no meaningful answer).

    ``argument`` names the offending argument; ``index`` is the 0-based position of the first
    offending row in that argument, or ``None`` when the problem is not tied to one row (a
    length mismatch, a bad confidence level). Subclassing ValueError lets callers that only
    know "bad value" catch it without importing this module.
    """

    def __init__(self, argument: str, message: str, index: int | None = None) -> None:
        self.argument = argument
        self.message = message
        self.index = index
        where = f" (row {index})" if index is not None else ""
        super().__init__(f"{argument}: {message}{where}")
