"""English as a Chinese hospital's staff read it: one date style everywhere, a 24-hour clock.

Django's English mixes "Dec. 6, 2026, 3:01 a.m." (DATETIME_FORMAT) and "12/06/2026 3:01 a.m."
(SHORT_DATETIME_FORMAT) on one page, and its month-first numeric dates read as day-first to many.
"""

DATE_FORMAT = "j M Y"  # 6 Dec 2026
SHORT_DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i"  # 6 Dec 2026, 15:01
SHORT_DATETIME_FORMAT = "j M Y, H:i"
TIME_FORMAT = "H:i"
YEAR_MONTH_FORMAT = "M Y"
MONTH_DAY_FORMAT = "j M"
FIRST_DAY_OF_WEEK = 1  # Monday, as in China
