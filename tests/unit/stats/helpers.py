import pytest

from placebook.stats import StatsInputError

# z for 95% and 99.8%: qnorm(0.975) and qnorm(0.999), to 16 significant figures.
Z95 = 1.959963984540054
Z998 = 3.090232306167813


def raises(argument: str, index: int | None):
    """Expect a StatsInputError naming ``argument`` and the 0-based offending row ``index``."""
    return pytest.raises(
        StatsInputError, check=lambda error: (error.argument, error.index) == (argument, index)
    )
