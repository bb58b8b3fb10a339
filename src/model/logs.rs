//! Controller logs as people read them: Flux's JSON lines parsed into time, level, logger, object, message and
//! fields; other lines kept as text (with their colours, other terminal escapes removed); a bounded, time-ordered
//! buffer; the `flux logs` object filter, level filter and search. Pure: the streams that feed it live in
//! `cluster::logs`, the drawing in `views::logs`.

use std::collections::VecDeque;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::api::FluxKind;

/// Text longer than this (a message, a field, a plain line) is cut: a 1 MB line must not cost 1 MB per copy on
/// every frame, and nobody reads past this width anyway.
pub const MAX_TEXT_BYTES: usize = 8 * 1024;
/// Lines longer than this are not parsed as JSON: they are shown cut, as text.
pub const MAX_PARSED_BYTES: usize = 256 * 1024;
/// The default number of lines a log view keeps (`log-line-limit` in config.yaml).
pub const DEFAULT_LINE_LIMIT: usize = 10_000;

/// A log line's level, as zap (the controllers' logger) writes it. Ordered by severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LogLevel {
    /// A line without a level (not JSON, or no `level` field).
    Unknown,
    Trace,
    Debug,
    Info,
    Warn,
    Error,
}

impl LogLevel {
    pub fn parse(text: &str) -> LogLevel {
        match text.to_ascii_lowercase().as_str() {
            "trace" => LogLevel::Trace,
            "debug" => LogLevel::Debug,
            "info" => LogLevel::Info,
            "warn" | "warning" => LogLevel::Warn,
            "error" | "dpanic" | "panic" | "fatal" => LogLevel::Error,
            // zap writes verbosity levels above debug as negative numbers (`"level":"-2"`).
            other if other.starts_with('-') && other[1..].parse::<u32>().is_ok() => LogLevel::Trace,
            _ => LogLevel::Unknown,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            LogLevel::Unknown => "",
            LogLevel::Trace => "trace",
            LogLevel::Debug => "debug",
            LogLevel::Info => "info",
            LogLevel::Warn => "warn",
            LogLevel::Error => "error",
        }
    }
}

/// Which levels a log view shows; cycled by a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LevelFilter {
    #[default]
    All,
    /// Debug and above (hides trace and lines without a level).
    Debug,
    /// Info, warnings and errors.
    Info,
    /// Errors only.
    Error,
}

impl LevelFilter {
    pub fn next(self) -> LevelFilter {
        match self {
            LevelFilter::All => LevelFilter::Debug,
            LevelFilter::Debug => LevelFilter::Info,
            LevelFilter::Info => LevelFilter::Error,
            LevelFilter::Error => LevelFilter::All,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            LevelFilter::All => "all",
            LevelFilter::Debug => "debug+",
            LevelFilter::Info => "info+",
            LevelFilter::Error => "error",
        }
    }

    pub fn accepts(self, level: LogLevel) -> bool {
        match self {
            LevelFilter::All => true,
            LevelFilter::Debug => level >= LogLevel::Debug,
            LevelFilter::Info => level >= LogLevel::Info,
            LevelFilter::Error => level >= LogLevel::Error,
        }
    }
}

/// The Flux object a line is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogObject {
    pub kind: String,
    pub name: String,
    pub namespace: String,
}

/// One parsed line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLine {
    /// Set by the buffer: the order lines arrived in, so a paused view can find its place again.
    pub seq: u64,
    /// Where the line came from: the pod (and container), or the in-process controller.
    pub source: Arc<str>,
    /// The line's own time (`ts`), else the kubelet's timestamp.
    pub time: Option<DateTime<Utc>>,
    pub level: LogLevel,
    pub logger: Option<String>,
    /// The `msg` of a JSON line; a plain line's text, with its colour escapes (SGR) kept for the view.
    pub message: String,
    pub error: Option<String>,
    pub object: Option<LogObject>,
    /// The other fields, `key=value`, in the line's order.
    pub fields: Vec<(String, String)>,
    /// Whether the line was Flux JSON.
    pub json: bool,
}

impl LogLine {
    /// The line as one string without colour escapes: what search and the saved file see.
    pub fn text(&self) -> String {
        let mut out = String::new();
        if let Some(time) = self.time {
            out.push_str(&time.format("%Y-%m-%dT%H:%M:%S%.3fZ ").to_string());
        }
        out.push_str(&self.source);
        out.push(' ');
        if !self.json {
            out.push_str(&strip_ansi(&self.message));
            return out;
        }
        out.push_str(self.level.label());
        out.push(' ');
        if let Some(object) = &self.object {
            out.push_str(&object_label(object));
            out.push(' ');
        }
        if let Some(logger) = &self.logger {
            out.push_str(logger);
            out.push_str(": ");
        }
        out.push_str(&self.message);
        if let Some(error) = &self.error {
            out.push_str(" error=");
            out.push_str(error);
        }
        for (key, value) in &self.fields {
            out.push(' ');
            out.push_str(key);
            out.push('=');
            out.push_str(value);
        }
        out
    }

    /// Whether the line mentions `query`, ignoring case (`query` lower-cased by the caller).
    pub fn contains(&self, lowercase_query: &str) -> bool {
        !lowercase_query.is_empty() && self.text().to_lowercase().contains(lowercase_query)
    }
}

/// `Kind/namespace/name`, as the view and the saved file show a line's object.
pub fn object_label(object: &LogObject) -> String {
    if object.namespace.is_empty() {
        format!("{}/{}", object.kind, object.name)
    } else {
        format!("{}/{}/{}", object.kind, object.namespace, object.name)
    }
}

/// `flux logs --kind --name --namespace`: lines about one object (or kind, or namespace), case-insensitive.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogFilter {
    pub kind: Option<String>,
    pub name: Option<String>,
    pub namespace: Option<String>,
}

impl LogFilter {
    pub fn is_empty(&self) -> bool {
        self.kind.is_none() && self.name.is_none() && self.namespace.is_none()
    }

    /// A line without an object never matches a non-empty filter, as with `flux logs`.
    pub fn matches(&self, line: &LogLine) -> bool {
        if self.is_empty() {
            return true;
        }
        let Some(object) = &line.object else { return false };
        let same =
            |wanted: &Option<String>, actual: &str| wanted.as_ref().is_none_or(|w| w.eq_ignore_ascii_case(actual));
        same(&self.kind, &object.kind) && same(&self.name, &object.name) && same(&self.namespace, &object.namespace)
    }

    /// `Kind/namespace/name` with `*` for what is not filtered, for titles.
    pub fn label(&self) -> String {
        let part = |value: &Option<String>| value.clone().unwrap_or_else(|| "*".to_string());
        format!("{}/{}/{}", part(&self.kind), part(&self.namespace), part(&self.name))
    }
}

/// Splits the RFC 3339 timestamp the kubelet puts before each line when asked (`timestamps=true`).
pub fn split_kubelet_timestamp(line: &str) -> (Option<DateTime<Utc>>, &str) {
    if let Some((first, rest)) = line.split_once(' ')
        && first.len() >= 20
        && first.as_bytes()[4] == b'-'
        && let Ok(time) = DateTime::parse_from_rfc3339(first)
    {
        return (Some(time.with_timezone(&Utc)), rest);
    }
    (None, line)
}

/// Keys that the parsed line already shows in their own place.
const SHOWN_KEYS: &[&str] =
    &["ts", "time", "level", "msg", "logger", "error", "controllerKind", "reconciler kind", "name", "namespace"];
/// Keys controller-runtime adds to every reconcile line that say nothing a reader needs.
const NOISE_KEYS: &[&str] = &["controller", "controllerGroup", "reconcileID", "caller"];

/// Parses one line as the controllers write it. `fallback_time` (the kubelet's) is used when the line has none.
pub fn parse_line(source: Arc<str>, raw: &str, fallback_time: Option<DateTime<Utc>>) -> LogLine {
    let raw = raw.trim_end_matches(['\n', '\r']);
    let trimmed = raw.trim_start();
    if trimmed.starts_with('{')
        && raw.len() <= MAX_PARSED_BYTES
        && let Ok(Value::Object(map)) = serde_json::from_str::<Value>(trimmed)
    {
        return parse_json(source, &map, fallback_time);
    }
    LogLine {
        seq: 0,
        source,
        time: fallback_time,
        level: LogLevel::Unknown,
        logger: None,
        message: cut(&sanitize(raw)),
        error: None,
        object: None,
        fields: Vec::new(),
        json: false,
    }
}

fn parse_json(source: Arc<str>, map: &serde_json::Map<String, Value>, fallback_time: Option<DateTime<Utc>>) -> LogLine {
    let text = |key: &str| map.get(key).map(value_text);
    let time = map.get("ts").or_else(|| map.get("time")).and_then(json_time).or(fallback_time);
    let object = json_object(map);
    // The object the line is about is shown once; its own key (`"Kustomization":{...}`) is not repeated.
    let object_key = object.as_ref().map(|object| object.kind.clone());
    let fields = map
        .iter()
        .filter(|(key, _)| !SHOWN_KEYS.contains(&key.as_str()) && !NOISE_KEYS.contains(&key.as_str()))
        .filter(|(key, _)| Some(key.as_str()) != object_key.as_deref())
        .map(|(key, value)| (sanitize(key), cut(&sanitize(&value_text(value)))))
        .collect();
    LogLine {
        seq: 0,
        source,
        time,
        level: text("level").map(|level| LogLevel::parse(&level)).unwrap_or(LogLevel::Unknown),
        logger: text("logger").map(|logger| cut(&sanitize(&logger))),
        message: cut(&sanitize(&text("msg").unwrap_or_default())),
        error: text("error").map(|error| cut(&sanitize(&error))),
        object,
        fields,
        json: true,
    }
}

/// The object a Flux line is about: `controllerKind` (or the older `reconciler kind`) with `name` and
/// `namespace`, else a key named after a Flux kind holding `{"name":..,"namespace":..}`.
fn json_object(map: &serde_json::Map<String, Value>) -> Option<LogObject> {
    let string = |value: Option<&Value>| value.and_then(Value::as_str).map(str::to_string);
    let kind = string(map.get("controllerKind")).or_else(|| string(map.get("reconciler kind")));
    if let Some(kind) = kind
        && let Some(name) = string(map.get("name"))
    {
        let namespace = string(map.get("namespace")).unwrap_or_default();
        return Some(LogObject { kind, name, namespace });
    }
    map.iter().find_map(|(key, value)| {
        let kind = FluxKind::from_name(key)?;
        let reference = value.as_object()?;
        Some(LogObject {
            kind: kind.name().to_string(),
            name: string(reference.get("name"))?,
            namespace: string(reference.get("namespace")).unwrap_or_default(),
        })
    })
}

/// `ts` as zap writes it: RFC 3339 (Flux's `--log-encoding=json`), or seconds since the epoch as a float.
fn json_time(value: &Value) -> Option<DateTime<Utc>> {
    match value {
        Value::String(text) => DateTime::parse_from_rfc3339(text).ok().map(|time| time.with_timezone(&Utc)),
        Value::Number(number) => {
            let seconds = number.as_f64()?;
            let whole = seconds.floor();
            DateTime::from_timestamp(whole as i64, ((seconds - whole) * 1e9) as u32)
        }
        _ => None,
    }
}

fn value_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// Cuts text to [`MAX_TEXT_BYTES`] at a character boundary, saying how much was cut.
pub fn cut(text: &str) -> String {
    if text.len() <= MAX_TEXT_BYTES {
        return text.to_string();
    }
    let mut end = MAX_TEXT_BYTES;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} bytes cut)", &text[..end], text.len() - end)
}

/// Makes text safe to draw: colour escapes (`ESC [ … m`) stay for the view to render; every other escape
/// sequence and control character goes (a tab becomes a space), so a log line can never move the cursor,
/// clear the screen or retitle the terminal.
pub fn sanitize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\u{1b}' => match chars.peek() {
                Some('[') => {
                    chars.next();
                    let mut sequence = String::from("\u{1b}[");
                    let mut last = None;
                    for next in chars.by_ref() {
                        sequence.push(next);
                        if ('\u{40}'..='\u{7e}').contains(&next) {
                            last = Some(next);
                            break;
                        }
                    }
                    if last == Some('m') {
                        out.push_str(&sequence);
                    }
                }
                Some(']') => {
                    // OSC: up to BEL or ESC \.
                    chars.next();
                    while let Some(next) = chars.next() {
                        if next == '\u{7}' || (next == '\u{1b}' && chars.next_if_eq(&'\\').is_some()) {
                            break;
                        }
                    }
                }
                Some(_) => {
                    chars.next();
                }
                None => {}
            },
            '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Text without its colour escapes (after [`sanitize`], the only escapes left).
pub fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for next in chars.by_ref() {
                if ('\u{40}'..='\u{7e}').contains(&next) && next != '[' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The lines of a log view: ordered by time (lines from several pods arrive interleaved, backlogs late), at most
/// `limit` of them; the oldest go first.
#[derive(Debug, Clone)]
pub struct LogBuffer {
    lines: VecDeque<Arc<LogLine>>,
    limit: usize,
    next_seq: u64,
    /// Lines dropped to stay within the limit, since the view opened.
    pub dropped: u64,
}

impl LogBuffer {
    pub fn new(limit: usize) -> LogBuffer {
        LogBuffer { lines: VecDeque::new(), limit: limit.max(1), next_seq: 0, dropped: 0 }
    }

    pub fn len(&self) -> usize {
        self.lines.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    pub fn limit(&self) -> usize {
        self.limit
    }

    pub fn lines(&self) -> &VecDeque<Arc<LogLine>> {
        &self.lines
    }

    /// Adds a line in time order (a line without a time goes last) and drops the oldest beyond the limit.
    pub fn push(&mut self, mut line: LogLine) {
        line.seq = self.next_seq;
        self.next_seq += 1;
        let in_order = match (line.time, self.lines.back().and_then(|last| last.time)) {
            (Some(time), Some(last)) => time >= last,
            _ => true,
        };
        if in_order {
            self.lines.push_back(Arc::new(line));
        } else {
            let time = line.time;
            let at = self.lines.partition_point(|existing| existing.time.is_none_or(|t| Some(t) <= time));
            self.lines.insert(at, Arc::new(line));
        }
        while self.lines.len() > self.limit {
            self.lines.pop_front();
            self.dropped += 1;
        }
    }
}

#[cfg(test)]
#[path = "logs_tests.rs"]
mod tests;
