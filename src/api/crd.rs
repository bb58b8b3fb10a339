//! CustomResourceDefinitions generated from fluxtui's own Rust types.
//!
//! The sandbox and the demo install these instead of Flux's YAML, so the CRDs and the types that read the
//! objects cannot drift apart: every version in [`FluxKind::versions`] is served with the one schema our merged
//! types describe. schemars writes JSON Schema; [`structural`] rewrites it into the structural subset the API
//! server demands (no `$ref`, no `anyOf` with null, exactly one `type` per node, arbitrary JSON marked with
//! `x-kubernetes-preserve-unknown-fields`).

use schemars::JsonSchema;
use schemars::generate::SchemaSettings;
use serde_json::{Map, Value, json};

use super::kind::{FluxKind, KindFamily};

/// One `apiextensions.k8s.io/v1` CRD per Flux kind, in [`FluxKind::ALL`] order.
pub fn custom_resource_definitions() -> Vec<Value> {
    FluxKind::ALL.into_iter().map(custom_resource_definition).collect()
}

/// The CRD of one kind: every version Flux has served, the newest one stored, each with the status subresource
/// and printer columns like Flux's own.
pub fn custom_resource_definition(kind: FluxKind) -> Value {
    let schema = open_api_v3_schema(kind);
    let columns = printer_columns(kind);
    let versions: Vec<Value> = kind
        .versions()
        .iter()
        .enumerate()
        .map(|(index, version)| {
            json!({
                "name": version,
                "served": true,
                // versions() lists the newest first, and the newest is what Flux stores.
                "storage": index == 0,
                "schema": {"openAPIV3Schema": schema},
                "subresources": {"status": {}},
                "additionalPrinterColumns": columns,
            })
        })
        .collect();
    // As in Flux's CRDs: `kubectl get fluxcd` lists everything, `fluxcd-<family>` one family.
    let family_category = match kind.family() {
        KindFamily::Source => "fluxcd-sources",
        KindFamily::Kustomization | KindFamily::HelmRelease => "fluxcd-appliers",
        KindFamily::Notification => "fluxcd-notifications",
        KindFamily::ImageAutomation => "fluxcd-images",
    };
    let categories = ["all", "fluxcd", family_category];
    json!({
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": format!("{}.{}", kind.plural(), kind.group())},
        "spec": {
            "group": kind.group(),
            "names": {
                "kind": kind.name(),
                "listKind": format!("{}List", kind.name()),
                "plural": kind.plural(),
                "singular": kind.name().to_lowercase(),
                "shortNames": kind.short_names(),
                "categories": categories,
            },
            "scope": "Namespaced",
            "versions": versions,
        },
    })
}

/// The object schema: `apiVersion`, `kind`, `metadata` (the server validates metadata itself), and the spec and
/// status from our types, both keeping unknown fields so a newer Flux's objects are stored whole.
fn open_api_v3_schema(kind: FluxKind) -> Value {
    let (spec, status) = spec_and_status_schemas(kind);
    let mut status = preserve_unknown_fields(status);
    if defaults_status(kind) {
        // As Flux's CRDs: a new object reads `status: {observedGeneration: -1}`, so kstatus (health checks, the
        // CLI) sees it InProgress until its controller has looked at it, never Current for lack of a status.
        status["default"] = json!({"observedGeneration": -1});
    }
    json!({
        "type": "object",
        "properties": {
            "apiVersion": {"type": "string"},
            "kind": {"type": "string"},
            "metadata": {"type": "object"},
            "spec": preserve_unknown_fields(spec),
            "status": status,
        },
    })
}

/// Whether Flux's CRD for `kind` defaults its status (every kind with a controller setting observedGeneration).
fn defaults_status(kind: FluxKind) -> bool {
    !matches!(kind, FluxKind::Alert | FluxKind::Provider | FluxKind::ArtifactGenerator | FluxKind::ExternalArtifact)
}

fn spec_and_status_schemas(kind: FluxKind) -> (Value, Value) {
    use crate::api::{helm, image, kustomize, notification, source};
    match kind {
        FluxKind::GitRepository => pair::<source::GitRepositorySpec, source::GitRepositoryStatus>(),
        FluxKind::OciRepository => pair::<source::OciRepositorySpec, source::OciRepositoryStatus>(),
        FluxKind::HelmRepository => pair::<source::HelmRepositorySpec, source::HelmRepositoryStatus>(),
        FluxKind::HelmChart => pair::<source::HelmChartSpec, source::HelmChartStatus>(),
        FluxKind::Bucket => pair::<source::BucketSpec, source::BucketStatus>(),
        FluxKind::ExternalArtifact => pair::<source::ExternalArtifactSpec, source::ExternalArtifactStatus>(),
        FluxKind::ArtifactGenerator => pair::<source::ArtifactGeneratorSpec, source::ArtifactGeneratorStatus>(),
        FluxKind::Kustomization => pair::<kustomize::KustomizationSpec, kustomize::KustomizationStatus>(),
        FluxKind::HelmRelease => pair::<helm::HelmReleaseSpec, helm::HelmReleaseStatus>(),
        FluxKind::Alert => pair::<notification::AlertSpec, notification::AlertStatus>(),
        FluxKind::Provider => pair::<notification::ProviderSpec, notification::ProviderStatus>(),
        FluxKind::Receiver => pair::<notification::ReceiverSpec, notification::ReceiverStatus>(),
        FluxKind::ImageRepository => pair::<image::ImageRepositorySpec, image::ImageRepositoryStatus>(),
        FluxKind::ImagePolicy => pair::<image::ImagePolicySpec, image::ImagePolicyStatus>(),
        FluxKind::ImageUpdateAutomation => {
            pair::<image::ImageUpdateAutomationSpec, image::ImageUpdateAutomationStatus>()
        }
    }
}

fn pair<Spec: JsonSchema, Status: JsonSchema>() -> (Value, Value) {
    (schema_of::<Spec>(), schema_of::<Status>())
}

/// The structural schema of one type, every subschema inlined.
pub fn schema_of<T: JsonSchema>() -> Value {
    let generator = SchemaSettings::draft2020_12()
        .with(|settings| {
            settings.inline_subschemas = true;
            settings.meta_schema = None;
        })
        .into_generator();
    let mut schema = generator.into_root_schema_for::<T>().to_value();
    structural(&mut schema);
    schema
}

fn preserve_unknown_fields(mut schema: Value) -> Value {
    if let Value::Object(map) = &mut schema {
        map.insert("x-kubernetes-preserve-unknown-fields".to_string(), Value::Bool(true));
    }
    schema
}

/// The formats the API server knows; schemars also writes Rust-only ones (`uint`, `int16`) it would reject.
const KUBERNETES_FORMATS: &[&str] = &["int32", "int64", "float", "double", "byte", "date", "date-time", "password"];

/// Rewrites a schemars schema in place into a structural one.
pub fn structural(schema: &mut Value) {
    let map = match schema {
        Value::Object(map) => map,
        // `true` (serde_json::Value) and anything else unexpected: any JSON, kept whole.
        other => {
            *other = json!({"x-kubernetes-preserve-unknown-fields": true});
            return;
        }
    };
    for key in ["$schema", "$defs", "definitions", "title", "default", "examples", "$id"] {
        map.remove(key);
    }
    collapse_nullable_alternatives(map);
    match map.get("type").cloned() {
        Some(Value::Array(types)) => {
            let concrete: Vec<Value> = types.into_iter().filter(|kind| kind != "null").collect();
            match concrete.as_slice() {
                [single] => {
                    map.insert("type".to_string(), single.clone());
                }
                _ => {
                    map.remove("type");
                    map.insert("x-kubernetes-preserve-unknown-fields".to_string(), Value::Bool(true));
                }
            }
        }
        Some(Value::String(kind)) if kind == "null" => {
            map.remove("type");
        }
        _ => {}
    }
    if map.get("format").and_then(Value::as_str).is_some_and(|format| !KUBERNETES_FORMATS.contains(&format)) {
        map.remove("format");
    }
    if let Some(Value::Object(properties)) = map.get_mut("properties") {
        for property in properties.values_mut() {
            structural(property);
        }
        // A structural schema may not have both; the properties are what our types define.
        map.remove("additionalProperties");
        map.entry("type").or_insert_with(|| Value::String("object".to_string()));
    }
    match map.get_mut("additionalProperties") {
        Some(Value::Bool(false)) => {
            map.remove("additionalProperties");
        }
        Some(additional) => structural(additional),
        None => {}
    }
    if let Some(items) = map.get_mut("items") {
        structural(items);
    }
    let has_type = map.contains_key("type");
    let preserves = map.get("x-kubernetes-preserve-unknown-fields") == Some(&Value::Bool(true));
    if !has_type && !preserves {
        // An empty schema (`{}`) accepts any JSON, as serde_json::Value does.
        map.insert("x-kubernetes-preserve-unknown-fields".to_string(), Value::Bool(true));
    }
}

/// `anyOf: [X, {type: null}]`, which schemars writes for `Option<Struct>`, becomes X itself (description kept).
fn collapse_nullable_alternatives(map: &mut Map<String, Value>) {
    for keyword in ["anyOf", "oneOf"] {
        let Some(Value::Array(alternatives)) = map.get(keyword) else { continue };
        let concrete: Vec<&Value> = alternatives
            .iter()
            .filter(|alternative| alternative.get("type").and_then(Value::as_str) != Some("null"))
            .collect();
        if let [single] = concrete.as_slice() {
            let single = (*single).clone();
            map.remove(keyword);
            if let Value::Object(fields) = single {
                for (key, value) in fields {
                    // The field's own description says more than the type's.
                    map.entry(key).or_insert(value);
                }
            }
        }
    }
}

/// Columns `kubectl get` shows: the kind's own (URL, chart, image...), then the generic ones every Flux CRD has.
fn printer_columns(kind: FluxKind) -> Vec<Value> {
    let column = |name: &str, json_path: &str| json!({"name": name, "type": "string", "jsonPath": json_path});
    let mut columns = match kind {
        FluxKind::GitRepository | FluxKind::OciRepository | FluxKind::HelmRepository => {
            vec![column("URL", ".spec.url")]
        }
        FluxKind::HelmChart => vec![
            column("Chart", ".spec.chart"),
            column("Version", ".spec.version"),
            column("Source Kind", ".spec.sourceRef.kind"),
            column("Source Name", ".spec.sourceRef.name"),
        ],
        FluxKind::Bucket => vec![column("Endpoint", ".spec.endpoint")],
        FluxKind::ExternalArtifact => vec![column("Source", ".spec.sourceRef.name")],
        FluxKind::Kustomization => vec![column("Revision", ".status.lastAppliedRevision")],
        FluxKind::HelmRelease => vec![column("Revision", ".status.history[0].chartVersion")],
        FluxKind::ImageRepository => vec![
            column("Image", ".spec.image"),
            column("Tags", ".status.lastScanResult.tagCount"),
            column("Last scan", ".status.lastScanResult.scanTime"),
        ],
        FluxKind::ImagePolicy => {
            vec![column("Image", ".status.latestRef.name"), column("Tag", ".status.latestRef.tag")]
        }
        FluxKind::ImageUpdateAutomation => vec![column("Last run", ".status.lastAutomationRunTime")],
        FluxKind::ArtifactGenerator | FluxKind::Alert | FluxKind::Provider | FluxKind::Receiver => Vec::new(),
    };
    if kind.family() == KindFamily::Source && kind != FluxKind::HelmChart {
        columns.push(column("Revision", ".status.artifact.revision"));
    }
    if kind.can_suspend() && kind != FluxKind::ArtifactGenerator {
        columns.push(json!({"name": "Suspended", "type": "boolean", "jsonPath": ".spec.suspend"}));
    }
    columns.push(column("Ready", ".status.conditions[?(@.type==\"Ready\")].status"));
    columns.push(column("Status", ".status.conditions[?(@.type==\"Ready\")].message"));
    columns.push(json!({"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"}));
    columns
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_structural(schema: &Value, path: &str) {
        let map = schema.as_object().unwrap_or_else(|| panic!("{path}: not an object schema"));
        for forbidden in ["$ref", "anyOf", "oneOf", "allOf", "$defs", "nullable"] {
            assert!(!map.contains_key(forbidden), "{path}: has {forbidden}");
        }
        let preserves = map.get("x-kubernetes-preserve-unknown-fields") == Some(&Value::Bool(true));
        assert!(map.get("type").is_some_and(Value::is_string) || preserves, "{path}: no single type: {schema}");
        if map.contains_key("properties") {
            assert!(!map.contains_key("additionalProperties"), "{path}: properties and additionalProperties");
        }
        for (name, property) in map.get("properties").and_then(Value::as_object).into_iter().flatten() {
            assert_structural(property, &format!("{path}.{name}"));
        }
        if let Some(items) = map.get("items") {
            assert_structural(items, &format!("{path}[]"));
        }
        if let Some(additional @ Value::Object(_)) = map.get("additionalProperties") {
            assert_structural(additional, &format!("{path}{{}}"));
        }
    }

    #[test]
    fn every_generated_schema_is_structural() {
        for crd in custom_resource_definitions() {
            let kind = crd["spec"]["names"]["kind"].as_str().unwrap_or_default().to_string();
            for version in crd["spec"]["versions"].as_array().into_iter().flatten() {
                assert_structural(&version["schema"]["openAPIV3Schema"], &kind);
            }
        }
    }

    #[test]
    fn values_keep_arbitrary_json_and_versions_store_the_newest() {
        let crd = custom_resource_definition(FluxKind::HelmRelease);
        let versions = crd["spec"]["versions"].as_array().expect("versions");
        assert_eq!(versions.len(), 3);
        assert_eq!(versions[0]["name"], "v2");
        assert_eq!(versions[0]["storage"], true);
        assert!(versions[1..].iter().all(|version| version["storage"] == false));
        let spec = &versions[0]["schema"]["openAPIV3Schema"]["properties"]["spec"];
        assert_eq!(spec["x-kubernetes-preserve-unknown-fields"], true);
        assert_eq!(spec["properties"]["values"]["x-kubernetes-preserve-unknown-fields"], true);
        assert_eq!(spec["properties"]["interval"]["type"], "string");
        assert_eq!(spec["properties"]["maxHistory"]["type"], "integer");
    }
}
