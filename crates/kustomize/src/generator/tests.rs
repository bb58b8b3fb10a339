//! Generators on small inputs; the suffixes were checked with `kubectl kustomize` (kustomize v5.5).

use serde_json::json;

use super::hash::{go_json, hash};
use super::kv::{env_pairs, parse_file_source, parse_literal};
use super::*;

#[test]
fn hash_matches_kustomize() {
    let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "test", "namespace": "x"},
        "data": {"key": "value"}});
    assert_eq!(hash(&cm), "t757gk2bmf");
    // No data hashes as `"data":""`; `immutable` and the name are not hashed.
    assert_eq!(hash(&json!({"kind": "ConfigMap", "metadata": {"name": "empty"}})), "6ct58987ht");
    assert_eq!(hash(&json!({"kind": "ConfigMap", "data": {"a": "1"}, "immutable": true})), "h29d89cmmt");
    let secret = json!({"kind": "Secret", "type": "Opaque", "data": {"password": "c29tZXB3", "username": "YWRtaW4="}});
    assert_eq!(hash(&secret), "bgd6bkgdm2");
    assert_eq!(hash(&json!({"kind": "Secret", "type": "Opaque", "data": {}})), "46f8b28mk5");
    let binary = json!({"kind": "ConfigMap", "data": {"h": "<&>", "k": "x".repeat(100), "q": "x"},
        "binaryData": {"bin.dat": "//4="}});
    assert_eq!(hash(&binary), "6b6hgbb5tb");
}

#[test]
fn go_json_escapes_as_go_does() {
    let v = json!({"b": "<a&b>\u{2028}\u{1}\n", "a": [1, true, null]});
    assert_eq!(go_json(&v), r#"{"a":[1,true,null],"b":"\u003ca\u0026b\u003e\u2028\u0001\n"}"#);
}

#[test]
fn base64_wraps_at_70_with_a_final_break() {
    assert_eq!(encode_base64(b"v"), "dg==");
    let long = encode_base64(&[b'x'; 100]);
    let lines: Vec<&str> = long.split_terminator('\n').collect();
    assert_eq!(lines.iter().map(|l| l.len()).collect::<Vec<_>>(), [70, 66]);
    assert!(long.ends_with("==\n"));
}

#[test]
fn sources_parse_as_kustomize_parses_them() {
    assert_eq!(parse_literal("q='x'").unwrap(), ("q".into(), "x".into()));
    assert_eq!(parse_literal("e=a=b").unwrap(), ("e".into(), "a=b".into()));
    assert_eq!(parse_literal("d=\"q'").unwrap(), ("d".into(), "\"q'".into()));
    assert!(parse_literal("ab").is_err());
    assert!(parse_literal("=b").is_err());
    assert_eq!(parse_file_source("dir/a.txt").unwrap(), ("a.txt".into(), "dir/a.txt".into()));
    assert_eq!(parse_file_source("k=dir/a.txt").unwrap(), ("k".into(), "dir/a.txt".into()));
    assert!(parse_file_source("x=y=z").is_err());
    assert!(parse_file_source("=y").is_err());
    let env = env_pairs(b"\xef\xbb\xbfA=1\n# c\n  B = x \nC\nD=\"q\"\r\n\nE=a=b").unwrap();
    let env: Vec<(&str, &[u8])> = env.iter().map(|(k, v)| (k.as_str(), v.as_slice())).collect();
    assert_eq!(env, [("A", &b"1"[..]), ("B ", b" x "), ("C", b""), ("D", b"\"q\""), ("E", b"a=b")]);
}

fn generated(name: &str, data: Value, needs_hash: bool) -> Resource {
    let mut r = Resource::new(json!({"apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": name, "labels": {"new": "1", "both": "new"}}, "data": data}))
    .unwrap();
    r.needs_hash = needs_hash;
    r
}

#[test]
fn merge_keeps_the_old_name_and_merges_data_and_metadata() {
    let mut old = Resource::new(json!({"apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "cm", "labels": {"old": "1", "both": "old"}}, "data": {"a": "1", "b": 2}}))
    .unwrap();
    old.needs_hash = true;
    old.remember_id();
    old.set_name("p-cm".into());
    old.prefixes.push("p-".into());
    let mut rs = vec![old];
    absorb(&mut rs, generated("cm", json!({"b": "3", "c": "4"}), true), Behavior::Merge).unwrap();
    assert_eq!(rs.len(), 1);
    assert_eq!(rs[0].name(), "p-cm");
    assert_eq!(rs[0].prefixes, ["p-"]);
    assert!(rs[0].needs_hash);
    assert_eq!(rs[0].value["data"], json!({"a": "1", "b": "3", "c": "4"}));
    assert_eq!(rs[0].value["metadata"]["labels"], json!({"old": "1", "both": "new", "new": "1"}));

    // Replace keeps the new data only; a hash is added only when both sides ask for one.
    absorb(&mut rs, generated("cm", json!({"z": "9"}), false), Behavior::Replace).unwrap();
    assert_eq!(rs[0].value["data"], json!({"z": "9"}));
    assert!(!rs[0].needs_hash);
}

#[test]
fn create_over_an_existing_id_and_merge_into_nothing_fail() {
    let mut rs = vec![generated("cm", json!({}), true)];
    assert!(absorb(&mut rs, generated("cm", json!({}), true), Behavior::Create).is_err());
    assert!(absorb(&mut rs, generated("other", json!({}), true), Behavior::Merge).is_err());
    absorb(&mut rs, generated("other", json!({}), true), Behavior::Create).unwrap();
    assert_eq!(rs.len(), 2);
}

#[test]
fn options_merge_local_over_global() {
    let local = GeneratorOptions { labels: BTreeMap::from([("x".into(), "1".into())]), ..Default::default() };
    let global = GeneratorOptions {
        labels: BTreeMap::from([("x".into(), "2".into()), ("y".into(), "3".into())]),
        disable_name_suffix_hash: true,
        ..Default::default()
    };
    let merged = local.with_global(Some(&global));
    assert_eq!(merged.labels, BTreeMap::from([("x".into(), "1".into()), ("y".into(), "3".into())]));
    assert!(merged.disable_name_suffix_hash);
}
