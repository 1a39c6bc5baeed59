//! Unix seconds ↔ put.io's timestamp text. Owns calendar arithmetic so the crate needs no date
//! library. put.io keeps times at 1 s precision in UTC and prints them as `YYYY-MM-DDTHH:MM:SS`.

use std::time::{SystemTime, UNIX_EPOCH};

const SECS_PER_DAY: i64 = 86_400;

/// Now, in whole Unix seconds.
pub(crate) fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// `2024-05-01T10:20:30` (UTC, no zone suffix), as put.io prints `created_at` / `updated_at`.
pub(crate) fn format(ts: i64) -> String {
    let days = ts.div_euclid(SECS_PER_DAY);
    let secs = ts.rem_euclid(SECS_PER_DAY);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

/// Parses RFC 3339 (`2024-05-01T10:20:30Z`, `...30.123+02:00`); fractions are dropped (1 s precision).
pub(crate) fn parse_rfc3339(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    if !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    let num = |from, to| num_in(text, from, to);
    let (year, month, day) = (num(0, 4)?, num(5, 7)?, num(8, 10)?);
    let (hour, minute, second) = (num(11, 13)?, num(14, 16)?, num(17, 19)?);
    if !(1..=12).contains(&month)
        || !(1..=days_in_month(year, month)).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let mut rest = &text[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        rest = &frac[digits..];
    }
    let offset = match rest {
        "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes().first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            if rest.len() != 6 || rest.as_bytes()[3] != b':' {
                return None;
            }
            let (oh, om) = (num_in(rest, 1, 3)?, num_in(rest, 4, 6)?);
            if oh > 23 || om > 59 {
                return None;
            }
            sign * (oh * 3600 + om * 60)
        }
    };
    let local = days_from_civil(year, month, day) * SECS_PER_DAY
        + hour * 3600
        + minute * 60
        + second.min(59);
    Some(local - offset)
}

fn num_in(text: &str, from: usize, to: usize) -> Option<i64> {
    let part = text.get(from..to)?;
    if part.bytes().all(|c| c.is_ascii_digit()) {
        part.parse().ok()
    } else {
        None
    }
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 for a proleptic Gregorian date. Counts in 400-year eras (146 097 days
/// each) with the year starting on 1 March, so the leap day is the last day of the year.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y.rem_euclid(400);
    let month_from_march = (month + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// Inverse of [`days_from_civil`].
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_instants() {
        assert_eq!(format(0), "1970-01-01T00:00:00");
        assert_eq!(format(1_378_589_523), "2013-09-07T21:32:03");
        assert_eq!(format(951_782_400), "2000-02-29T00:00:00");
        assert_eq!(format(-1), "1969-12-31T23:59:59");
    }

    #[test]
    fn parses_rfc3339_forms() {
        assert_eq!(parse_rfc3339("2013-09-07T21:32:03Z"), Some(1_378_589_523));
        assert_eq!(
            parse_rfc3339("2013-09-07T21:32:03.999Z"),
            Some(1_378_589_523)
        );
        assert_eq!(
            parse_rfc3339("2013-09-07T23:32:03+02:00"),
            Some(1_378_589_523)
        );
        assert_eq!(
            parse_rfc3339("2013-09-07T20:02:03-01:30"),
            Some(1_378_589_523)
        );
        assert_eq!(parse_rfc3339("2000-02-29T00:00:00Z"), Some(951_782_400));
        assert_eq!(parse_rfc3339("2001-02-29T00:00:00Z"), None);
        assert_eq!(parse_rfc3339("2013-09-07T21:32:03"), None);
        assert_eq!(parse_rfc3339("yesterday"), None);
    }

    #[test]
    fn round_trips_across_centuries() {
        for days in (-800_000..800_000).step_by(997) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }
}
