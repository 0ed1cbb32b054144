"""The archive's README.txt tells a researcher which file to open in which program."""

from pblapp.domain import data_dictionary


def test_the_readme_says_log_csv_is_the_exact_text_and_points_excel_users_to_log_xlsx():
    readme = data_dictionary.readme({}, ["log.csv", "log.xlsx"], {})
    log_csv = readme.split("\r\nlog.csv\r\n", 1)[1].split("\r\n\r\n", 1)[0]
    assert "exact text, for R and pandas" in log_csv
    assert "In Excel, open log.xlsx" in log_csv
    log_xlsx = readme.split("\r\nlog.xlsx\r\n", 1)[1].split("\r\n\r\n", 1)[0]
    assert "never a formula" in log_xlsx
