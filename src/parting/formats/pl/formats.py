"""Polish dates with the month named: "3 grudnia 2026, 07:26"."""

DATE_FORMAT = "j E Y"
DATETIME_FORMAT = "j E Y, H:i"
SHORT_DATE_FORMAT = "j E Y"
SHORT_DATETIME_FORMAT = "j E Y, H:i"
TIME_FORMAT = "H:i"
FIRST_DAY_OF_WEEK = 1
