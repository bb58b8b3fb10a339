//! Server-side `Table` output (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`).
//!
//! The server always renders every column, `-o wide` ones included (priority > 0): kubectl
//! hides priority columns itself unless asked for `-o wide`. Ages are rendered here as the
//! real server does (`5m`, `3d4h`), never as timestamps, except in the "Created At" columns of
//! the default convertor (CRDs, Roles), which carry RFC 3339 strings.
//!
//! Covered kinds: CRD-defined resources (Name + `additionalPrinterColumns`, or Name + Age when a
//! version declares none), and the built-in printers of `builtin_core` and `builtin_apps`.
//! Anything else falls back to the default convertor: Name + Created At.

mod builtin_apps;
mod builtin_core;
pub mod jsonpath;

use crate::registry::{PrinterColumn, ResourceInfo};
use chrono::{DateTime, Utc};
use jsonpath::{JsonPath, go_print};
use serde_json::{Map, Value, json};
use std::sync::LazyLock;

/// `includeObject` of `TableOptions`: what `rows[].object` carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum IncludeObject {
    None,
    /// `PartialObjectMetadata` (the default, and what kubectl asks for).
    #[default]
    Metadata,
    Object,
}

impl IncludeObject {
    /// Parses the `includeObject` query parameter; absent means `Metadata`.
    pub fn from_query(value: Option<&str>) -> Result<Self, String> {
        match value {
            None | Some("") | Some("Metadata") => Ok(IncludeObject::Metadata),
            Some("None") => Ok(IncludeObject::None),
            Some("Object") => Ok(IncludeObject::Object),
            Some(other) => Err(format!(
                "includeObject: Unsupported value: \"{other}\": supported values: \"Metadata\", \"None\", \"Object\""
            )),
        }
    }
}

/// One column definition of the table.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub name: String,
    pub column_type: &'static str,
    pub format: &'static str,
    pub description: String,
    pub priority: i64,
}

pub(crate) const NAME_DESCRIPTION: &str = "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names";
pub(crate) const CREATION_DESCRIPTION: &str = "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";

impl Column {
    pub(crate) fn new(name: &str, column_type: &'static str, description: &str) -> Self {
        Column { name: name.to_string(), column_type, format: "", description: description.to_string(), priority: 0 }
    }
    pub(crate) fn name() -> Self {
        Column { format: "name", ..Column::new("Name", "string", NAME_DESCRIPTION) }
    }
    pub(crate) fn age() -> Self {
        Column::new("Age", "string", CREATION_DESCRIPTION)
    }
    pub(crate) fn wide(mut self) -> Self {
        self.priority = 1;
        self
    }
    fn to_json(&self) -> Value {
        json!({
            "name": self.name,
            "type": self.column_type,
            "format": self.format,
            "description": self.description,
            "priority": self.priority,
        })
    }
}

/// Renders `objects` as a `meta.k8s.io/v1` Table, ages measured from now.
pub fn to_table(
    info: &ResourceInfo,
    objects: impl IntoIterator<Item = Value>,
    include_object: IncludeObject,
    resource_version: &str,
    continue_token: Option<&str>,
) -> Value {
    to_table_at(info, objects, include_object, resource_version, continue_token, Utc::now())
}

/// [`to_table`] with an explicit clock, so ages are reproducible.
pub fn to_table_at(
    info: &ResourceInfo,
    objects: impl IntoIterator<Item = Value>,
    include_object: IncludeObject,
    resource_version: &str,
    continue_token: Option<&str>,
    now: DateTime<Utc>,
) -> Value {
    let printer = Printer::for_resource(info);
    // Objects are taken by value so that each row can move its metadata (or the whole object) in
    // instead of copying it: a 10k-row table is otherwise dominated by those copies.
    let rows: Vec<Value> = objects
        .into_iter()
        .map(|mut object| {
            let mut row = Map::new();
            row.insert("cells".into(), Value::Array(printer.cells(&object, now)));
            match include_object {
                IncludeObject::None => {}
                IncludeObject::Metadata => {
                    let metadata = object.get_mut("metadata").map(Value::take).unwrap_or_else(|| json!({}));
                    row.insert(
                        "object".into(),
                        json!({"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": metadata}),
                    );
                }
                IncludeObject::Object => {
                    row.insert("object".into(), object);
                }
            }
            Value::Object(row)
        })
        .collect();
    let mut metadata = Map::new();
    metadata.insert("resourceVersion".into(), json!(resource_version));
    if let Some(token) = continue_token.filter(|t| !t.is_empty()) {
        metadata.insert("continue".into(), json!(token));
    }
    json!({
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": Value::Object(metadata),
        "columnDefinitions": printer.columns().iter().map(Column::to_json).collect::<Vec<_>>(),
        "rows": rows,
    })
}

/// The column definitions a resource's table has.
#[cfg(test)]
pub(crate) fn column_definitions(info: &ResourceInfo) -> Vec<Column> {
    Printer::for_resource(info).columns()
}

/// A row renderer for built-in kinds: every cell after the name.
pub(crate) type CellFn = fn(&Value, DateTime<Utc>) -> Vec<Value>;

enum Printer<'a> {
    /// CRD-defined: Name + evaluated printer columns.
    Custom(Vec<(&'a PrinterColumn, Option<JsonPath>)>),
    /// Built-in printer: its columns (Name first) and the function rendering the rest of a row.
    Builtin(Vec<Column>, CellFn),
    /// The default convertor: Name + Created At.
    Default,
}

/// The real server defaults an empty CRD column list to a single Age column.
static DEFAULT_CUSTOM_COLUMNS: LazyLock<[PrinterColumn; 1]> = LazyLock::new(|| {
    [PrinterColumn {
        name: "Age".into(),
        column_type: "date".into(),
        format: String::new(),
        description: CREATION_DESCRIPTION.into(),
        priority: 0,
        json_path: ".metadata.creationTimestamp".into(),
    }]
});

impl<'a> Printer<'a> {
    fn for_resource(info: &'a ResourceInfo) -> Printer<'a> {
        if !info.is_builtin() {
            let columns: &'a [PrinterColumn] =
                if info.printer_columns.is_empty() { &*DEFAULT_CUSTOM_COLUMNS } else { &info.printer_columns };
            // A column whose path cannot be parsed renders as an empty cell, not an error.
            return Printer::Custom(columns.iter().map(|c| (c, JsonPath::parse(&c.json_path).ok())).collect());
        }
        let builtin =
            builtin_core::printer(&info.group, &info.kind).or_else(|| builtin_apps::printer(&info.group, &info.kind));
        match builtin {
            Some((columns, cells)) => Printer::Builtin(columns, cells),
            None => Printer::Default,
        }
    }

    fn columns(&self) -> Vec<Column> {
        match self {
            Printer::Custom(columns) => {
                let mut out = vec![Column::name()];
                out.extend(columns.iter().map(|(c, _)| Column {
                    name: c.name.clone(),
                    column_type: static_type(&c.column_type),
                    format: static_format(&c.format),
                    description: c.description.clone(),
                    priority: c.priority,
                }));
                out
            }
            Printer::Builtin(columns, _) => columns.clone(),
            Printer::Default => {
                vec![Column::name(), Column::new("Created At", "date", CREATION_DESCRIPTION)]
            }
        }
    }

    fn cells(&self, object: &Value, now: DateTime<Utc>) -> Vec<Value> {
        let mut cells = Vec::new();
        // Every table starts with the name except the event printer's, which puts it last.
        let name_first =
            !matches!(self, Printer::Builtin(columns, _) if columns.first().is_some_and(|c| c.name != "Name"));
        if name_first {
            cells.push(json!(name_of(object)));
        }
        match self {
            Printer::Custom(columns) => {
                for (column, path) in columns {
                    let value = path.as_ref().and_then(|p| p.first(object));
                    cells.push(custom_cell(&column.column_type, value, now));
                }
            }
            Printer::Builtin(_, render) => cells.extend(render(object, now)),
            Printer::Default => cells.push(json!(created_at_rfc3339(object))),
        }
        cells
    }
}

/// `cellForJSONValue` of the real CRD table convertor: a value of the wrong type renders as null.
fn custom_cell(column_type: &str, value: Option<&Value>, now: DateTime<Utc>) -> Value {
    let Some(value) = value.filter(|v| !v.is_null()) else { return Value::Null };
    match column_type {
        "string" => json!(go_print(value)),
        "integer" => value.as_i64().or_else(|| value.as_f64().map(|f| f as i64)).map_or(Value::Null, |i| json!(i)),
        "number" => value.as_f64().map_or(Value::Null, |f| json!(f)),
        "boolean" => value.as_bool().map_or(Value::Null, |b| json!(b)),
        "date" => match value.as_str() {
            Some(s) => match parse_time(s) {
                Some(t) => json!(human_duration(now.signed_duration_since(t))),
                None => json!("<invalid>"),
            },
            None => Value::Null,
        },
        _ => Value::Null,
    }
}

/// Column types and formats are a closed set in the API; anything else is passed as `string`/``.
fn static_type(t: &str) -> &'static str {
    match t {
        "integer" => "integer",
        "number" => "number",
        "boolean" => "boolean",
        "date" => "date",
        _ => "string",
    }
}

fn static_format(f: &str) -> &'static str {
    match f {
        "name" => "name",
        "int32" => "int32",
        "int64" => "int64",
        "float" => "float",
        "double" => "double",
        "byte" => "byte",
        "date" => "date",
        "date-time" => "date-time",
        "password" => "password",
        _ => "",
    }
}

pub(crate) fn name_of(object: &Value) -> &str {
    object.pointer("/metadata/name").and_then(Value::as_str).unwrap_or_default()
}

pub(crate) fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s).ok().map(|t| t.with_timezone(&Utc))
}

fn created_at_rfc3339(object: &Value) -> String {
    object
        .pointer("/metadata/creationTimestamp")
        .and_then(Value::as_str)
        .and_then(parse_time)
        .map(crate::resources::rfc3339)
        .unwrap_or_else(|| "0001-01-01T00:00:00Z".to_string())
}

/// The Age cell: the age of `metadata.creationTimestamp`.
pub(crate) fn age(object: &Value, now: DateTime<Utc>) -> Value {
    json!(age_at(object, "/metadata/creationTimestamp", now))
}

/// `translateTimestampSince`: the age of a timestamp field, `<unknown>` when absent.
pub(crate) fn age_at(object: &Value, pointer: &str, now: DateTime<Utc>) -> String {
    match object.pointer(pointer).and_then(Value::as_str).and_then(parse_time) {
        Some(t) => human_duration(now.signed_duration_since(t)),
        None => "<unknown>".to_string(),
    }
}

/// `duration.HumanDuration` of apimachinery: coarser the older it gets, two units at most.
pub fn human_duration(d: chrono::Duration) -> String {
    let seconds = d.num_seconds();
    if seconds < -1 {
        return "<invalid>".to_string();
    }
    if seconds < 0 {
        return "0s".to_string();
    }
    if seconds < 120 {
        return format!("{seconds}s");
    }
    let minutes = seconds / 60;
    if minutes < 10 {
        let s = seconds % 60;
        return if s == 0 { format!("{minutes}m") } else { format!("{minutes}m{s}s") };
    }
    if minutes < 180 {
        return format!("{minutes}m");
    }
    let hours = seconds / 3600;
    if hours < 8 {
        let m = minutes % 60;
        return if m == 0 { format!("{hours}h") } else { format!("{hours}h{m}m") };
    }
    if hours < 48 {
        return format!("{hours}h");
    }
    if hours < 24 * 8 {
        let h = hours % 24;
        return if h == 0 { format!("{}d", hours / 24) } else { format!("{}d{h}h", hours / 24) };
    }
    if hours < 24 * 365 * 2 {
        return format!("{}d", hours / 24);
    }
    if hours < 24 * 365 * 8 {
        let days = (hours / 24) % 365;
        return if days == 0 { format!("{}y", hours / 24 / 365) } else { format!("{}y{days}d", hours / 24 / 365) };
    }
    format!("{}y", hours / 24 / 365)
}

#[cfg(test)]
mod tests;
