//! A small standard 5-field cron parser (minute hour day-of-month month day-of-week) with `*`,
//! `*/n`, ranges `a-b[/n]`, lists, month and weekday names, and the `@hourly`-style macros,
//! following the semantics of the robfig/cron parser the CronJob controller uses: when both
//! day fields are restricted, a day matches if either does.

use chrono::{DateTime, Datelike, Duration, TimeZone, Timelike, Utc};

#[derive(Debug, Clone, PartialEq)]
pub struct Schedule {
    minutes: u64,
    hours: u64,
    days: u64,
    months: u64,
    weekdays: u64,
    /// Day-of-month or day-of-week was `*`: then both must match (AND) rather than either (OR).
    day_star: bool,
}

const MONTHS: &[&str] = &["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const WEEKDAYS: &[&str] = &["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

impl Schedule {
    pub fn parse(text: &str) -> Result<Schedule, String> {
        let text = text.trim();
        let expanded = match text {
            "@yearly" | "@annually" => "0 0 1 1 *",
            "@monthly" => "0 0 1 * *",
            "@weekly" => "0 0 * * 0",
            "@daily" | "@midnight" => "0 0 * * *",
            "@hourly" => "0 * * * *",
            other if other.starts_with('@') => return Err(format!("unrecognized descriptor: {other}")),
            other => other,
        };
        let fields: Vec<&str> = expanded.split_whitespace().collect();
        if fields.len() != 5 {
            return Err(format!("expected exactly 5 fields, found {}: {text}", fields.len()));
        }
        let minutes = field(fields[0], 0, 59, &[])?;
        let hours = field(fields[1], 0, 23, &[])?;
        let days = field(fields[2], 1, 31, &[])?;
        let months = field(fields[3], 1, 12, MONTHS)?;
        let mut weekdays = field(fields[4], 0, 7, WEEKDAYS)?;
        // 7 is another spelling of Sunday.
        if weekdays & (1 << 7) != 0 {
            weekdays |= 1;
        }
        let day_star = fields[2].starts_with('*') || fields[4].starts_with('*');
        Ok(Schedule { minutes, hours, days, months, weekdays, day_star })
    }

    fn day_matches(&self, t: &DateTime<Utc>) -> bool {
        let dom = self.days & (1 << t.day()) != 0;
        let dow = self.weekdays & (1 << t.weekday().num_days_from_sunday()) != 0;
        if self.day_star { dom && dow } else { dom || dow }
    }

    /// The first time strictly after `after` (at whole minutes) the schedule fires.
    pub fn next_after(&self, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let start = after.with_second(0)?.with_nanosecond(0)? + Duration::minutes(1);
        let mut t = start;
        // Each step skips at least a minute and usually a whole hour, day or month. Eight years
        // cover every satisfiable schedule (Feb 29 recurs within 8 years); beyond, it never fires.
        let limit = start + Duration::days(366 * 8);
        while t < limit {
            if self.months & (1 << t.month()) == 0 {
                let (year, month) = if t.month() == 12 { (t.year() + 1, 1) } else { (t.year(), t.month() + 1) };
                t = Utc.with_ymd_and_hms(year, month, 1, 0, 0, 0).single()?;
                continue;
            }
            if !self.day_matches(&t) {
                t = (t + Duration::days(1)).with_hour(0)?.with_minute(0)?;
                continue;
            }
            if self.hours & (1 << t.hour()) == 0 {
                t = (t + Duration::hours(1)).with_minute(0)?;
                continue;
            }
            if self.minutes & (1 << t.minute()) == 0 {
                t += Duration::minutes(1);
                continue;
            }
            return Some(t);
        }
        None
    }

    /// The latest fire time in `(after, until]`, if any (the CronJob controller only starts the
    /// most recent of several missed runs).
    pub fn last_between(&self, after: DateTime<Utc>, until: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let mut last = None;
        let mut t = after;
        // Bounded: a controller that was away for ages still looks at no more than this many runs.
        for _ in 0..100_000 {
            match self.next_after(t) {
                Some(next) if next <= until => {
                    last = Some(next);
                    t = next;
                }
                _ => break,
            }
        }
        last
    }
}

/// One field as a bit set of allowed values.
fn field(text: &str, min: u32, max: u32, names: &[&str]) -> Result<u64, String> {
    let mut bits = 0u64;
    for part in text.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((range, step)) => {
                let step: u32 = step.parse().map_err(|_| format!("invalid step in \"{part}\""))?;
                if step == 0 {
                    return Err(format!("step of range should be a positive number: {part}"));
                }
                (range, step)
            }
            None => (part, 1),
        };
        let (low, high) = if range == "*" || range == "?" {
            (min, max)
        } else if let Some((a, b)) = range.split_once('-') {
            (value(a, names, min)?, value(b, names, min)?)
        } else {
            let v = value(range, names, min)?;
            // `5/15` means from 5 to the end in steps of 15.
            if part.contains('/') { (v, max) } else { (v, v) }
        };
        if low < min || high > max || low > high {
            return Err(format!("value out of range ({min}-{max}): {part}"));
        }
        let mut v = low;
        while v <= high {
            bits |= 1 << v;
            v += step;
        }
    }
    Ok(bits)
}

fn value(text: &str, names: &[&str], min: u32) -> Result<u32, String> {
    let lower = text.to_ascii_lowercase();
    if let Some(index) = names.iter().position(|n| *n == lower) {
        // Month names start at 1, weekday names at 0: both equal `min + index`.
        return Ok(min + index as u32);
    }
    text.parse().map_err(|_| format!("failed to parse int from {text}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).expect("time").with_timezone(&Utc)
    }

    #[test]
    fn steps_ranges_lists_and_names() {
        let every_five = Schedule::parse("*/5 * * * *").expect("parse");
        assert_eq!(every_five.next_after(at("2024-01-01T10:02:30Z")), Some(at("2024-01-01T10:05:00Z")));
        let office = Schedule::parse("0 9-17/4 * * mon-fri").expect("parse");
        // 2024-01-06 is a Saturday: the next run is Monday 09:00.
        assert_eq!(office.next_after(at("2024-01-05T17:00:00Z")), Some(at("2024-01-08T09:00:00Z")));
        let list = Schedule::parse("15,45 3 1 jan,jul *").expect("parse");
        assert_eq!(list.next_after(at("2024-01-01T03:20:00Z")), Some(at("2024-01-01T03:45:00Z")));
        assert_eq!(list.next_after(at("2024-01-01T03:45:00Z")), Some(at("2024-07-01T03:15:00Z")));
        assert_eq!(
            Schedule::parse("@hourly").expect("parse").next_after(at("2024-01-01T03:00:00Z")),
            Some(at("2024-01-01T04:00:00Z"))
        );
    }

    #[test]
    fn day_fields_combine_like_robfig_cron() {
        // Both restricted: the 13th OR a Friday.
        let either = Schedule::parse("0 0 13 * 5").expect("parse");
        assert_eq!(either.next_after(at("2024-01-01T00:00:00Z")), Some(at("2024-01-05T00:00:00Z")));
        assert_eq!(
            Schedule::parse("0 0 * * 7").expect("parse").next_after(at("2024-01-01T00:00:00Z")),
            Some(at("2024-01-07T00:00:00Z"))
        );
    }

    #[test]
    fn rejects_bad_expressions_and_finds_the_last_missed_run() {
        assert!(Schedule::parse("* * * *").is_err());
        assert!(Schedule::parse("61 * * * *").is_err());
        assert!(Schedule::parse("*/0 * * * *").is_err());
        assert!(Schedule::parse("@sometimes").is_err());
        assert!(Schedule::parse("0 0 30 2 *").expect("parse").next_after(at("2024-01-01T00:00:00Z")).is_none());
        let minutely = Schedule::parse("* * * * *").expect("parse");
        assert_eq!(
            minutely.last_between(at("2024-01-01T00:00:00Z"), at("2024-01-01T00:10:30Z")),
            Some(at("2024-01-01T00:10:00Z"))
        );
    }
}
