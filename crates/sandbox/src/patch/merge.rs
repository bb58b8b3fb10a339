//! JSON merge patch (RFC 7386): objects merge recursively, `null` deletes a key, anything else
//! (lists included) replaces.

use serde_json::{Map, Value};

/// Applies `patch` to `target` in place.
pub fn apply_merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(patch) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    if let Value::Object(target) = target {
        for (key, value) in patch {
            if value.is_null() {
                // `shift_remove`: with `preserve_order`, `remove` would move the last key here.
                target.shift_remove(key);
            } else {
                apply_merge_patch(target.entry(key.clone()).or_insert(Value::Null), value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn merged(target: Value, patch: Value) -> Value {
        let mut target = target;
        apply_merge_patch(&mut target, &patch);
        target
    }

    #[test]
    fn rfc7386_examples() {
        // The test cases of RFC 7386 appendix A.
        let cases = [
            (json!({"a":"b"}), json!({"a":"c"}), json!({"a":"c"})),
            (json!({"a":"b"}), json!({"b":"c"}), json!({"a":"b","b":"c"})),
            (json!({"a":"b"}), json!({"a":null}), json!({})),
            (json!({"a":"b","b":"c"}), json!({"a":null}), json!({"b":"c"})),
            (json!({"a":["b"]}), json!({"a":"c"}), json!({"a":"c"})),
            (json!({"a":"c"}), json!({"a":["b"]}), json!({"a":["b"]})),
            (json!({"a":{"b":"c"}}), json!({"a":{"b":"d","c":null}}), json!({"a":{"b":"d"}})),
            (json!({"a":[{"b":"c"}]}), json!({"a":[1]}), json!({"a":[1]})),
            (json!(["a", "b"]), json!(["c", "d"]), json!(["c", "d"])),
            (json!({"a":"b"}), json!(["c"]), json!(["c"])),
            (json!({"a":"foo"}), json!(null), json!(null)),
            (json!({"a":"foo"}), json!("bar"), json!("bar")),
            (json!({"e":null}), json!({"a":1}), json!({"e":null,"a":1})),
            (json!([1, 2]), json!({"a":"b","c":null}), json!({"a":"b"})),
            (json!({}), json!({"a":{"bb":{"ccc":null}}}), json!({"a":{"bb":{}}})),
        ];
        for (target, patch, expected) in cases {
            assert_eq!(merged(target.clone(), patch.clone()), expected, "{target} + {patch}");
        }
    }

    fn keys(value: &Value) -> Vec<&str> {
        value.as_object().into_iter().flat_map(|m| m.keys().map(String::as_str)).collect()
    }

    #[test]
    fn deleting_a_key_keeps_the_order_of_the_others() {
        let out = merged(json!({"a": 1, "b": 2, "c": 3, "d": 4}), json!({"b": null, "c": 5}));
        assert_eq!(keys(&out), vec!["a", "c", "d"]);
    }

    #[test]
    fn scaling_a_deployment_keeps_the_rest() {
        let live = json!({"spec": {"replicas": 1, "template": {"spec": {"containers": [{"name": "a"}]}}}});
        let out = merged(live, json!({"spec": {"replicas": 3, "paused": null}}));
        assert_eq!(out, json!({"spec": {"replicas": 3, "template": {"spec": {"containers": [{"name": "a"}]}}}}));
    }
}
