//! What the demo's Flux controller pods print: Flux's JSON log lines about the demo fleet's own objects (a
//! reconcile finished, or failed with the object's Ready message), in the format the controllers use with
//! `--log-encoding=json`. The sandbox prints them in turn through its log-script annotation, so `fluxtui demo`'s
//! logs view shows lines that match what the tables show.

use chrono::Utc;
use serde_json::{Value, json};

/// The kinds each controller reconciles, with controller-runtime's controller name for each.
fn reconciled_kinds(controller: &str) -> &'static [(&'static str, &'static str)] {
    match controller {
        "source-controller" => &[
            ("GitRepository", "gitrepository"),
            ("OCIRepository", "ocirepository"),
            ("HelmRepository", "helmrepository"),
            ("HelmChart", "helmchart"),
            ("Bucket", "bucket"),
        ],
        "kustomize-controller" => &[("Kustomization", "kustomization")],
        "helm-controller" => &[("HelmRelease", "helmrelease")],
        "notification-controller" => &[("Alert", "alert"), ("Provider", "provider"), ("Receiver", "receiver")],
        "image-reflector-controller" => &[("ImageRepository", "imagerepository"), ("ImagePolicy", "imagepolicy")],
        "image-automation-controller" => &[("ImageUpdateAutomation", "imageupdateautomation")],
        _ => &[],
    }
}

/// The controller's script: two or three lines per object it reconciles, `{{ts}}` standing for the time.
pub fn log_script(controller: &str) -> String {
    let kinds = reconciled_kinds(controller);
    let mut lines = vec![line(json!({
        "level": "info", "ts": "{{ts}}", "logger": "setup", "msg": "starting manager",
    }))];
    for (index, object) in super::flux_objects(Utc::now()).iter().enumerate() {
        let kind = object["kind"].as_str().unwrap_or_default();
        let Some((_, controller_name)) = kinds.iter().find(|(known, _)| *known == kind) else { continue };
        let group = object["apiVersion"].as_str().unwrap_or_default().split('/').next().unwrap_or_default();
        let name = object["metadata"]["name"].as_str().unwrap_or_default();
        let namespace = object["metadata"]["namespace"].as_str().unwrap_or_default();
        let ready = object["status"]["conditions"]
            .as_array()
            .and_then(|conditions| conditions.iter().find(|condition| condition["type"] == "Ready"));
        let ready_status = ready.and_then(|condition| condition["status"].as_str()).unwrap_or("Unknown");
        let message = ready.and_then(|condition| condition["message"].as_str()).unwrap_or_default();
        let revision = object["status"]["lastAppliedRevision"]
            .as_str()
            .or(object["status"]["artifact"]["revision"].as_str())
            .unwrap_or_default();
        let base = |level: &str, msg: &str| {
            let mut fields = json!({
                "level": level, "ts": "{{ts}}", "msg": msg,
                "controller": controller_name, "controllerGroup": group, "controllerKind": kind,
                kind: {"name": name, "namespace": namespace},
                "namespace": namespace, "name": name,
                "reconcileID": format!("{:08x}-4f1c-4d2a-9b7e-{:012x}", index * 7919, index * 104_729),
            });
            if !revision.is_empty() {
                fields["revision"] = Value::String(revision.to_string());
            }
            fields
        };
        match (kind, ready_status) {
            (_, "False") => {
                let mut failure = base("error", "Reconciler error");
                failure["error"] = Value::String(message.to_string());
                lines.push(line(failure));
            }
            ("Kustomization", _) => {
                let mut applied = base("info", "server-side apply completed");
                applied["output"] = json!({format!("Namespace/{namespace}"): "unchanged"});
                lines.push(line(applied));
                lines.push(line(base("info", "Reconciliation finished in 1.204s, next run in 10m0s")));
            }
            ("HelmRelease", _) => lines.push(line(base("info", "release in-sync with desired state"))),
            (_, "True") => lines.push(line(base("info", message))),
            _ => lines.push(line(base("info", "reconciliation in progress"))),
        }
    }
    lines.join("\n")
}

fn line(value: Value) -> String {
    value.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::logs::{LogFilter, LogLevel, parse_line};

    #[test]
    fn every_controller_prints_flux_lines_about_the_fleet() {
        for controller in crate::model::events::FLUX_CONTROLLERS {
            let script = log_script(controller);
            let lines: Vec<_> =
                script.lines().map(|raw| parse_line(std::sync::Arc::from(controller), raw, None)).collect();
            assert!(lines.len() > 1, "{controller} prints only the start line");
            assert!(lines.iter().all(|line| line.json), "{controller}: {script}");
        }
        let script = log_script("kustomize-controller");
        let lines: Vec<_> = script.lines().map(|raw| parse_line(std::sync::Arc::from("k"), raw, None)).collect();
        let apps = LogFilter { kind: Some("Kustomization".into()), name: Some("apps".into()), namespace: None };
        assert!(lines.iter().any(|line| apps.matches(line)));
        // The failing Kustomization logs its error.
        assert!(lines.iter().any(|line| line.level == LogLevel::Error && line.error.is_some()));
    }
}
