//! Decoder behaviour on hand-built bodies: Go's JSON rules for zero values, pointers, nil slices,
//! inlined structs, maps, packed scalars, and the errors for what the tables do not describe.

use super::*;
use serde_json::json;

/// A minimal protobuf writer for building test bodies.
#[derive(Default)]
struct Enc(Vec<u8>);

impl Enc {
    fn varint_raw(&mut self, mut v: u64) {
        while v >= 0x80 {
            self.0.push((v as u8) | 0x80);
            v >>= 7;
        }
        self.0.push(v as u8);
    }

    fn varint(mut self, field: u32, v: u64) -> Self {
        self.varint_raw(u64::from(field) << 3);
        self.varint_raw(v);
        self
    }

    fn bytes(mut self, field: u32, b: &[u8]) -> Self {
        self.varint_raw((u64::from(field) << 3) | 2);
        self.varint_raw(b.len() as u64);
        self.0.extend_from_slice(b);
        self
    }

    fn str(self, field: u32, s: &str) -> Self {
        self.bytes(field, s.as_bytes())
    }

    fn msg(self, field: u32, m: Enc) -> Self {
        self.bytes(field, &m.0)
    }

    fn entry(self, field: u32, key: &str, value: &[u8]) -> Self {
        self.msg(field, Enc::default().str(1, key).bytes(2, value))
    }
}

fn envelope(api_version: &str, kind: &str, raw: Enc) -> Vec<u8> {
    let unknown =
        Enc::default().msg(1, Enc::default().str(1, api_version).str(2, kind)).msg(2, raw).str(3, "").str(4, "");
    [MAGIC.as_slice(), &unknown.0].concat()
}

/// ObjectMeta as gogo writes it: every non-pointer field, zero or not, and an empty creationTimestamp.
fn meta(name: &str) -> Enc {
    Enc::default().str(1, name).str(2, "").str(3, "").varint(7, 0).msg(8, Enc::default())
}

#[test]
fn deployment_keeps_pointer_zeros_and_drops_omitempty_zeros() {
    let container = Enc::default().str(1, "web").str(2, "nginx").msg(8, Enc::default()).str(13, "").varint(16, 0);
    let template = Enc::default().msg(1, meta("")).msg(2, Enc::default().msg(2, container).str(3, ""));
    let spec = Enc::default()
        .varint(1, 0) // replicas: *int32 = 0
        .msg(2, Enc::default().entry(1, "app", b"web"))
        .msg(3, template)
        .msg(4, Enc::default())
        .varint(5, 0) // minReadySeconds: int32 omitempty
        .varint(7, 0); // paused: bool omitempty
    let body =
        envelope("apps/v1", "Deployment", Enc::default().msg(1, meta("web")).msg(2, spec).msg(3, Enc::default()));
    let expected = json!({
        "kind": "Deployment",
        "apiVersion": "apps/v1",
        "metadata": {"name": "web", "creationTimestamp": null},
        "spec": {
            "replicas": 0,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"creationTimestamp": null},
                "spec": {"containers": [{"name": "web", "image": "nginx", "resources": {}}]}
            },
            "strategy": {}
        },
        "status": {}
    });
    assert_eq!(decode(&body).unwrap(), expected);
}

#[test]
fn nil_slices_without_omitempty_are_null() {
    // An aggregated ClusterRole has no rules: Go prints `"rules": null`.
    let aggregation = Enc::default().msg(1, Enc::default().entry(1, "agg", b"true"));
    let body =
        envelope("rbac.authorization.k8s.io/v1", "ClusterRole", Enc::default().msg(1, meta("agg")).msg(3, aggregation));
    let decoded = decode(&body).unwrap();
    assert_eq!(decoded["rules"], Value::Null);
    assert!(decoded.as_object().unwrap().contains_key("rules"));
    assert_eq!(decoded["aggregationRule"], json!({"clusterRoleSelectors": [{"matchLabels": {"agg": "true"}}]}));
}

#[test]
fn secret_bytes_are_base64_and_pointer_false_is_kept() {
    let body = envelope(
        "v1",
        "Secret",
        Enc::default()
            .msg(1, meta("s"))
            .entry(2, "bin", &[0xff, 0x00])
            .entry(2, "empty", b"")
            .str(3, "Opaque")
            .entry(4, "plain", b"text")
            .varint(5, 0),
    );
    let decoded = decode(&body).unwrap();
    assert_eq!(decoded["data"], json!({"bin": "/wA=", "empty": ""}));
    assert_eq!(decoded["stringData"], json!({"plain": "text"}));
    assert_eq!(decoded["type"], json!("Opaque"));
    assert_eq!(decoded["immutable"], json!(false));
}

#[test]
fn inlined_structs_merge_into_their_parent() {
    // Volume embeds VolumeSource; ConfigMapVolumeSource embeds LocalObjectReference; Probe embeds
    // ProbeHandler, whose httpGet port is an IntOrString.
    let config_map = Enc::default().msg(1, Enc::default().str(1, "settings")).varint(3, 420);
    let volume = Enc::default().str(1, "cfg").msg(2, Enc::default().msg(19, config_map));
    let port = Enc::default().varint(1, 1).varint(2, 0).str(3, "http");
    let probe =
        Enc::default().msg(1, Enc::default().msg(2, Enc::default().str(1, "/healthz").msg(2, port))).varint(4, 5);
    let container = Enc::default().str(1, "c").msg(10, probe);
    let spec = Enc::default().msg(1, volume).msg(2, container);
    let decoded = decode(&envelope("v1", "Pod", Enc::default().msg(1, meta("p")).msg(2, spec))).unwrap();
    assert_eq!(
        decoded["spec"]["volumes"],
        json!([{"name": "cfg", "configMap": {"name": "settings", "defaultMode": 420}}])
    );
    assert_eq!(
        decoded["spec"]["containers"][0]["livenessProbe"],
        json!({"httpGet": {"path": "/healthz", "port": "http"}, "periodSeconds": 5})
    );
}

#[test]
fn repeated_scalars_may_be_packed_or_not() {
    let mut packed = Enc::default();
    for group in [1000u64, 2000] {
        packed.varint_raw(group);
    }
    let context = Enc::default().bytes(4, &packed.0).varint(4, 3000);
    let spec = Enc::default().msg(14, context);
    let decoded = decode(&envelope("v1", "Pod", Enc::default().msg(1, meta("p")).msg(2, spec))).unwrap();
    assert_eq!(decoded["spec"]["securityContext"]["supplementalGroups"], json!([1000, 2000, 3000]));
    // containers has no omitempty, so a pod spec without any prints `null` like Go.
    assert_eq!(decoded["spec"]["containers"], Value::Null);
}

#[test]
fn negative_int32_and_int64_values() {
    let spec = Enc::default().varint(1, (-1i64) as u64).varint(6, (-5i64) as u64);
    let body = envelope("apps/v1", "Deployment", Enc::default().msg(1, meta("d")).msg(2, spec));
    let decoded = decode(&body).unwrap();
    assert_eq!(decoded["spec"]["replicas"], json!(-1));
    assert_eq!(decoded["spec"]["revisionHistoryLimit"], json!(-5));
}

#[test]
fn unknown_fields_are_refused_with_415_naming_message_and_number() {
    let body = envelope("v1", "ConfigMap", Enc::default().msg(1, meta("c").str(99, "future")));
    let err = decode(&body).unwrap_err();
    assert_eq!(err, ProtobufError::UnknownField { message: "meta.ObjectMeta".into(), number: 99, wire_type: 2 });
    let api = ApiError::from(err);
    assert_eq!(api.code, 415);
    assert!(api.message.contains("meta.ObjectMeta") && api.message.contains("99"), "{}", api.message);
}

#[test]
fn envelope_errors() {
    assert_eq!(decode(b"{}").unwrap_err(), ProtobufError::NoMagic);
    assert_eq!(ApiError::from(ProtobufError::NoMagic).code, 400);
    let err = decode(&envelope("example.com/v1", "Widget", Enc::default())).unwrap_err();
    assert!(matches!(err, ProtobufError::UnknownKind { .. }), "{err}");
    assert_eq!(ApiError::from(err).code, 415);
    // A string where a varint belongs.
    let err =
        decode(&envelope("apps/v1", "Deployment", Enc::default().msg(2, Enc::default().str(1, "x")))).unwrap_err();
    assert!(matches!(err, ProtobufError::WireType { .. }), "{err}");
    // A raw object whose metadata claims more bytes than it has.
    let mut raw = Enc::default().msg(1, meta("n"));
    raw.0.truncate(raw.0.len() - 2);
    let body = envelope("v1", "Namespace", raw);
    assert_eq!(ApiError::from(decode(&body).unwrap_err()).code, 400);
}

#[test]
fn delete_options_arrive_under_any_group_version() {
    let options = Enc::default().varint(1, 0).str(4, "Foreground");
    let decoded = decode(&envelope("apps/v1", "DeleteOptions", options)).unwrap();
    assert_eq!(
        decoded,
        json!({"kind": "DeleteOptions", "apiVersion": "apps/v1", "gracePeriodSeconds": 0, "propagationPolicy": "Foreground"})
    );
}

#[test]
fn managed_fields_and_owner_references() {
    let fields_v1 = Enc::default().str(1, r#"{"f:data":{}}"#);
    let managed = Enc::default().str(1, "kubectl").str(2, "Update").str(3, "v1").msg(7, fields_v1);
    let owner = Enc::default().str(1, "Deployment").str(3, "web").str(4, "u-1").str(5, "apps/v1").varint(6, 1);
    let metadata = meta("c").msg(13, owner).msg(17, managed);
    let decoded = decode(&envelope("v1", "ConfigMap", Enc::default().msg(1, metadata))).unwrap();
    assert_eq!(
        decoded["metadata"]["ownerReferences"],
        json!([{"apiVersion": "apps/v1", "kind": "Deployment", "name": "web", "uid": "u-1", "controller": true}])
    );
    assert_eq!(
        decoded["metadata"]["managedFields"],
        json!([{"manager": "kubectl", "operation": "Update", "apiVersion": "v1", "fieldsV1": {"f:data": {}}}])
    );
}
