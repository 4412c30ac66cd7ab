"""Seed 004's experiment table: the seed's numerical derivatives beside the exact ones."""

import numpy as np
import pytest

import gdlab
from gdlab.demo.seeds import format_seed004_table, seed004_table


@pytest.mark.parametrize("exact", ["analytic", gdlab.grad], ids=["analytic", "autodiff"])
def test_seed004_table(exact):
    rows = seed004_table(exact=exact)
    assert len(rows) == 7
    for row in rows:
        assert set(row) == {"experiment", "point", "numerical", "exact", "abs_error"}
        assert row["abs_error"] < 1e-10
    assert [r["numerical"] for r in rows[:4]] == [
        0.1999999999990898, 0.2999999999986347, 6.00000000000378, 7.999999999999119
    ]
    assert rows[4]["numerical"] == (6.00000000000378, 7.999999999999119)
    assert [r["point"] for r in rows[4:]] == [(3.0, 4.0), (0.0, 2.0), (3.0, 0.0)]
    expected = [0.2, 0.3, 6.0, 8.0, (6.0, 8.0), (0.0, 4.0), (6.0, 0.0)]
    for row, e in zip(rows, expected):
        np.testing.assert_allclose(row["exact"], e, rtol=1e-15)


def test_seed004_table_rejects_unknown_source():
    with pytest.raises(ValueError, match=r"'analytic' or a gradient function such as gdlab.grad, got 'sympy'"):
        seed004_table(exact="sympy")
    with pytest.raises(ValueError, match="got 'autodiff'"):
        format_seed004_table(exact="autodiff")


def test_format_seed004_table():
    text = format_seed004_table(exact="analytic")
    lines = text.splitlines()
    assert len(lines) == 9  # header, rule, 7 rows
    assert "0.1999999999990898" in text and "7.999999999999119" in text
    assert "exact (analytic)" in lines[0]
    assert "exact (gdlab.grad)" in format_seed004_table(exact=gdlab.grad).splitlines()[0]
