//! The Flux API types against the real thing: every fixture object and a maximal object for every version of
//! every Flux CRD parse as their typed kind and serialize back byte for byte (as JSON), our types cover every
//! field the CRDs define, and the CRDs generated from our types install into the sandbox and accept the fixtures.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use fluxtui::api::crd::{custom_resource_definition, custom_resource_definitions};
use fluxtui::api::{AnyFluxObject, FluxKind, ObjectReference};
use fluxtui_testkit::{TestCluster, shared_dir};
use serde_json::{Value, json};

fn yaml_files(root: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|extension| extension == "yaml" || extension == "yml") {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// Every document of every YAML file under `root` (files that are not YAML at all, such as Helm templates, are
/// skipped).
fn yaml_documents(root: &Path) -> Vec<(PathBuf, Value)> {
    let mut documents = Vec::new();
    for path in yaml_files(root) {
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let Ok(values) = serde_saphyr::from_multiple::<Value>(&text) else { continue };
        documents.extend(values.into_iter().filter(Value::is_object).map(|value| (path.clone(), value)));
    }
    documents
}

/// A document is a Flux object when its group ends in `.fluxcd.io` and its kind is a Flux kind.
fn is_flux_object(value: &Value) -> bool {
    let group_is_flux = value["apiVersion"]
        .as_str()
        .and_then(|api_version| api_version.split_once('/'))
        .is_some_and(|(group, _)| group.ends_with(".fluxcd.io"));
    group_is_flux && value["kind"].as_str().and_then(FluxKind::from_name).is_some()
}

fn fixture_flux_objects(shared: &Path) -> Vec<(PathBuf, Value)> {
    yaml_documents(&shared.join("fixtures")).into_iter().filter(|(_, value)| is_flux_object(value)).collect()
}

fn assert_typed_round_trip(value: &Value, origin: &str) {
    let object = AnyFluxObject::from_value(value.clone());
    if let AnyFluxObject::Unparsed(unparsed) = &object {
        panic!("{origin}: parsed as Unparsed: {}", unparsed.error);
    }
    let expected_kind = value["kind"].as_str().and_then(FluxKind::from_name);
    assert_eq!(object.kind(), expected_kind, "{origin}");
    let back = object.to_value();
    assert!(back == *value, "{origin}: round trip changed the object\nbefore: {value:#}\nafter:  {back:#}");
}

#[test]
fn shared_fixture_flux_objects_parse_typed_and_round_trip() {
    let Some(shared) = shared_dir() else { return };
    let objects = fixture_flux_objects(&shared);
    let kinds: BTreeSet<&str> = objects.iter().filter_map(|(_, value)| value["kind"].as_str()).collect();
    assert!(objects.len() >= 20, "expected the fixtures' Flux objects, found {}", objects.len());
    assert!(kinds.len() >= 5, "expected several kinds, found {kinds:?}");
    for (path, value) in &objects {
        let origin = format!("{} {} {}", path.display(), value["kind"], value["metadata"]["name"]);
        assert_typed_round_trip(value, &origin);
    }
}

/// Every CRD file, HEAD and legacy, as (file, CRD).
fn flux_crds(shared: &Path) -> Vec<(PathBuf, Value)> {
    let crds = shared.join("flux/crds");
    let mut files: Vec<PathBuf> = yaml_files(&crds);
    files.retain(|path| path.parent() == Some(&crds) || path.parent() == Some(&crds.join("legacy-flux-v2.6.4")));
    files
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).expect("read CRD");
            let crd: Value = serde_saphyr::from_str(&text).unwrap_or_else(|err| panic!("{}: {err}", path.display()));
            (path, crd)
        })
        .collect()
}

/// A maximal example of a schema: every property set, one array element, one map key, enums at their first
/// value and integers at their minimum. Arbitrary JSON becomes a small nested object.
fn example(schema: &Value) -> Value {
    if let Some(properties) = schema["properties"].as_object() {
        return Value::Object(properties.iter().map(|(name, property)| (name.clone(), example(property))).collect());
    }
    if schema["additionalProperties"].is_object() {
        return json!({"key": example(&schema["additionalProperties"])});
    }
    if let Some(first) = schema["enum"].as_array().and_then(|values| values.first()) {
        return first.clone();
    }
    match schema["type"].as_str() {
        Some("string") if schema["format"] == "date-time" => json!("2025-01-02T03:04:05Z"),
        Some("string") => json!("x"),
        Some("integer") => schema["minimum"].as_i64().map_or(json!(1), |minimum| json!(minimum)),
        Some("number") => json!(1.5),
        Some("boolean") => json!(true),
        Some("array") => json!([example(&schema["items"])]),
        _ => json!({"arbitrary": {"nested": [1, "two", true]}}),
    }
}

#[test]
fn shared_crd_examples_parse_typed_and_round_trip() {
    let Some(shared) = shared_dir() else { return };
    let mut checked = 0;
    for (path, crd) in flux_crds(&shared) {
        let kind = crd["spec"]["names"]["kind"].as_str().expect("kind");
        let group = crd["spec"]["group"].as_str().expect("group");
        for version in crd["spec"]["versions"].as_array().expect("versions") {
            let name = version["name"].as_str().expect("version name");
            let schema = &version["schema"]["openAPIV3Schema"];
            let mut object = example(schema);
            object["apiVersion"] = json!(format!("{group}/{name}"));
            object["kind"] = json!(kind);
            object["metadata"] = json!({"name": "example", "namespace": "default", "generation": 2});
            assert_typed_round_trip(&object, &format!("{} {kind} {name}", path.display()));
            checked += 1;
        }
    }
    // 15 HEAD kinds with one version each, and 11 legacy files with 29 versions.
    assert!(checked >= 40, "only {checked} versions checked");
}

/// Every property path in `flux` exists in `ours`, with the same JSON type (arbitrary JSON accepts anything).
fn assert_covers(ours: &Value, flux: &Value, path: &str, missing: &mut Vec<String>) {
    if ours["x-kubernetes-preserve-unknown-fields"] == true && ours.get("properties").is_none() {
        return;
    }
    if let (Some(our_type), Some(flux_type)) = (ours["type"].as_str(), flux["type"].as_str())
        && our_type != flux_type
    {
        missing.push(format!("{path}: type {our_type}, Flux has {flux_type}"));
        return;
    }
    for (name, property) in flux["properties"].as_object().into_iter().flatten() {
        match ours["properties"].get(name) {
            Some(our_property) => assert_covers(our_property, property, &format!("{path}.{name}"), missing),
            None => missing.push(format!("{path}.{name}")),
        }
    }
    if flux["items"].is_object() {
        assert_covers(&ours["items"], &flux["items"], &format!("{path}[]"), missing);
    }
    if flux["additionalProperties"].is_object() {
        assert_covers(&ours["additionalProperties"], &flux["additionalProperties"], &format!("{path}{{}}"), missing);
    }
}

#[test]
fn shared_our_types_cover_every_field_of_every_flux_crd_version() {
    let Some(shared) = shared_dir() else { return };
    let mut missing = Vec::new();
    for (path, crd) in flux_crds(&shared) {
        let kind = FluxKind::from_name(crd["spec"]["names"]["kind"].as_str().expect("kind")).expect("Flux kind");
        let ours = custom_resource_definition(kind);
        let our_schema = &ours["spec"]["versions"][0]["schema"]["openAPIV3Schema"];
        for version in crd["spec"]["versions"].as_array().expect("versions") {
            let origin = format!("{} {}", path.file_name().and_then(|n| n.to_str()).unwrap_or("?"), version["name"]);
            for part in ["spec", "status"] {
                let flux_part = &version["schema"]["openAPIV3Schema"]["properties"][part];
                assert_covers(&our_schema["properties"][part], flux_part, &format!("{origin} {part}"), &mut missing);
            }
        }
    }
    assert!(missing.is_empty(), "fields our types do not model:\n{}", missing.join("\n"));
}

#[test]
fn shared_generated_crds_match_flux_groups_names_and_versions() {
    let Some(shared) = shared_dir() else { return };
    let crds = shared.join("flux/crds");
    for (path, flux) in flux_crds(&shared).into_iter().filter(|(path, _)| path.parent() == Some(&crds)) {
        let kind = FluxKind::from_name(flux["spec"]["names"]["kind"].as_str().expect("kind")).expect("Flux kind");
        let ours = custom_resource_definition(kind);
        let origin = path.display();
        assert_eq!(ours["metadata"]["name"], flux["metadata"]["name"], "{origin}");
        assert_eq!(ours["spec"]["group"], flux["spec"]["group"], "{origin}");
        assert_eq!(ours["spec"]["names"]["plural"], flux["spec"]["names"]["plural"], "{origin}");
        assert_eq!(ours["spec"]["names"]["singular"], flux["spec"]["names"]["singular"], "{origin}");
        assert_eq!(ours["spec"]["names"]["listKind"], flux["spec"]["names"]["listKind"], "{origin}");
        let short_names = |crd: &Value| -> BTreeSet<String> {
            crd["spec"]["names"]["shortNames"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|n| n.as_str())
                .map(str::to_string)
                .collect()
        };
        assert_eq!(short_names(&ours), short_names(&flux), "{origin}");
        let categories = |crd: &Value| -> BTreeSet<String> {
            crd["spec"]["names"]["categories"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|n| n.as_str())
                .map(str::to_string)
                .collect()
        };
        assert_eq!(categories(&ours), categories(&flux), "{origin}");
        let our_versions: Vec<&str> =
            ours["spec"]["versions"].as_array().into_iter().flatten().filter_map(|v| v["name"].as_str()).collect();
        for version in flux["spec"]["versions"].as_array().expect("versions") {
            let name = version["name"].as_str().expect("name");
            assert!(our_versions.contains(&name), "{origin}: Flux serves {name}, we serve {our_versions:?}");
            if version["storage"] == true {
                assert_eq!(our_versions.first(), Some(&name), "{origin}: the HEAD storage version comes first");
            }
        }
    }
    // The legacy CRDs' versions are all served too.
    for (path, flux) in flux_crds(&shared).into_iter().filter(|(path, _)| path.parent() != Some(&crds)) {
        let kind = FluxKind::from_name(flux["spec"]["names"]["kind"].as_str().expect("kind")).expect("Flux kind");
        for version in flux["spec"]["versions"].as_array().expect("versions") {
            let name = version["name"].as_str().expect("name");
            assert!(kind.versions().contains(&name), "{}: {name} is not in {kind}'s versions", path.display());
        }
    }
}

/// JSON documents one after another: kubectl reads a file starting with `{` as a stream of JSON objects. (A `v1
/// List` would do too, but kubectl's client-side validation of `List` needs OpenAPI protobuf the sandbox does not
/// serve.)
fn json_stream<'a>(documents: impl Iterator<Item = &'a Value>) -> String {
    documents.map(Value::to_string).collect::<Vec<_>>().join("\n")
}

#[tokio::test]
async fn shared_generated_crds_install_and_accept_every_fixture_object() {
    let Some(shared) = shared_dir() else { return };
    let cluster = TestCluster::start().await;
    let crd_file = cluster.dir().join("crds.json");
    std::fs::write(&crd_file, json_stream(custom_resource_definitions().iter())).expect("write CRDs");
    cluster.kubectl_success(&["apply", "--server-side", "-f", crd_file.to_str().expect("utf-8 path")]);
    let listed = cluster.kubectl_success(&["get", "crds", "-o", "name"]);
    for kind in FluxKind::ALL {
        let name = format!("{}.{}", kind.plural(), kind.group());
        assert!(listed.contains(&name), "{name} missing from:\n{listed}");
    }

    let objects = fixture_flux_objects(&shared);
    let namespaces: BTreeSet<&str> =
        objects.iter().filter_map(|(_, value)| value["metadata"]["namespace"].as_str()).collect();
    for namespace in namespaces.iter().filter(|namespace| **namespace != "default") {
        cluster.kubectl_success(&["create", "namespace", namespace]);
    }
    let objects_file = cluster.dir().join("objects.json");
    std::fs::write(&objects_file, json_stream(objects.iter().map(|(_, value)| value))).expect("write objects");
    cluster.kubectl_success(&["apply", "--server-side", "-f", objects_file.to_str().expect("utf-8 path")]);

    // The printer columns of our CRD, with the fixture's GitRepository (no status yet, so Ready is empty).
    let table = cluster.kubectl_success(&["get", "gitrepositories", "-A"]);
    let header = table.lines().next().unwrap_or_default();
    for column in ["NAMESPACE", "NAME", "URL", "REVISION", "SUSPENDED", "READY", "STATUS", "AGE"] {
        assert!(header.contains(column), "{column} missing from:\n{table}");
    }
    assert!(table.contains("https://github.com/"), "{table}");
    let short = cluster.kubectl_success(&["get", "ks", "-A", "-o", "name"]);
    assert!(short.contains("kustomization.kustomize.toolkit.fluxcd.io/"), "{short}");
    // A stored object reads back typed.
    let stored: Value = serde_json::from_str(&cluster.kubectl_success(&["get", "helmreleases", "-A", "-o", "json"]))
        .expect("JSON list");
    for item in stored["items"].as_array().expect("items") {
        assert!(!matches!(AnyFluxObject::from_value(item.clone()), AnyFluxObject::Unparsed(_)), "{item}");
    }
}

fn object(value: Value) -> AnyFluxObject {
    AnyFluxObject::from_value(value)
}

#[test]
fn unknown_fields_survive_a_round_trip() {
    let value = json!({
        "apiVersion": "source.toolkit.fluxcd.io/v1",
        "kind": "GitRepository",
        "metadata": {"name": "app", "namespace": "flux-system"},
        "spec": {
            "url": "https://example.com/app.git",
            "interval": "1m",
            "ref": {"branch": "main", "futureRefField": {"a": 1}},
            "futureSpecField": [1, 2],
        },
        "status": {"futureStatusField": "x", "artifact": {"revision": "main@sha1:abc", "futureArtifactField": true}},
        "futureTopLevel": {"b": null},
    });
    let parsed = object(value.clone());
    let AnyFluxObject::GitRepository(repository) = &parsed else { panic!("not typed: {parsed:?}") };
    assert_eq!(repository.spec.extra["futureSpecField"], json!([1, 2]));
    assert_eq!(repository.spec.ref_.as_ref().and_then(|r| r.branch.as_deref()), Some("main"));
    assert_eq!(parsed.to_value(), value);
}

#[test]
fn a_wrong_typed_field_yields_unparsed_with_the_reason() {
    let parsed = object(json!({
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
        "kind": "Kustomization",
        "metadata": {"name": "apps", "namespace": "flux-system"},
        "spec": {"interval": 5, "suspend": true},
    }));
    let AnyFluxObject::Unparsed(unparsed) = &parsed else { panic!("parsed typed: {parsed:?}") };
    assert_eq!(unparsed.kind, Some(FluxKind::Kustomization));
    assert!(unparsed.error.contains("invalid type"), "{}", unparsed.error);
    assert_eq!(parsed.name(), "apps");
    assert!(parsed.suspended(), "the raw object still answers suspend");
    assert_eq!(parsed.revision(), None);
}

fn flux_object(kind: FluxKind, spec: Value, status: Value) -> AnyFluxObject {
    object(json!({
        "apiVersion": format!("{}/{}", kind.group(), kind.versions()[0]),
        "kind": kind.name(),
        "metadata": {"name": "demo", "namespace": "apps"},
        "spec": spec,
        "status": status,
    }))
}

#[test]
fn revision_is_what_flux_get_shows_per_kind() {
    let artifact = json!({"artifact": {"revision": "main@sha1:0123456789abcdef0123456789abcdef01234567"}});
    for kind in [FluxKind::GitRepository, FluxKind::OciRepository, FluxKind::Bucket, FluxKind::HelmChart] {
        let source = flux_object(kind, json!({}), artifact.clone());
        assert_eq!(source.revision().as_deref(), Some("main@sha1:0123456789abcdef0123456789abcdef01234567"));
    }
    let ks = flux_object(
        FluxKind::Kustomization,
        json!({}),
        json!({"lastAppliedRevision": "v1@sha1:aa", "lastAttemptedRevision": "v2@sha1:bb"}),
    );
    assert_eq!(ks.revision().as_deref(), Some("v1@sha1:aa"));
    let hr = flux_object(
        FluxKind::HelmRelease,
        json!({}),
        json!({
            "history": [{"chartName": "podinfo", "chartVersion": "6.5.0"}, {"chartVersion": "6.4.0"}],
            "lastAttemptedRevision": "6.6.0",
        }),
    );
    assert_eq!(hr.revision().as_deref(), Some("6.5.0"));
    let hr_without_history = flux_object(FluxKind::HelmRelease, json!({}), json!({"lastAttemptedRevision": "6.6.0"}));
    assert_eq!(hr_without_history.revision().as_deref(), Some("6.6.0"));
    let policy = flux_object(
        FluxKind::ImagePolicy,
        json!({}),
        json!({"latestRef": {"name": "ghcr.io/stefanprodan/podinfo", "tag": "6.5.0", "digest": "sha256:ab"}}),
    );
    assert_eq!(policy.revision().as_deref(), Some("ghcr.io/stefanprodan/podinfo:6.5.0@sha256:ab"));
    let legacy_policy =
        flux_object(FluxKind::ImagePolicy, json!({}), json!({"latestImage": "ghcr.io/stefanprodan/podinfo:6.4.0"}));
    assert_eq!(legacy_policy.revision().as_deref(), Some("ghcr.io/stefanprodan/podinfo:6.4.0"));
    let repository = flux_object(
        FluxKind::ImageRepository,
        json!({}),
        json!({"lastScanResult": {"scanTime": "2025-01-02T03:04:05Z", "tagCount": 12, "revision": "abc"}}),
    );
    assert_eq!(repository.revision().as_deref(), Some("2025-01-02T03:04:05Z"));
    let automation =
        flux_object(FluxKind::ImageUpdateAutomation, json!({}), json!({"lastPushCommit": "0123456789abcdef"}));
    assert_eq!(automation.revision().as_deref(), Some("0123456789abcdef"));
    for kind in [FluxKind::Alert, FluxKind::Provider, FluxKind::Receiver] {
        assert_eq!(flux_object(kind, json!({}), json!({"observedGeneration": 1})).revision(), None, "{kind}");
    }
}

fn reference(kind: &str, name: &str, namespace: &str) -> ObjectReference {
    ObjectReference {
        kind: kind.to_string(),
        name: name.to_string(),
        namespace: namespace.to_string(),
        api_version: None,
    }
}

#[test]
fn source_ref_depends_on_and_interval_resolve_defaults() {
    let ks = flux_object(
        FluxKind::Kustomization,
        json!({
            "interval": "10m",
            "sourceRef": {"kind": "GitRepository", "name": "flux-system", "namespace": "flux-system"},
            "dependsOn": [{"name": "infra"}, {"name": "crds", "namespace": "platform"}],
        }),
        json!({}),
    );
    assert_eq!(ks.source_ref(), Some(reference("GitRepository", "flux-system", "flux-system")));
    assert_eq!(
        ks.depends_on(),
        vec![reference("Kustomization", "infra", "apps"), reference("Kustomization", "crds", "platform")]
    );
    assert_eq!(ks.interval(), Some("10m"));

    let templated = flux_object(
        FluxKind::HelmRelease,
        json!({"chart": {"spec": {"chart": "podinfo", "sourceRef": {"kind": "HelmRepository", "name": "podinfo"}}}}),
        json!({}),
    );
    assert_eq!(templated.source_ref(), Some(reference("HelmRepository", "podinfo", "apps")));
    let chart_ref = flux_object(
        FluxKind::HelmRelease,
        json!({"chartRef": {"kind": "OCIRepository", "name": "podinfo", "namespace": "charts"}}),
        json!({}),
    );
    assert_eq!(chart_ref.source_ref(), Some(reference("OCIRepository", "podinfo", "charts")));

    let automation = flux_object(
        FluxKind::ImageUpdateAutomation,
        json!({"sourceRef": {"name": "fleet"}, "interval": "5m"}),
        json!({}),
    );
    assert_eq!(automation.source_ref(), Some(reference("GitRepository", "fleet", "apps")));
    let chart = flux_object(FluxKind::HelmChart, json!({"sourceRef": {"kind": "Bucket", "name": "charts"}}), json!({}));
    assert_eq!(chart.source_ref(), Some(reference("Bucket", "charts", "apps")));
    let alert = flux_object(FluxKind::Alert, json!({"providerRef": {"name": "slack"}}), json!({}));
    assert_eq!(alert.source_ref(), None);
    assert!(alert.depends_on().is_empty());
    assert_eq!(alert.interval(), None);
}
