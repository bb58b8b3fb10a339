//! HelmChart from a HelmRepository of `type: oci`: podinfo packaged and pushed by the real `helm` (`helm push
//! --plain-http`) to the testkit's docker-registry, pulled by the engine, and read back by `helm show chart`.
//! helm's registry state (`helm registry login`) lives in a temporary HOME, never in the user's. These tests
//! need the shared podinfo chart: they start with `shared_` and skip, saying so, when ../shared is absent.

use std::path::{Path, PathBuf};
use std::process::Command;

use base64::Engine;
use fluxtui::api::FluxKind;
use fluxtui_testkit::{HelmRepoFixture, Registry, assert_success, helm_binary};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::git_repository::reqwest_get;
use crate::support::{EngineCluster, assert_kstatus, condition, events_of, ready_is};

const USER: &str = "flux";
const PASSWORD: &str = "s3cret";

/// helm with every piece of its state (config, cache, registry logins) under one temporary directory.
struct HelmClient {
    home: tempfile::TempDir,
}

impl HelmClient {
    fn new() -> HelmClient {
        HelmClient { home: tempfile::tempdir().unwrap() }
    }

    fn run(&self, args: &[&str]) -> String {
        let binary = helm_binary().expect("helm is not installed: run scripts/test, or set FLUXTUI_HELM");
        let home = self.home.path();
        let output = Command::new(binary)
            .args(args)
            .env("HOME", home)
            .env("HELM_CACHE_HOME", home.join("cache"))
            .env("HELM_CONFIG_HOME", home.join("config"))
            .env("HELM_DATA_HOME", home.join("data"))
            .env("HELM_REGISTRY_CONFIG", home.join("registry.json"))
            .env_remove("DOCKER_CONFIG")
            .output()
            .expect("run helm");
        assert_success(&output, &format!("helm {}", args.join(" ")));
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// helm 3.17's `registry login` has no `--plain-http`; with `--insecure` it falls back to plain HTTP when the
    /// registry does not speak TLS. The login lands in this client's HELM_REGISTRY_CONFIG.
    fn login(&self, registry: &Registry) {
        self.run(&["registry", "login", &registry.host(), "--insecure", "--username", USER, "--password", PASSWORD]);
    }

    /// `helm push <package> oci://<registry>/charts --plain-http`.
    fn push(&self, package: &Path, registry: &Registry) {
        self.run(&["push", package.to_str().unwrap(), &registry.url("charts"), "--plain-http"]);
    }

    /// `helm show chart` of the bytes, as a user would read a downloaded artifact.
    fn show_chart(&self, bytes: &[u8]) -> String {
        let path = self.home.path().join("downloaded.tgz");
        std::fs::write(&path, bytes).unwrap();
        self.run(&["show", "chart", path.to_str().unwrap()])
    }
}

/// podinfo packaged as `version` by `helm package`; the fixture's directory must outlive the path.
fn packaged(version: &str) -> (HelmRepoFixture, PathBuf) {
    let fixture = HelmRepoFixture::podinfo(&[version]).expect("the shared podinfo chart");
    let path = fixture.repo_dir().join(format!("podinfo-{version}.tgz"));
    assert!(path.is_file(), "{}", path.display());
    (fixture, path)
}

fn oci_helm_repository(name: &str, url: &str, extra_spec: &str) -> String {
    format!(
        "apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata:\n  name: {name}\n  namespace: \
         default\nspec:\n  type: oci\n  url: {url}\n  insecure: true\n  interval: 1m\n{extra_spec}"
    )
}

/// A HelmChart with a long interval: within a test only a reconcile request moves it.
fn helm_chart(name: &str, chart: &str, repository: &str, version: &str) -> String {
    format!(
        "apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmChart\nmetadata:\n  name: {name}\n  namespace: \
         default\nspec:\n  chart: {chart}\n  version: \"{version}\"\n  interval: 1h\n  sourceRef:\n    kind: \
         HelmRepository\n    name: {repository}\n"
    )
}

fn revision(object: &Value) -> String {
    object["status"]["artifact"]["revision"].as_str().unwrap_or_default().to_string()
}

fn message(object: &Value) -> String {
    condition(object, "Ready").and_then(|c| c["message"].as_str()).unwrap_or_default().to_string()
}

fn skip_without_shared() -> bool {
    if fluxtui_testkit::shared_dir().is_none() {
        eprintln!("skipped: ../shared is absent (set FLUXTUI_SHARED), so the podinfo chart is not available");
        return true;
    }
    false
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shared_a_chart_from_an_oci_helm_repository_follows_the_registry() {
    if skip_without_shared() {
        return;
    }
    let registry = Registry::start();
    let helm = HelmClient::new();
    let mut packages = Vec::new();
    for version in ["6.0.0", "6.1.0", "6.2.0-rc.1"] {
        let (fixture, package) = packaged(version);
        helm.push(&package, &registry);
        packages.push((version, fixture, package));
    }
    let env = EngineCluster::start().await;
    env.apply("repo", &oci_helm_repository("podinfo", &registry.url("charts"), ""));
    env.apply("chart", &helm_chart("podinfo", "podinfo", "podinfo", "6.x"));
    env.apply("rc", &helm_chart("rc", "podinfo", "podinfo", "6.2.0-rc.1"));

    // 6.x is 6.1.0: the release candidate is left out, and the layer is stored byte for byte.
    let chart = env.wait_for(FluxKind::HelmChart, "podinfo", "Ready=True", |o| ready_is(o, "True")).await;
    assert_kstatus(&chart);
    assert_eq!(revision(&chart), "6.1.0");
    let ready = condition(&chart, "Ready").unwrap();
    assert_eq!(ready["reason"], "ChartPullSucceeded");
    assert_eq!(ready["message"], "pulled 'podinfo' chart with version '6.1.0'");
    assert_eq!(condition(&chart, "ArtifactInStorage").unwrap()["reason"], "ChartPullSucceeded");
    assert_eq!(chart["status"]["observedChartName"], "podinfo");
    assert!(chart["status"].get("observedSourceArtifactRevision").is_none(), "an OCI source has no artifact");
    let artifact = &chart["status"]["artifact"];
    assert_eq!(artifact["path"], "helmchart/default/podinfo/podinfo-6.1.0.tgz");
    assert_eq!(chart["status"]["url"], artifact["url"]);
    let package = reqwest_get(artifact["url"].as_str().unwrap()).await;
    assert_eq!(artifact["digest"], format!("sha256:{:x}", Sha256::digest(&package)));
    assert_eq!(package, std::fs::read(&packages[1].2).unwrap(), "the pushed package");
    let shown = helm.show_chart(&package);
    assert!(shown.contains("name: podinfo") && shown.contains("version: 6.1.0"), "{shown}");
    let events = events_of(&env.client, "podinfo").await;
    assert!(
        events.iter().any(|e| e["involvedObject"]["kind"] == "HelmChart"
            && e["reason"] == "ChartPullSucceeded"
            && e["message"] == "pulled 'podinfo' chart with version '6.1.0'"),
        "{events:#?}"
    );

    // An exact version is used as it is, prerelease or not.
    let rc = env.wait_for(FluxKind::HelmChart, "rc", "Ready=True", |o| ready_is(o, "True")).await;
    assert_kstatus(&rc);
    assert_eq!(revision(&rc), "6.2.0-rc.1");
    assert_eq!(message(&rc), "pulled 'podinfo' chart with version '6.2.0-rc.1'");

    // The repository stays static: no status, no finalizer.
    let repository = env.get(FluxKind::HelmRepository, "default", "podinfo").await.unwrap();
    assert!(repository["status"].as_object().is_none_or(|s| s.is_empty()), "{repository:#}");

    // A newly pushed version in the range is picked on the next reconcile.
    let (_fixture, newer) = packaged("6.1.5");
    helm.push(&newer, &registry);
    env.cluster.kubectl_success(&["annotate", "--overwrite", "helmchart/podinfo", "reconcile.fluxcd.io/requestedAt=1"]);
    let chart = env
        .wait_for(FluxKind::HelmChart, "podinfo", "Ready=True", |o| ready_is(o, "True") && revision(o) == "6.1.5")
        .await;
    assert_kstatus(&chart);
    assert_eq!(message(&chart), "pulled 'podinfo' chart with version '6.1.5'");
    assert_eq!(chart["status"]["artifact"]["path"], "helmchart/default/podinfo/podinfo-6.1.5.tgz");
    let package = reqwest_get(chart["status"]["artifact"]["url"].as_str().unwrap()).await;
    assert_eq!(chart["status"]["artifact"]["digest"], format!("sha256:{:x}", Sha256::digest(&package)));
    assert!(helm.show_chart(&package).contains("version: 6.1.5"));

    // Nothing new: another request keeps the stored artifact as it is.
    env.cluster.kubectl_success(&["annotate", "--overwrite", "helmchart/podinfo", "reconcile.fluxcd.io/requestedAt=2"]);
    let again = env
        .wait_for(FluxKind::HelmChart, "podinfo", "request 2 handled", |o| {
            o["status"]["lastHandledReconcileAt"] == "2" && ready_is(o, "True")
        })
        .await;
    assert_eq!(again["status"]["artifact"], chart["status"]["artifact"]);
    env.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shared_oci_chart_failures_show_flux_reasons_while_other_charts_stay_ready() {
    if skip_without_shared() {
        return;
    }
    let registry = Registry::start_with_basic_auth(USER, PASSWORD);
    let helm = HelmClient::new();
    helm.login(&registry);
    let (_fixture, package) = packaged("6.0.0");
    helm.push(&package, &registry);
    // A port nothing listens on: the registry is down.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();

    let env = EngineCluster::start().await;
    let auth = base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{PASSWORD}"));
    let config = format!(r#"{{"auths":{{"{}":{{"auth":"{auth}"}}}}}}"#, registry.host());
    env.apply(
        "pull-secret",
        &format!(
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: pull-secret\n  namespace: default\ntype: \
             kubernetes.io/dockerconfigjson\nstringData:\n  .dockerconfigjson: '{config}'\n"
        ),
    );
    env.apply(
        "wrong",
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: wrong\n  namespace: default\nstringData:\n  username: \
         flux\n  password: nope\n",
    );
    let url = registry.url("charts");
    env.apply("private", &oci_helm_repository("private", &url, "  secretRef:\n    name: pull-secret\n"));
    env.apply("denied", &oci_helm_repository("denied", &url, "  secretRef:\n    name: wrong\n"));
    env.apply("anonymous", &oci_helm_repository("anonymous", &url, ""));
    env.apply("down", &oci_helm_repository("down", &format!("oci://127.0.0.1:{closed}/charts"), ""));
    env.apply("good", &helm_chart("good", "podinfo", "private", "*"));
    env.apply("unknown", &helm_chart("unknown", "nope", "private", "*"));
    env.apply("no-match", &helm_chart("no-match", "podinfo", "private", ">=7.0.0"));
    env.apply("refused", &helm_chart("refused", "podinfo", "denied", "*"));
    env.apply("no-credentials", &helm_chart("no-credentials", "podinfo", "anonymous", "*"));
    env.apply("unreachable", &helm_chart("unreachable", "podinfo", "down", "*"));

    let failed = |reason: &'static str| {
        move |o: &Value| ready_is(o, "False") && condition(o, "Ready").unwrap()["reason"] == reason
    };
    let fetch_failed = |object: &Value, reason: &str| {
        let fetch = condition(object, "FetchFailed").expect("FetchFailed");
        assert_eq!((fetch["status"].as_str(), fetch["reason"].as_str()), (Some("True"), Some(reason)), "{object:#}");
    };

    // The dockerconfigjson secret logs in; the chart is pulled.
    let good = env.wait_for(FluxKind::HelmChart, "good", "Ready=True", |o| ready_is(o, "True")).await;
    assert_kstatus(&good);
    assert_eq!(revision(&good), "6.0.0");
    assert_eq!(message(&good), "pulled 'podinfo' chart with version '6.0.0'");

    // An unknown chart and a range nothing matches are invalid references: stalled, as Flux does.
    let unknown =
        env.wait_for(FluxKind::HelmChart, "unknown", "InvalidChartReference", failed("InvalidChartReference")).await;
    assert_kstatus(&unknown);
    fetch_failed(&unknown, "InvalidChartReference");
    assert_eq!(condition(&unknown, "Stalled").unwrap()["status"], "True");
    let text = message(&unknown);
    assert!(
        text.starts_with(
            "invalid chart reference: failed to get chart version for remote reference: failed to get tags for nope:"
        ) && text.contains("charts/nope"),
        "{text}"
    );
    let no_match =
        env.wait_for(FluxKind::HelmChart, "no-match", "InvalidChartReference", failed("InvalidChartReference")).await;
    assert_kstatus(&no_match);
    assert_eq!(
        message(&no_match),
        "invalid chart reference: failed to get chart version for remote reference: could not locate a version \
         matching provided version string >=7.0.0"
    );

    // Refused or missing credentials: AuthenticationFailed, retried.
    for name in ["refused", "no-credentials"] {
        let object =
            env.wait_for(FluxKind::HelmChart, name, "AuthenticationFailed", failed("AuthenticationFailed")).await;
        assert_kstatus(&object);
        fetch_failed(&object, "AuthenticationFailed");
        assert_eq!(condition(&object, "Reconciling").unwrap()["reason"], "ProgressingWithRetry", "{object:#}");
        assert!(
            message(&object).starts_with("failed to login to OCI registry: authentication failed for"),
            "{object:#}"
        );
    }
    let refused = env.get(FluxKind::HelmChart, "default", "refused").await.unwrap();
    assert!(message(&refused).contains("refused the credentials of 'flux'"), "{}", message(&refused));
    let anonymous = env.get(FluxKind::HelmChart, "default", "no-credentials").await.unwrap();
    assert!(message(&anonymous).contains("none are configured"), "{}", message(&anonymous));

    // A registry that is down: a pull error, retried.
    let unreachable =
        env.wait_for(FluxKind::HelmChart, "unreachable", "ChartPullError", failed("ChartPullError")).await;
    assert_kstatus(&unreachable);
    fetch_failed(&unreachable, "ChartPullError");
    assert!(message(&unreachable).contains("unable to reach the registry"), "{}", message(&unreachable));

    // The good chart stayed Ready through all of it; a fixed password recovers the refused one.
    let good = env.get(FluxKind::HelmChart, "default", "good").await.unwrap();
    assert!(ready_is(&good, "True"), "{good:#}");
    env.apply(
        "wrong",
        &format!(
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: wrong\n  namespace: default\nstringData:\n  username: \
             {USER}\n  password: {PASSWORD}\n"
        ),
    );
    env.cluster.kubectl_success(&[
        "annotate",
        "--overwrite",
        "helmchart/refused",
        "reconcile.fluxcd.io/requestedAt=fixed",
    ]);
    let recovered = env.wait_for(FluxKind::HelmChart, "refused", "recovery", |o| ready_is(o, "True")).await;
    assert_kstatus(&recovered);
    assert!(condition(&recovered, "FetchFailed").is_none());
    assert_eq!(revision(&recovered), "6.0.0");
    env.stop().await;
}
