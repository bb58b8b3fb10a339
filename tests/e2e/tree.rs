//! The tree, trace, HelmRelease detail and pods against a real sandbox: a Helm release installed by the real
//! helm, Kustomizations whose inventories are set through the status subresource (one of them corrupt, one
//! nested in a cycle), and the headless `fluxtui tree` beside the TUI.

use std::process::Command;

use fluxtui_testkit::{Tmux, fluxtui_binary};
use serde_json::{Value, json};

use crate::support::{Fleet, STARTUP, STEP, assert_quits_cleanly, fluxtui_in_tmux, path_str};

/// A chart with a Deployment, a ConfigMap and a Secret, labelled as the helm-controller's post-renderer labels
/// what it installs, so trace finds the HelmRelease from the objects.
fn write_chart(fleet: &Fleet) -> std::path::PathBuf {
    let chart = fleet.dir().join("tiny");
    std::fs::create_dir_all(chart.join("templates")).expect("create the chart");
    std::fs::write(chart.join("Chart.yaml"), "apiVersion: v2\nname: tiny\nversion: 0.1.0\nappVersion: \"1.0\"\n")
        .expect("write Chart.yaml");
    std::fs::write(chart.join("values.yaml"), "replicas: 1\nauth:\n  password: changeme\n").expect("write values");
    let labels = "    helm.toolkit.fluxcd.io/name: tiny\n    helm.toolkit.fluxcd.io/namespace: shop\n";
    let templates = format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{{{ .Release.Name }}}}-config\n  labels:\n{labels}data:\n  greeting: hello\n\
         ---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: {{{{ .Release.Name }}}}-auth\n  labels:\n{labels}stringData:\n  password: {{{{ .Values.auth.password }}}}\n\
         ---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{{{ .Release.Name }}}}\n  labels:\n{labels}spec:\n  replicas: {{{{ .Values.replicas }}}}\n  selector:\n    matchLabels:\n      app: tiny\n  template:\n    metadata:\n      labels:\n        app: tiny\n    spec:\n      containers:\n      - name: app\n        image: nginx\n"
    );
    std::fs::write(chart.join("templates").join("all.yaml"), templates).expect("write the templates");
    chart
}

fn ready(message: &str) -> Value {
    json!([{"type": "Ready", "status": "True", "reason": "ReconciliationSucceeded", "message": message,
        "lastTransitionTime": "2026-11-24T12:00:00Z"}])
}

/// Sets up the shop: namespace, Helm release, Flux objects with their statuses.
fn shop(fleet: &Fleet) {
    fleet.kubectl(&["create", "namespace", "shop"]);
    let chart = write_chart(fleet);
    fleet.helm(&[
        "install",
        "tiny",
        path_str(&chart),
        "-n",
        "shop",
        "--set",
        "replicas=2",
        "--set",
        "auth.password=hunter2",
    ]);
    let labels =
        json!({"kustomize.toolkit.fluxcd.io/name": "shop", "kustomize.toolkit.fluxcd.io/namespace": "flux-system"});
    let objects = [
        json!({"apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository", "metadata": {"name": "shop", "namespace": "flux-system"},
            "spec": {"url": "https://example.com/shop.git", "interval": "1m", "ref": {"branch": "main"}}}),
        json!({"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization", "metadata": {"name": "shop", "namespace": "flux-system"},
            "spec": {"interval": "5m", "path": "./shop", "prune": true, "sourceRef": {"kind": "GitRepository", "name": "shop"}}}),
        json!({"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization", "metadata": {"name": "shop-infra", "namespace": "flux-system", "labels": labels},
            "spec": {"interval": "5m", "path": "./infra", "prune": true, "sourceRef": {"kind": "GitRepository", "name": "shop"}}}),
        json!({"apiVersion": "helm.toolkit.fluxcd.io/v2", "kind": "HelmRelease", "metadata": {"name": "tiny", "namespace": "shop", "labels": labels},
            "spec": {"interval": "5m", "chart": {"spec": {"chart": "tiny", "sourceRef": {"kind": "HelmRepository", "name": "shop", "namespace": "flux-system"}}},
                "values": {"replicas": 2, "auth": {"password": "hunter2"}},
                "valuesFrom": [{"kind": "ConfigMap", "name": "tiny-overrides", "targetPath": "replicas", "optional": true}]}}),
    ];
    fleet.apply("shop", &objects, &[]);
    let inventory = json!({"entries": [
        {"id": "_shop__Namespace", "v": "v1"},
        {"id": "shop_tiny_helm.toolkit.fluxcd.io_HelmRelease", "v": "v2"},
        {"id": "flux-system_shop-infra_kustomize.toolkit.fluxcd.io_Kustomization", "v": "v1"},
        {"id": "shop_ghost_apps_Deployment", "v": "v1"},
        {"id": "not-an-id", "v": "v1"},
        {"id": "shop_thing_example.com_Widget", "v": "v1"},
    ]});
    let statuses = [
        (
            "kustomization",
            "shop",
            "flux-system",
            json!({"observedGeneration": 1, "lastAppliedRevision": "main@sha1:1111111",
            "conditions": ready("Applied revision: main@sha1:1111111"), "inventory": inventory}),
        ),
        // shop-infra lists shop again: the tree must stop at the cycle.
        (
            "kustomization",
            "shop-infra",
            "flux-system",
            json!({"observedGeneration": 1, "conditions": ready("Applied revision: main@sha1:1111111"),
            "inventory": {"entries": [{"id": "flux-system_shop_kustomize.toolkit.fluxcd.io_Kustomization", "v": "v1"}]}}),
        ),
        (
            "helmrelease",
            "tiny",
            "shop",
            json!({"observedGeneration": 1, "conditions": ready("Helm install succeeded for release shop/tiny.v1 with chart tiny@0.1.0"),
            "history": [{"name": "tiny", "namespace": "shop", "version": 1, "status": "deployed", "chartName": "tiny", "chartVersion": "0.1.0",
                "appVersion": "1.0", "configDigest": "sha256:1234567890abcdef1234", "digest": "sha256:feed",
                "firstDeployed": "2026-11-24T11:00:00Z", "lastDeployed": "2026-11-24T11:00:00Z"}]}),
        ),
        (
            "gitrepository",
            "shop",
            "flux-system",
            json!({"observedGeneration": 1, "conditions": ready("stored artifact for revision 'main@sha1:2222222'"),
            "artifact": {"revision": "main@sha1:2222222", "path": "x", "url": "http://x", "digest": "sha256:abc", "lastUpdateTime": "2026-11-24T12:00:00Z"}}),
        ),
    ];
    for (kind, name, namespace, status) in statuses {
        let patch = json!({"status": status}).to_string();
        fleet.kubectl(&["patch", kind, name, "-n", namespace, "--subresource=status", "--type=merge", "-p", &patch]);
    }
}

fn fluxtui(fleet: &Fleet, args: &[&str]) -> std::process::Output {
    Command::new(fluxtui_binary!())
        .args(args)
        .arg("--kubeconfig")
        .arg(fleet.kubeconfig())
        .env("XDG_STATE_HOME", fleet.dir().join("xdg-state"))
        .output()
        .expect("run fluxtui")
}

#[test]
fn headless_tree_prints_what_flux_tree_prints_and_fails_on_a_missing_root() {
    let fleet = Fleet::start();
    shop(&fleet);
    let output = fluxtui(&fleet, &["tree", "ks", "shop", "-n", "flux-system"]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(
        stdout,
        "Kustomization/flux-system/shop\n\
         ├── Namespace/shop\n\
         ├── HelmRelease/shop/tiny\n\
         │   ├── Secret/shop/tiny-auth\n\
         │   ├── ConfigMap/shop/tiny-config\n\
         │   └── Deployment/shop/tiny\n\
         ├── Kustomization/flux-system/shop-infra\n\
         │   └── Kustomization/flux-system/shop (Invalid: cycle: Kustomization/flux-system/shop contains itself)\n\
         ├── Deployment/shop/ghost (NotFound: not found in the cluster)\n\
         ├── InventoryEntry/not-an-id (Invalid: malformed inventory entry \"not-an-id\": expected <namespace>_<name>_<group>_<kind>)\n\
         └── Widget/shop/thing (Unknown: the cluster does not serve Widget in example.com/v1)\n"
    );

    let output = fluxtui(&fleet, &["tree", "hr", "tiny", "-n", "shop", "-o", "json"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let tree: Value = serde_json::from_slice(&output.stdout).expect("JSON output");
    assert_eq!(tree["resource"]["GroupKind"]["Kind"], "HelmRelease");
    let children: Vec<&str> = tree["resources"]
        .as_array()
        .expect("children")
        .iter()
        .filter_map(|child| child["resource"]["Name"].as_str())
        .collect();
    // Helm's install order, as the release's manifest keeps it.
    assert_eq!(children, ["tiny-auth", "tiny-config", "tiny"]);

    // A HelmRelease whose release cannot be found falls back to its status.inventory, and says so.
    let orphan = json!({"apiVersion": "helm.toolkit.fluxcd.io/v2", "kind": "HelmRelease", "metadata": {"name": "orphan", "namespace": "shop"},
        "spec": {"interval": "5m", "chart": {"spec": {"chart": "tiny", "sourceRef": {"kind": "HelmRepository", "name": "shop", "namespace": "flux-system"}}}}});
    fleet.apply("orphan", &[orphan], &[]);
    let status =
        json!({"status": {"inventory": {"entries": [{"id": "shop_tiny-config__ConfigMap", "v": "v1"}]}}}).to_string();
    fleet.kubectl(&[
        "patch",
        "helmrelease",
        "orphan",
        "-n",
        "shop",
        "--subresource=status",
        "--type=merge",
        "-p",
        &status,
    ]);
    let output = fluxtui(&fleet, &["tree", "hr", "orphan", "-n", "shop"]);
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "HelmRelease/shop/orphan\n\
         ├── HelmReleaseStorage/orphan (Unknown: release orphan not found in namespace shop; the objects below come from status.inventory)\n\
         └── ConfigMap/shop/tiny-config\n"
    );

    let output = fluxtui(&fleet, &["tree", "ks", "nope", "-n", "flux-system"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("Kustomization flux-system/nope not found"));
}

/// Escape alone: a key right after it would read as alt-<key>.
fn escape(tmux: &Tmux) {
    tmux.send_keys(&["Escape"]);
    std::thread::sleep(std::time::Duration::from_millis(300));
}

#[test]
fn tree_trace_pods_and_helm_detail_in_the_tui() {
    let fleet = Fleet::start();
    shop(&fleet);
    let tmux = fluxtui_in_tmux(fleet.dir(), &["--kubeconfig", path_str(&fleet.kubeconfig())]);
    tmux.wait_for_text("Context:", STARTUP);
    tmux.type_text(":ks");
    tmux.send_keys(&["Enter"]);
    tmux.type_text("/shop");
    tmux.send_keys(&["Enter"]);
    tmux.wait_for("the shop row first", STEP, |screen| screen.contains("shop-infra"));
    tmux.send_keys(&["t"]);
    let screen = tmux.wait_for_text("Widget/shop/thing  Unknown", STEP);
    for expected in [
        "Tree Kustomization/flux-system/shop",
        "Namespace/shop  Ready",
        "▶ HelmRelease/shop/tiny  Ready",
        "Deployment/shop/ghost  NotFound",
        "InventoryEntry/not-an-id  Invalid  malformed inventory entry",
    ] {
        assert!(screen.contains(expected), "{expected:?} missing:\n{screen}");
    }

    // Open the HelmRelease: its release's objects, the Deployment with its pods ready.
    tmux.send_keys(&["j", "j", "right"]);
    tmux.wait_for_text("Deployment/shop/tiny  Ready  2/2 ready", STEP);
    tmux.send_keys(&["j", "j", "j", "p"]);
    let screen = tmux.wait_for("two running pods", STEP, |screen| {
        screen.contains("Pods of Deployment/shop/tiny[2] app=tiny") && screen.matches("Running").count() == 2
    });
    assert!(screen.contains("1/1"), "{screen}");
    // The list follows the pods: a third replica shows up and turns ready.
    fleet.kubectl(&["scale", "deployment", "tiny", "-n", "shop", "--replicas=3"]);
    tmux.wait_for("three running pods", STEP, |screen| {
        screen.contains("Pods of Deployment/shop/tiny[3]") && screen.matches("Running").count() == 3
    });
    // l follows the selected pod's own log (the sandbox's containers print JSON lines).
    tmux.send_keys(&["l"]);
    tmux.wait_for("the pod's log", STEP, |screen| {
        screen.contains("Logs pod shop/tiny-") && screen.contains("starting")
    });
    tmux.send_keys(&["Escape"]);
    tmux.wait_for_text("Pods of Deployment/shop/tiny[3]", STEP);

    // A pod traces through its ReplicaSet and Deployment to the HelmRelease and the Kustomization above it.
    tmux.send_keys(&["C-t"]);
    let screen = tmux.wait_for_text("Kustomization Kustomization/flux-system/shop", STEP);
    for expected in [
        "Owned by:",
        "Deployment/shop/tiny",
        "Managed by:         HelmRelease/shop/tiny",
        "HelmRelease   HelmRelease/shop/tiny",
        "behind: the source offers main@sha1:2222222",
    ] {
        assert!(screen.contains(expected), "{expected:?} missing:\n{screen}");
    }

    // Back to the tree: the Deployment scaled meanwhile, and its status followed (a watch, not a re-open).
    escape(&tmux);
    escape(&tmux);
    tmux.wait_for_text("Deployment/shop/tiny  Ready  3/3 ready", STEP);
    // The HelmRelease detail with values from the real release, masked until x.
    // The release's Secret, read live, with its data masked.
    tmux.send_keys(&["k", "k", "y"]);
    let screen = tmux.wait_for_text("YAML Secret/shop/tiny-auth", STEP);
    assert!(screen.contains("password: ••••••••") && !screen.contains("aHVudGVyMg=="), "{screen}");
    escape(&tmux);
    tmux.send_keys(&["k", "v"]);
    let screen = tmux.wait_for_text("Values applied (release tiny.v1", STEP);
    assert!(screen.contains("tiny@0.1.0") && screen.contains("password: ••••••••"), "{screen}");
    assert!(!screen.contains("hunter2"), "{screen}");
    assert!(
        screen.contains("ConfigMap tiny-overrides  key values.yaml  targetPath replicas  optional  not found"),
        "{screen}"
    );
    tmux.send_keys(&["x"]);
    tmux.wait_for_text("password: hunter2", STEP);

    // The tree follows the inventory: removing an entry re-reads it.
    escape(&tmux);
    let patch = json!({"status": {"inventory": {"entries": [{"id": "_shop__Namespace", "v": "v1"},
        {"id": "shop_tiny_helm.toolkit.fluxcd.io_HelmRelease", "v": "v2"}]}}})
    .to_string();
    fleet.kubectl(&[
        "patch",
        "kustomization",
        "shop",
        "-n",
        "flux-system",
        "--subresource=status",
        "--type=merge",
        "-p",
        &patch,
    ]);
    let screen = tmux.wait_for("the ghost gone", STEP, |screen| {
        !screen.contains("ghost") && screen.contains("HelmRelease/shop/tiny")
    });
    assert!(screen.contains("Deployment/shop/tiny"), "the opened HelmRelease stays open:\n{screen}");
    tmux.send_keys(&["q"]);
    assert_quits_cleanly(&tmux);
}
