"""The one source of randomness: every decision in a corpus is drawn here, from its seed.

No other module imports :mod:`random`, so nothing the seed does not control can reach the
output. A document draws from its own stream, derived from the corpus seed by a label
(:meth:`Choices.derive`): its text then depends on the seed and on what it is, not on how
many draws the documents written before it happened to make.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from typing import TypeVar

T = TypeVar("T")


class Choices:
    """A seeded stream of decisions, named for what each decision is."""

    __slots__ = ("_random", "label")

    def __init__(self, label: int | str) -> None:
        self.label = str(label)
        # A string seed is hashed with SHA-512, the same on every platform and Python run.
        self._random = random.Random(self.label)

    def derive(self, *parts: object) -> Choices:
        """An independent stream for one part of the corpus, such as one document."""
        return Choices("/".join([self.label, *(str(part) for part in parts)]))

    def pick(self, items: Sequence[T]) -> T:
        """One item, every item equally likely (repeat an item to make it likelier)."""
        return self._random.choice(items)

    def weighted(self, items: Sequence[T], weights: Sequence[float]) -> T:
        """One item, each as likely as its weight."""
        return self._random.choices(items, weights)[0]

    def between(self, low: int, high: int) -> int:
        """A whole number from low to high, both included."""
        return self._random.randint(low, high)

    def real(self, low: float, high: float) -> float:
        """A number from low to high."""
        return self._random.uniform(low, high)

    def fraction(self) -> float:
        """A number from 0 (included) to 1 (excluded)."""
        return self._random.random()

    def chance(self, probability: float) -> bool:
        """True with the given probability."""
        return self._random.random() < probability

    def sample(self, items: Iterable[T], k: int) -> list[T]:
        """Up to ``k`` different items, in random order."""
        pool = list(items)
        return self._random.sample(pool, min(k, len(pool)))

    def shuffled(self, items: Iterable[T]) -> list[T]:
        """All items, in random order."""
        pool = list(items)
        self._random.shuffle(pool)
        return pool
