"""Signals of the daily intake, so other apps react to a loaded day without the intake knowing them."""

from django.dispatch import Signal

# Sent by `load_day` after a day's files are loaded and its figures derived (each file and the
# figures commit on their own), so a receiver works on committed data and wraps its own writes in
# a transaction. Arguments: data_date, now, actor (None for the scheduled job and the command).
day_loaded = Signal()

# Sent by `load_day` after each entity file it applied (committed), before the day's figures:
# e.g. the leads convert as soon as the customers file is in, whatever other file the day awaits.
# Arguments: entity ("customers", "accounts", …), data_date, now, actor.
file_loaded = Signal()
