use serde_json::json;

use super::*;

fn round_trip(value: &Value) {
    let text = yaml_text(value, true);
    let parsed: Value = serde_saphyr::from_str(&text).unwrap_or_else(|err| panic!("{err}\n{text}"));
    assert_eq!(&parsed, value, "\n{text}");
}

#[test]
fn kubectl_layout() {
    let value = json!({
        "apiVersion": "helm.toolkit.fluxcd.io/v2",
        "kind": "HelmRelease",
        "metadata": {"name": "podinfo", "namespace": "podinfo", "creationTimestamp": "2024-05-01T10:00:00Z",
                     "labels": {"app.kubernetes.io/name": "podinfo"}, "finalizers": ["finalizers.fluxcd.io"]},
        "spec": {
            "interval": "50m",
            "chart": {"spec": {"chart": "podinfo", "version": "6.5.0", "sourceRef": {"kind": "HelmRepository", "name": "podinfo"}}},
            "values": {"replicaCount": 2, "ingress": {"enabled": true, "hosts": [{"host": "podinfo.local", "paths": [{"path": "/", "pathType": "Prefix"}]}]},
                       "tag": "1.0", "empty": {}, "none": [], "nothing": null}
        }
    });
    let expected = "\
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: podinfo
  namespace: podinfo
  creationTimestamp: \"2024-05-01T10:00:00Z\"
  labels:
    app.kubernetes.io/name: podinfo
  finalizers:
  - finalizers.fluxcd.io
spec:
  interval: 50m
  chart:
    spec:
      chart: podinfo
      version: 6.5.0
      sourceRef:
        kind: HelmRepository
        name: podinfo
  values:
    replicaCount: 2
    ingress:
      enabled: true
      hosts:
      - host: podinfo.local
        paths:
        - path: /
          pathType: Prefix
    tag: \"1.0\"
    empty: {}
    none: []
    nothing: null
";
    assert_eq!(yaml_text(&value, false), expected);
    round_trip(&value);
}

#[test]
fn spans_are_classed() {
    let lines = yaml_lines(&json!({"replicas": 2, "name": "x", "on": true, "gone": null}), false);
    let classes: Vec<Vec<TextClass>> =
        lines.iter().map(|line| line.spans.iter().map(|span| span.class).collect()).collect();
    use TextClass::*;
    assert_eq!(classes[0], [Key, Punctuation, Plain, Number]);
    assert_eq!(classes[1], [Key, Punctuation, Plain, String]);
    assert_eq!(lines[2].text(), "\"on\": true");
    assert_eq!(classes[2], [Key, Punctuation, Plain, Boolean]);
    assert_eq!(classes[3], [Key, Punctuation, Plain, Null]);
}

#[test]
fn strings_are_quoted_only_when_needed() {
    let cases = [
        ("plain", "plain"),
        ("", "\"\""),
        ("true", "\"true\""),
        ("No", "\"No\""),
        ("~", "\"~\""),
        ("null", "\"null\""),
        ("y", "\"y\""),
        ("123", "\"123\""),
        ("-1.5e3", "\"-1.5e3\""),
        ("0x1F", "\"0x1F\""),
        (".inf", "\".inf\""),
        ("1:20", "\"1:20\""),
        ("2024-05-01", "\"2024-05-01\""),
        ("6.0.3", "6.0.3"),
        ("*", "'*'"),
        ("- x", "'- x'"),
        ("-", "'-'"),
        ("--log-level=info", "--log-level=info"),
        ("key: value", "'key: value'"),
        ("a #comment", "'a #comment'"),
        ("a#b", "a#b"),
        ("ends:", "'ends:'"),
        (" padded", "' padded'"),
        ("padded ", "'padded '"),
        ("it's", "it's"),
        ("'quoted'", "'''quoted'''"),
        ("{\"json\": 1}", "'{\"json\": 1}'"),
        ("@at", "'@at'"),
        ("%x", "'%x'"),
        ("<<", "'<<'"),
        ("---", "'---'"),
        ("tab\there", "\"tab\\there\""),
        ("bell\u{7}", "\"bell\\u0007\""),
        ("http://podinfo.local:9898/", "http://podinfo.local:9898/"),
        ("main@sha1:450796dd", "main@sha1:450796dd"),
    ];
    for (input, expected) in cases {
        assert_eq!(yaml_text(&json!({ "k": input }), false), format!("k: {expected}\n"), "{input:?}");
        round_trip(&json!({ "k": input, input: "key" }));
    }
}

#[test]
fn multi_line_strings_are_literal_blocks() {
    let value = json!({"spec": {"patches": [{"patch": "- op: replace\n  path: /spec/replicas\n  value: 2\n"}],
                                "ignore": "# comment\n/*\n!/deploy", "kept": "a\n\n"}});
    assert_eq!(
        yaml_text(&value, false),
        "\
spec:
  patches:
  - patch: |
      - op: replace
        path: /spec/replicas
        value: 2
  ignore: |-
    # comment
    /*
    !/deploy
  kept: |+
    a

"
    );
    round_trip(&value);
}

#[test]
fn masks_secrets_unless_revealed() {
    let secret = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "git"},
                        "data": {"username": "Z2l0", "password": "cGFzcw=="}, "stringData": {"token": "t"}});
    let text = yaml_text(&secret, false);
    assert!(
        text.contains("username: ••••••••") && text.contains("token: ••••••••") && !text.contains("Z2l0"),
        "{text}"
    );
    let masked = yaml_lines(&secret, false);
    assert!(masked.iter().flat_map(|line| &line.spans).any(|span| span.class == TextClass::Masked));
    assert!(yaml_text(&secret, true).contains("username: Z2l0"));
    let release = json!({"kind": "HelmRelease", "spec": {"values": {"redis": {"password": "hunter2", "port": 6379,
                         "auth": {"enabled": true}}, "existingSecret": "redis-auth"}}});
    let text = yaml_text(&release, false);
    assert!(text.contains("password: ••••••••") && text.contains("existingSecret: redis-auth"), "{text}");
    assert!(text.contains("enabled: true"));
}

#[test]
fn round_trips_complex_objects() {
    round_trip(&json!({
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
        "kind": "Kustomization",
        "metadata": {"name": "apps", "namespace": "flux-system", "annotations": {"note": "multi\nline \"quoted\" # not a comment"}},
        "spec": {
            "postBuild": {"substitute": {"cluster_env": "prod", "replicas": "3", "enabled": "on", "empty": ""}},
            "patches": [
                {"patch": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: podinfo\nspec:\n  replicas: 2", "target": {"kind": "Deployment"}},
                {"patch": "  leading space\nsecond\n"}
            ],
            "nested": [[1, 2, []], [{"a": {}}, {"b": [{"c": null}]}], [], {}],
            "unicode": "héllo • wörld",
            "windows": "line\r\nline",
            "trailing": "text\n\n\n",
            "float": 1.5,
            "negative": -3,
            "big": 12345678901234u64,
            "weird keys": {"": 1, "a: b": 2, "- x": 3, "true": 4, "1": 5, "multi\nline": 6, "#hash": 7}
        },
        "status": {"conditions": [{"type": "Ready", "status": "True", "message": "Applied revision: main@sha1:450796ddb2ab6724ee1cc32a4be56da032d1cca0"}]}
    }));
    round_trip(&json!([{"a": 1}, "x", [true, false]]));
    round_trip(&json!("just a string"));
    round_trip(&json!({}));
    round_trip(&json!([]));
}

/// Every YAML document of the shared Flux example repositories renders and reads back unchanged.
#[test]
fn shared_fixtures_round_trip() {
    let Some(shared) = fluxtui_testkit::shared_dir() else {
        eprintln!("skipping: ../shared is absent (set FLUXTUI_SHARED to use another directory)");
        return;
    };
    let root = shared.join("fixtures");
    let mut stack = vec![root];
    let mut documents = 0;
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("fixture directory").map(|entry| entry.expect("entry").path()) {
            if entry.is_dir() {
                stack.push(entry);
            } else if entry.extension().is_some_and(|ext| ext == "yaml") {
                let text = std::fs::read_to_string(&entry).expect("fixture");
                // Helm templates are not YAML until rendered.
                let Ok(values) = serde_saphyr::from_multiple::<Value>(&text) else { continue };
                for value in values.iter().filter(|value| !value.is_null()) {
                    round_trip(value);
                    documents += 1;
                }
            }
        }
    }
    assert!(documents > 50, "only {documents} fixture documents found");
}
