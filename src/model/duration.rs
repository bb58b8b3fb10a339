//! Ages as kubectl prints them, so the AGE column reads the same in fluxtui, `kubectl get` and `flux events`.

use chrono::{DateTime, Duration, Utc};

/// kubectl's `duration.HumanDuration` (k8s.io/apimachinery/pkg/util/duration): about two to three significant
/// figures, `45s`, `5m3s`, `12m`, `3h12m`, `15h`, `3d4h`, `45d`, `2y30d`, `9y`.
///
/// A clock up to one second behind reads `0s`; more than that is `<invalid>`, as in kubectl, so skew between the
/// API server and this machine shows instead of being hidden.
pub fn human_duration(d: Duration) -> String {
    // Go's int(d.Seconds()) truncates toward zero, as num_seconds does.
    let seconds = d.num_seconds();
    if seconds < -1 {
        return "<invalid>".to_string();
    }
    if seconds < 0 {
        return "0s".to_string();
    }
    if seconds < 60 * 2 {
        return format!("{seconds}s");
    }
    let minutes = seconds / 60;
    if minutes < 10 {
        let rest = seconds % 60;
        return if rest == 0 { format!("{minutes}m") } else { format!("{minutes}m{rest}s") };
    }
    if minutes < 60 * 3 {
        return format!("{minutes}m");
    }
    let hours = seconds / 3600;
    if hours < 8 {
        let rest = minutes % 60;
        return if rest == 0 { format!("{hours}h") } else { format!("{hours}h{rest}m") };
    }
    if hours < 48 {
        return format!("{hours}h");
    }
    if hours < 24 * 8 {
        let rest = hours % 24;
        return if rest == 0 { format!("{}d", hours / 24) } else { format!("{}d{rest}h", hours / 24) };
    }
    if hours < 24 * 365 * 2 {
        return format!("{}d", hours / 24);
    }
    if hours < 24 * 365 * 8 {
        let rest = (hours / 24) % 365;
        return if rest == 0 { format!("{}y", hours / 24 / 365) } else { format!("{}y{rest}d", hours / 24 / 365) };
    }
    format!("{}y", hours / 24 / 365)
}

/// The age of `time` at `now`, or `-` when the time is unknown (kubectl's `<unknown>` is too wide for a column).
pub fn age(time: Option<DateTime<Utc>>, now: DateTime<Utc>) -> String {
    match time {
        Some(time) => human_duration(now - time),
        None => "-".to_string(),
    }
}

/// Reads a timestamp as Flux and Kubernetes write them.
///
/// RFC 3339 is what the API server and the flux CLI write. Receivers write `reconcile.fluxcd.io/requestedAt`
/// (and so `status.lastHandledReconcileAt`) as Go's `Time.String()`, `2024-05-01 10:00:00.123 +0000 UTC`,
/// sometimes with a monotonic clock suffix `m=+0.001`; both are read so that a webhook-triggered reconcile
/// still shows when it happened. Anything else (the token is opaque) is `None`.
pub fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(time) = DateTime::parse_from_rfc3339(text) {
        return Some(time.with_timezone(&Utc));
    }
    let text = text.split(" m=").next().unwrap_or(text);
    // Drop the zone abbreviation after the numeric offset: chrono cannot parse names such as `CEST`.
    let mut parts: Vec<&str> = text.split(' ').collect();
    if parts.len() == 4 {
        parts.pop();
    }
    let text = parts.join(" ");
    DateTime::parse_from_str(&text, "%Y-%m-%d %H:%M:%S%.f %z").ok().map(|time| time.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seconds(s: i64) -> String {
        human_duration(Duration::seconds(s))
    }

    #[test]
    fn human_duration_matches_kubectl_boundaries() {
        // The table of k8s.io/apimachinery/pkg/util/duration's tests, boundary by boundary.
        let cases: &[(i64, &str)] = &[
            (-2, "<invalid>"),
            (-1, "0s"),
            (0, "0s"),
            (1, "1s"),
            (59, "59s"),
            (60, "60s"),
            (119, "119s"),
            (120, "2m"),
            (121, "2m1s"),
            (9 * 60 + 59, "9m59s"),
            (10 * 60, "10m"),
            (10 * 60 + 59, "10m"),
            (3 * 3600 - 1, "179m"),
            (3 * 3600, "3h"),
            (3 * 3600 + 60, "3h1m"),
            (8 * 3600 - 1, "7h59m"),
            (8 * 3600, "8h"),
            (48 * 3600 - 1, "47h"),
            (48 * 3600, "2d"),
            (48 * 3600 + 3600, "2d1h"),
            (8 * 86400 - 1, "7d23h"),
            (8 * 86400, "8d"),
            (2 * 365 * 86400 - 1, "729d"),
            (2 * 365 * 86400, "2y"),
            (2 * 365 * 86400 + 86400, "2y1d"),
            (8 * 365 * 86400 - 1, "7y364d"),
            (8 * 365 * 86400, "8y"),
            (20 * 365 * 86400, "20y"),
        ];
        for (input, expected) in cases {
            assert_eq!(seconds(*input), *expected, "{input}s");
        }
    }

    #[test]
    fn sub_second_skew_is_now() {
        assert_eq!(human_duration(Duration::milliseconds(-1500)), "0s");
        assert_eq!(human_duration(Duration::milliseconds(1999)), "1s");
    }

    #[test]
    fn age_of_unknown_time_is_a_dash() {
        let now = parse_time("2024-05-01T10:00:00Z").expect("valid");
        assert_eq!(age(None, now), "-");
        assert_eq!(age(parse_time("2024-05-01T09:55:00Z"), now), "5m");
    }

    #[test]
    fn parses_rfc3339_and_go_time_string() {
        let expected = parse_time("2024-05-01T10:00:00.5Z").expect("rfc3339");
        assert_eq!(parse_time("2024-05-01 10:00:00.5 +0000 UTC"), Some(expected));
        assert_eq!(parse_time("2024-05-01 12:00:00.5 +0200 CEST m=+12.000000001"), Some(expected));
        assert_eq!(parse_time("2024-05-01T12:00:00.5+02:00"), Some(expected));
        assert_eq!(parse_time("not a time"), None);
        assert_eq!(parse_time(""), None);
    }
}
