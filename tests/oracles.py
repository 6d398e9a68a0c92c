"""Independent oracles: rules written out again without the hub's code, to check it against."""

from __future__ import annotations

import datetime as dt

from stdnum.cn.ric import calc_check_digit

FULL_WIDTH_DIGITS = {c: c - 0xFEE0 for c in range(0xFF10, 0xFF1A)}


def citizen_id_is_valid(value: str) -> bool:
    """GB 11643 by hand: spaces and full-width dropped, 15→18, real birth date, check character."""
    value = "".join(value.split()).translate(FULL_WIDTH_DIGITS).upper()
    if len(value) == 15 and value.isdigit():
        value = value[:6] + "19" + value[6:]
        value += calc_check_digit(value + "?")  # stdnum expects a check position
    if len(value) != 18 or not value[:17].isdigit():
        return False
    try:
        born = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    return dt.date(1890, 1, 1) <= born <= dt.date.today() and calc_check_digit(value) == value[17]
