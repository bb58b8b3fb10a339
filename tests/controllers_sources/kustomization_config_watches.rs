//! A Kustomization with a one-hour interval follows the ConfigMaps and Secrets it substitutes from when they carry
//! `reconcile.fluxcd.io/watch: Enabled`: a changed value is substituted into the applied object at once; a
//! change to an unlabelled one waits for the interval.

use std::time::Duration;

use fluxtui::api::FluxKind;
use fluxtui_testkit::{GitDaemon, GitRepos};

use crate::support::{EngineCluster, kustomization_yaml, ready_is};

const VARIABLES: &str = "apiVersion: v1
kind: ConfigMap
metadata:
  name: vars
  namespace: default
  labels:
    reconcile.fluxcd.io/watch: Enabled
data:
  env: one
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: unwatched
  namespace: default
data:
  other: x
---
apiVersion: v1
kind: Secret
metadata:
  name: secret-vars
  namespace: default
  labels:
    reconcile.fluxcd.io/watch: Enabled
stringData:
  token: a
";

const APP: &str = "apiVersion: v1
kind: ConfigMap
metadata:
  name: app
  namespace: default
data:
  env: ${env}
  other: ${other}
  token: ${token}
";

/// The Kustomization's own spec fields.
const SPEC: &str = "  postBuild:
    substituteFrom:
    - kind: ConfigMap
      name: vars
    - kind: ConfigMap
      name: unwatched
    - kind: Secret
      name: secret-vars
";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_watched_config_change_is_substituted_without_waiting_for_the_interval() {
    let env = EngineCluster::start().await;
    env.apply("variables", VARIABLES);
    let repos = GitRepos::new();
    let repo = repos.create("app");
    repo.commit(&[("deploy/app.yaml", APP)], "first");
    repo.push();
    let daemon = GitDaemon::start(&repos);
    env.apply_git_repository("app", &daemon.url(&repo), "1h");
    env.apply("ks", &kustomization_yaml("app", "./deploy", "1h", SPEC));
    env.wait_for(FluxKind::Kustomization, "app", "Ready=True", |o| ready_is(o, "True")).await;
    let app = ("v1", "ConfigMap", "configmaps");
    let data = |expected: [&'static str; 3]| {
        move |o: &serde_json::Value| {
            o["data"]["env"] == expected[0] && o["data"]["other"] == expected[1] && o["data"]["token"] == expected[2]
        }
    };
    env.wait_live(app, "default", "app", "the first substitution", data(["one", "x", "a"])).await;

    // Not labelled: no reconcile before the interval.
    env.cluster.kubectl_success(&["patch", "configmap/unwatched", "--type=merge", "-p", r#"{"data":{"other":"y"}}"#]);
    tokio::time::sleep(Duration::from_secs(3)).await;
    let unchanged = env.live("v1", "ConfigMap", "configmaps", "default", "app").await.expect("app");
    assert_eq!(unchanged["data"]["other"], "x", "an unlabelled ConfigMap does not wake the Kustomization");

    // Labelled: reconciled at once, and the reconcile reads every variable anew.
    env.cluster.kubectl_success(&["patch", "configmap/vars", "--type=merge", "-p", r#"{"data":{"env":"two"}}"#]);
    env.wait_live(app, "default", "app", "the watched ConfigMap's value", data(["two", "y", "a"])).await;
    env.cluster.kubectl_success(&[
        "patch",
        "secret/secret-vars",
        "--type=merge",
        "-p",
        r#"{"stringData":{"token":"b"}}"#,
    ]);
    env.wait_live(app, "default", "app", "the watched Secret's value", data(["two", "y", "b"])).await;
    env.stop().await;
}
