"""Pure reading of the user's words in the actions."""
from __future__ import annotations

import unicodedata
from datetime import date as _date

import pytest

from actions.parsing import (
    clean_reference,
    find_received_date,
    find_reference_number,
    mentioned_decisions,
    mentioned_years,
)


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Quyết định 942 ban hành ngày nào?", ["942"]),
        ("QD 749/QD-TTg phe duyet gi", ["749"]),
        ("căn cứ 749 và 942", ["749", "942"]),
        ("căn cứ pháp lý là gì", []),
        ("số 7490 không phải", []),
    ],
)
def test_mentioned_decisions(text, expected):
    assert mentioned_decisions(text) == expected
    assert mentioned_decisions(unicodedata.normalize("NFD", text.upper())) == expected


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Vì sao năm 2022 quan trọng?", [2022]),
        ("nam 2021 la nam gi", [2021]),
        ("giai đoạn 2020 - 2022 ra sao", [2020, 2021, 2022]),
        ("2020 đến 2022", [2020, 2021, 2022]),
        ("ngày 15/06/2021", [2021]),
        ("năm khởi động nhận thức là năm nào", []),
    ],
)
def test_mentioned_years(text, expected):
    assert mentioned_years(text) == expected










_TODAY = _date(2022, 7, 1)


@pytest.mark.parametrize("text,expected", [
    ("ngày 14/3/2022", (_date(2022, 3, 14), None)), ("14-03-22", (_date(2022, 3, 14), None)),
    ("14.3", (_date(2022, 3, 14), None)), ("25/12", (_date(2021, 12, 25), None)),
    ("hôm nay", (_TODAY, None)), ("HOM QUA", (_date(2022, 6, 30), None)),
    ("31/02/2022", (None, "ngày 31/02/2022 không tồn tại")),
    ("02/07/2022", (None, "ngày 02/07/2022 ở sau hôm nay (01/07/2022)")),
    ("số 123/BC-UBND", (None, None)), ("", (None, None)),
])
def test_find_received_date(text, expected):
    assert find_received_date(text, _TODAY) == expected


@pytest.mark.parametrize("text,expected", [
    ("số 123/bc-ubnd ngày 12/4/2022", "123/BC-UBND"), ("45/KH-BTTTT", "45/KH-BTTTT"),
    ("12/04/2022", None), ("không có số", ""), ("khong co so hieu", ""), ("chưa biết", None),
])
def test_find_reference_number(text, expected):
    assert find_reference_number(text) == expected


def test_clean_reference_keeps_only_safe_characters():
    assert clean_reference("  15/bc-ubnd ") == "15/BC-UBND"
    assert clean_reference("=HYPERLINK(\"x\")") == "HYPERLINK(X)"
    assert len(clean_reference("9" * 500)) == 64
