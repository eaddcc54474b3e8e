"""Romanian dates with the month named, in lower case as Romanian writes it: "3 dec 2026, 07:26"."""

DATE_FORMAT = "j b Y"
DATETIME_FORMAT = "j b Y, H:i"
SHORT_DATE_FORMAT = "j b Y"
SHORT_DATETIME_FORMAT = "j b Y, H:i"
TIME_FORMAT = "H:i"
FIRST_DAY_OF_WEEK = 1
