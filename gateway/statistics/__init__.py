"""E-service delivery statistics (decision 002): counted from events, reported to NIS.UZ."""

from gateway.statistics.changelog import STATS_TABLE, changelog_topic, read_table
from gateway.statistics.counts import Tally, count_event, merge, stats_key
from gateway.statistics.publish import NISUZ, compute_report, report_output, send_report
from gateway.statistics.report import build_report, parse_period, percentile, report_json

__all__ = [
    "NISUZ",
    "STATS_TABLE",
    "Tally",
    "build_report",
    "changelog_topic",
    "compute_report",
    "count_event",
    "merge",
    "parse_period",
    "percentile",
    "read_table",
    "report_json",
    "report_output",
    "send_report",
    "stats_key",
]
