"""Simplified Chinese formats: Django's, with amounts grouped as Chinese banks print them.

Django's zh_Hans formats group by four digits with no separator, so ¥9,551,455.42 read
¥9551455.42. Chinese bank statements, RMB cheques and the bank's own reports group by
thousands with a comma (PLT-12).
"""

from django.conf.locale.zh_Hans.formats import *  # noqa: F403 (every other format stays Django's)

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
