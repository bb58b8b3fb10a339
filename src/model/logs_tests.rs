use super::*;

fn source() -> Arc<str> {
    Arc::from("kustomize-controller-7b9c/manager")
}

/// A reconcile line as kustomize-controller v1 writes it (controller-runtime's structured fields).
const KUSTOMIZATION_LINE: &str = r#"{"level":"info","ts":"2026-11-24T11:58:00.123Z","msg":"server-side apply completed","controller":"kustomization","controllerGroup":"kustomize.toolkit.fluxcd.io","controllerKind":"Kustomization","Kustomization":{"name":"apps","namespace":"flux-system"},"namespace":"flux-system","name":"apps","reconcileID":"0d2b","output":{"Deployment/podinfo/podinfo":"configured"},"revision":"main@sha1:1a2b3c"}"#;

#[test]
fn a_flux_reconcile_line_is_parsed_into_its_parts() {
    let line = parse_line(source(), KUSTOMIZATION_LINE, None);
    assert!(line.json);
    assert_eq!(line.level, LogLevel::Info);
    assert_eq!(line.message, "server-side apply completed");
    assert_eq!(line.time.unwrap().to_rfc3339(), "2026-11-24T11:58:00.123+00:00");
    assert_eq!(
        line.object,
        Some(LogObject { kind: "Kustomization".into(), name: "apps".into(), namespace: "flux-system".into() })
    );
    // Shown elsewhere or noise: not repeated as fields.
    let keys: Vec<&str> = line.fields.iter().map(|(key, _)| key.as_str()).collect();
    assert_eq!(keys, ["output", "revision"]);
    assert_eq!(line.fields[0].1, r#"{"Deployment/podinfo/podinfo":"configured"}"#);
    assert_eq!(
        line.text(),
        "2026-11-24T11:58:00.123Z kustomize-controller-7b9c/manager info Kustomization/flux-system/apps \
         server-side apply completed output={\"Deployment/podinfo/podinfo\":\"configured\"} revision=main@sha1:1a2b3c"
    );
}

#[test]
fn the_older_reconciler_kind_key_an_error_a_logger_and_an_epoch_time_are_read() {
    let raw = r#"{"level":"error","ts":1732449600.5,"logger":"runtime","msg":"Reconciler error","reconciler kind":"HelmRelease","name":"podinfo","namespace":"apps","error":"install retries exhausted"}"#;
    let line = parse_line(source(), raw, None);
    assert_eq!(line.level, LogLevel::Error);
    assert_eq!(line.logger.as_deref(), Some("runtime"));
    assert_eq!(line.error.as_deref(), Some("install retries exhausted"));
    assert_eq!(line.object.as_ref().map(|object| object.kind.as_str()), Some("HelmRelease"));
    assert_eq!(line.time.unwrap().timestamp_millis(), 1_732_449_600_500);
    assert!(line.fields.is_empty());
}

#[test]
fn a_line_with_only_the_kind_object_finds_its_object() {
    let raw =
        r#"{"level":"debug","msg":"artifact up-to-date","GitRepository":{"name":"podinfo","namespace":"flux-system"}}"#;
    let line = parse_line(source(), raw, None);
    assert_eq!(line.level, LogLevel::Debug);
    assert_eq!(line.object.unwrap().kind, "GitRepository");
}

#[test]
fn plain_lines_keep_colours_and_lose_other_escapes() {
    let raw = "\u{1b}[32mok\u{1b}[0m\tdone\u{1b}[2J\u{1b}]0;title\u{7}!\r\n";
    let line = parse_line(source(), raw, None);
    assert!(!line.json);
    assert_eq!(line.level, LogLevel::Unknown);
    assert_eq!(line.message, "\u{1b}[32mok\u{1b}[0m done!");
    assert_eq!(strip_ansi(&line.message), "ok done!");
    assert!(line.text().ends_with(" ok done!"));
}

#[test]
fn broken_json_is_shown_as_text() {
    let raw = r#"{"level":"info","msg":"cut in the mid"#;
    let line = parse_line(source(), raw, None);
    assert!(!line.json);
    assert_eq!(line.message, raw);
    // A JSON value that is not an object is not a log record either.
    assert!(!parse_line(source(), "[1,2]", None).json);
}

#[test]
fn huge_lines_are_cut_and_never_parsed_whole() {
    let huge_message = "x".repeat(100_000);
    let raw = format!(r#"{{"level":"info","msg":"{huge_message}"}}"#);
    let line = parse_line(source(), &raw, None);
    assert!(line.json);
    assert!(line.message.len() < MAX_TEXT_BYTES + 64, "{}", line.message.len());
    assert!(line.message.ends_with("bytes cut)"));

    let enormous = format!(r#"{{"level":"info","msg":"{}"}}"#, "é".repeat(MAX_PARSED_BYTES));
    let line = parse_line(source(), &enormous, None);
    assert!(!line.json);
    assert!(line.message.len() < MAX_TEXT_BYTES + 64);
}

#[test]
fn kubelet_timestamps_are_split_and_used_when_the_line_has_none() {
    let (time, rest) = split_kubelet_timestamp("2026-11-24T12:00:01.000000001Z plain text");
    assert_eq!(rest, "plain text");
    let line = parse_line(source(), rest, time);
    assert_eq!(line.time, time);
    assert_eq!(split_kubelet_timestamp("no timestamp here"), (None, "no timestamp here"));
}

#[test]
fn levels_and_the_level_filter_cycle() {
    assert_eq!(LogLevel::parse("ERROR"), LogLevel::Error);
    assert_eq!(LogLevel::parse("-2"), LogLevel::Trace);
    let mut filter = LevelFilter::All;
    let mut seen = Vec::new();
    for _ in 0..4 {
        seen.push(filter.label());
        filter = filter.next();
    }
    assert_eq!(seen, ["all", "debug+", "info+", "error"]);
    assert!(LevelFilter::Info.accepts(LogLevel::Error));
    assert!(!LevelFilter::Info.accepts(LogLevel::Debug));
    assert!(!LevelFilter::Error.accepts(LogLevel::Unknown));
    assert!(LevelFilter::All.accepts(LogLevel::Unknown));
}

#[test]
fn the_object_filter_matches_like_flux_logs() {
    let line = parse_line(source(), KUSTOMIZATION_LINE, None);
    let filter = |kind: &str, name: &str, namespace: &str| LogFilter {
        kind: Some(kind.into()),
        name: Some(name.into()),
        namespace: Some(namespace.into()),
    };
    assert!(filter("kustomization", "APPS", "flux-system").matches(&line));
    assert!(!filter("Kustomization", "infra", "flux-system").matches(&line));
    assert!(!filter("HelmRelease", "apps", "flux-system").matches(&line));
    assert!(LogFilter { kind: Some("Kustomization".into()), ..LogFilter::default() }.matches(&line));
    assert!(LogFilter::default().matches(&line));
    assert!(!filter("Kustomization", "apps", "flux-system").matches(&parse_line(source(), "plain", None)));
}

fn at(second: u32, message: &str) -> LogLine {
    let time = DateTime::from_timestamp(1_764_000_000 + i64::from(second), 0);
    parse_line(source(), message, time)
}

#[test]
fn the_buffer_orders_by_time_and_keeps_the_newest_up_to_its_limit() {
    let mut buffer = LogBuffer::new(3);
    buffer.push(at(2, "b"));
    buffer.push(at(4, "d"));
    // A backlog arriving late from another pod goes where its time says.
    buffer.push(at(3, "c"));
    buffer.push(at(1, "a"));
    let messages: Vec<&str> = buffer.lines().iter().map(|line| line.message.as_str()).collect();
    assert_eq!(messages, ["b", "c", "d"]);
    assert_eq!(buffer.dropped, 1);
    buffer.push(parse_line(source(), "no time", None));
    let messages: Vec<&str> = buffer.lines().iter().map(|line| line.message.as_str()).collect();
    assert_eq!(messages, ["c", "d", "no time"]);
    assert_eq!(buffer.dropped, 2);
    // Sequence numbers follow arrival, not time.
    let seqs: Vec<u64> = buffer.lines().iter().map(|line| line.seq).collect();
    assert_eq!(seqs, [2, 1, 4]);
}

#[test]
fn a_buffer_holds_at_most_its_limit_under_a_flood() {
    let mut buffer = LogBuffer::new(1000);
    for n in 0..50_000 {
        buffer.push(at(n, "flood"));
    }
    assert_eq!(buffer.len(), 1000);
    assert_eq!(buffer.dropped, 49_000);
}

#[test]
fn search_ignores_case_and_colours() {
    let line = parse_line(source(), "\u{1b}[31mFAILED\u{1b}[0m to pull", None);
    assert!(line.contains("failed to"));
    assert!(!line.contains("31m"));
    assert!(!line.contains(""));
}
