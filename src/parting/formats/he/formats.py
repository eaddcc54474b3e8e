"""Hebrew dates with the month named: "3 בדצמבר 2026, 07:26"."""

DATE_FORMAT = "j בF Y"
DATETIME_FORMAT = "j בF Y, H:i"
SHORT_DATE_FORMAT = "j בF Y"
SHORT_DATETIME_FORMAT = "j בF Y, H:i"
TIME_FORMAT = "H:i"
FIRST_DAY_OF_WEEK = 0  # Sunday
