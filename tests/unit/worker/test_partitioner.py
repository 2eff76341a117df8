"""The remembering partitioner places every key exactly where aiokafka's default one does."""

from __future__ import annotations

from aiokafka.partitioner import DefaultPartitioner
from hypothesis import given
from hypothesis import strategies as st

from gateway.worker.tables import key_partitioner, partition_of

DEFAULT = DefaultPartitioner()


@given(key=st.binary(max_size=64), count=st.integers(min_value=1, max_value=64))
def test_same_partition_as_aiokafka(key: bytes, count: int) -> None:
    every = list(range(count))
    expected = DEFAULT(key, every, every)
    assert key_partitioner(key, every, every) == expected
    assert key_partitioner(key, every, every) == expected  # remembered: the same again


@given(key=st.text(max_size=40), count=st.integers(min_value=1, max_value=64))
def test_table_partition_matches_the_producer(key: str, count: int) -> None:
    every = list(range(count))
    assert partition_of(key, count) == DEFAULT(key.encode(), every, every)


def test_keyless_records_go_to_an_available_partition() -> None:
    assert key_partitioner(None, [0, 1, 2], [2]) == 2
    assert key_partitioner(None, [0, 1, 2], []) in {0, 1, 2}
