//! Durations as Kubernetes and Flux write them (Go duration strings): `500ms`, `2s`, `1m`, `1m30s`. The command
//! line and the engine (`spec.interval`, `spec.timeout`) read them here.

use std::time::Duration;

/// Why a duration could not be read.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum DurationError {
    #[error("a duration must not be empty")]
    Empty,
    #[error("expected a number at '{0}'")]
    MissingNumber(String),
    #[error("'{0}' has no unit (use ms, s, m or h, for example 500ms)")]
    MissingUnit(String),
    #[error("unknown unit '{0}' (use ms, s, m or h)")]
    UnknownUnit(String),
    #[error("the duration is too long")]
    Overflow,
}

/// Parses a sequence of `<whole number><unit>` parts, units being `ms`, `s`, `m` and `h`; a bare `0` is zero.
pub fn parse_duration(text: &str) -> Result<Duration, DurationError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(DurationError::Empty);
    }
    if text == "0" {
        return Ok(Duration::ZERO);
    }
    let mut total = Duration::ZERO;
    let mut rest = text;
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
        if digits == 0 {
            return Err(DurationError::MissingNumber(rest.to_string()));
        }
        let value: u64 = rest[..digits].parse().map_err(|_| DurationError::Overflow)?;
        rest = &rest[digits..];
        let unit_len = rest.find(|c: char| c.is_ascii_digit()).unwrap_or(rest.len());
        let part = match &rest[..unit_len] {
            "" => return Err(DurationError::MissingUnit(text.to_string())),
            "ms" => Some(Duration::from_millis(value)),
            "s" => Some(Duration::from_secs(value)),
            "m" => value.checked_mul(60).map(Duration::from_secs),
            "h" => value.checked_mul(3600).map(Duration::from_secs),
            unit => return Err(DurationError::UnknownUnit(unit.to_string())),
        };
        total = part.and_then(|part| total.checked_add(part)).ok_or(DurationError::Overflow)?;
        rest = &rest[unit_len..];
    }
    Ok(total)
}

/// Writes a duration as Go's `time.Duration.String` does (`1.5s`, `2m3.25s`, `1h0m0s`, `500ms`, `0s`): Flux puts
/// these in messages such as "Health check passed in 1.503s".
pub fn format_duration(duration: Duration) -> String {
    let nanos = duration.as_nanos();
    if nanos == 0 {
        return "0s".to_string();
    }
    // Under a second Go picks the largest unit that keeps a non-zero integer part.
    let fraction = |value: u128, scale: u128| {
        let whole = value / scale;
        let rest = value % scale;
        if rest == 0 {
            whole.to_string()
        } else {
            let digits = scale.ilog10() as usize;
            let text = format!("{whole}.{rest:0digits$}");
            text.trim_end_matches('0').to_string()
        }
    };
    if nanos < 1_000 {
        return format!("{nanos}ns");
    }
    if nanos < 1_000_000 {
        return format!("{}µs", fraction(nanos, 1_000));
    }
    if nanos < 1_000_000_000 {
        return format!("{}ms", fraction(nanos, 1_000_000));
    }
    let seconds = nanos % 60_000_000_000;
    let minutes = nanos / 60_000_000_000;
    let mut text = String::new();
    if minutes >= 60 {
        text.push_str(&format!("{}h", minutes / 60));
    }
    if minutes > 0 {
        text.push_str(&format!("{}m", minutes % 60));
    }
    text.push_str(&format!("{}s", fraction(seconds, 1_000_000_000)));
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_durations_as_go() {
        assert_eq!(format_duration(Duration::ZERO), "0s");
        assert_eq!(format_duration(Duration::from_nanos(15)), "15ns");
        assert_eq!(format_duration(Duration::from_nanos(1_500)), "1.5µs");
        assert_eq!(format_duration(Duration::from_millis(500)), "500ms");
        assert_eq!(format_duration(Duration::from_millis(1_503)), "1.503s");
        assert_eq!(format_duration(Duration::from_secs(2)), "2s");
        assert_eq!(format_duration(Duration::from_millis(123_250)), "2m3.25s");
        assert_eq!(format_duration(Duration::from_secs(3600)), "1h0m0s");
    }

    #[test]
    fn reads_single_and_compound_durations() {
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("2s"), Ok(Duration::from_secs(2)));
        assert_eq!(parse_duration("1m30s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(parse_duration("0"), Ok(Duration::ZERO));
        assert_eq!(parse_duration("0ms"), Ok(Duration::ZERO));
    }

    #[test]
    fn rejects_what_it_cannot_read() {
        assert_eq!(parse_duration(""), Err(DurationError::Empty));
        assert_eq!(parse_duration("500"), Err(DurationError::MissingUnit("500".into())));
        assert_eq!(parse_duration("5d"), Err(DurationError::UnknownUnit("d".into())));
        assert_eq!(parse_duration("ms"), Err(DurationError::MissingNumber("ms".into())));
        assert_eq!(parse_duration("1.5s"), Err(DurationError::UnknownUnit(".".into())));
        assert_eq!(parse_duration("99999999999999999999s"), Err(DurationError::Overflow));
    }
}
