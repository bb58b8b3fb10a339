//! HelmRepository and HelmChart: the reconcilers end to end, from a chart repository on loopback (the testkit's
//! static server) or a Git server to stored artifacts and Flux's status, with the real `helm` reading what the
//! engine stored. Tests that need the shared podinfo chart start with `shared_` and skip, saying so, when
//! ../shared is absent.

use std::path::Path;
use std::time::Duration;

use fluxtui::api::FluxKind;
use fluxtui::controllers::helm_repository::reconcile::human_size;
use fluxtui_testkit::helm_repo::{copy_dir, helm};
use fluxtui_testkit::{GitDaemon, GitRepos, HelmRepoFixture, StaticHttpServer};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::git_repository::reqwest_get;
use crate::support::{EngineCluster, assert_kstatus, condition, events_of, ready_is};

fn helm_repository(name: &str, url: &str, extra_spec: &str) -> String {
    format!(
        "apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata:\n  name: {name}\n  namespace: default\nspec:\n  url: {url}\n  interval: 1s\n{extra_spec}"
    )
}

/// A HelmChart with a long interval, so that only its source's trigger can move it within a test.
fn helm_chart(name: &str, chart: &str, source_kind: &str, source: &str, extra_spec: &str) -> String {
    format!(
        "apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmChart\nmetadata:\n  name: {name}\n  namespace: default\nspec:\n  chart: {chart}\n  interval: 1h\n  sourceRef:\n    kind: {source_kind}\n    name: {source}\n{extra_spec}"
    )
}

fn secret(name: &str, username: &str, password: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: {name}\n  namespace: default\nstringData:\n  username: {username}\n  password: {password}\n"
    )
}

fn revision(object: &Value) -> String {
    object["status"]["artifact"]["revision"].as_str().unwrap_or_default().to_string()
}

fn ready_message(object: &Value) -> String {
    condition(object, "Ready").and_then(|c| c["message"].as_str()).unwrap_or_default().to_string()
}

fn sha256_hex(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

fn skip_without_shared() -> bool {
    if fluxtui_testkit::shared_dir().is_none() {
        eprintln!("skipped: ../shared is absent (set FLUXTUI_SHARED), so the podinfo chart is not available");
        return true;
    }
    false
}

/// Packages podinfo as `version` into the served directory and indexes it again, as a chart publisher does.
fn publish(repo_dir: &Path, version: &str) {
    let work = tempfile::tempdir().unwrap();
    let copy = work.path().join("podinfo");
    copy_dir(&HelmRepoFixture::podinfo_chart().unwrap(), &copy);
    let chart_yaml = std::fs::read_to_string(copy.join("Chart.yaml")).unwrap();
    let rewritten: String = chart_yaml
        .lines()
        .map(|line| if line.starts_with("version:") { format!("version: {version}\n") } else { format!("{line}\n") })
        .collect();
    std::fs::write(copy.join("Chart.yaml"), rewritten).unwrap();
    helm(work.path(), &["package", copy.to_str().unwrap(), "-d", repo_dir.to_str().unwrap()]);
    helm(work.path(), &["repo", "index", repo_dir.to_str().unwrap()]);
}

/// Writes a downloaded artifact to a file `helm` can read.
fn saved(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path.to_string_lossy().into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shared_a_chart_from_a_helm_repository_is_pulled_and_follows_new_versions() {
    if skip_without_shared() {
        return;
    }
    let repo = HelmRepoFixture::podinfo(&["6.0.0", "6.1.0", "6.2.0-rc.1"]).unwrap();
    let server = StaticHttpServer::start(&repo.repo_dir());
    let env = EngineCluster::start().await;
    env.apply("repo", &helm_repository("podinfo", &server.url(), ""));
    env.apply("chart", &helm_chart("podinfo", "podinfo", "HelmRepository", "podinfo", "  version: 6.x\n"));

    // The repository: the index's digest as revision, the index stored as JSON, Flux's messages.
    let object = env.wait_for(FluxKind::HelmRepository, "podinfo", "Ready=True", |o| ready_is(o, "True")).await;
    assert_kstatus(&object);
    let index_hex = sha256_hex(&std::fs::read(repo.repo_dir().join("index.yaml")).unwrap());
    let index_revision = format!("sha256:{index_hex}");
    assert_eq!(revision(&object), index_revision);
    let ready = condition(&object, "Ready").unwrap();
    assert_eq!(ready["reason"], "Succeeded");
    assert_eq!(ready["message"], format!("stored artifact: revision '{index_revision}'"));
    assert_eq!(condition(&object, "ArtifactInStorage").unwrap()["status"], "True");
    assert_eq!(object["metadata"]["finalizers"][0], "finalizers.fluxcd.io");
    let artifact = &object["status"]["artifact"];
    assert_eq!(artifact["path"], format!("helmrepository/default/podinfo/index-{index_hex}.yaml"));
    assert_eq!(object["status"]["url"], artifact["url"]);
    let index_body = reqwest_get(artifact["url"].as_str().unwrap()).await;
    assert_eq!(artifact["digest"], format!("sha256:{}", sha256_hex(&index_body)));
    let index: Value = serde_json::from_slice(&index_body).expect("the index artifact is JSON");
    assert_eq!(index["entries"]["podinfo"].as_array().map(Vec::len), Some(3));
    let events = events_of(&env.client, "podinfo").await;
    let size = human_size(artifact["size"].as_i64().unwrap());
    let expected = format!("stored fetched index of size {size} from '{}/'", server.url());
    assert!(
        events.iter().any(|e| e["involvedObject"]["kind"] == "HelmRepository"
            && e["reason"] == "NewArtifact"
            && e["message"] == expected.as_str()),
        "{expected}\n{events:#?}"
    );

    // The chart: 6.x is 6.1.0 (the release candidate is skipped), pulled byte for byte.
    let chart = env.wait_for(FluxKind::HelmChart, "podinfo", "Ready=True", |o| ready_is(o, "True")).await;
    assert_kstatus(&chart);
    assert_eq!(revision(&chart), "6.1.0");
    let ready = condition(&chart, "Ready").unwrap();
    assert_eq!(ready["reason"], "ChartPullSucceeded");
    assert_eq!(ready["message"], "pulled 'podinfo' chart with version '6.1.0'");
    assert_eq!(condition(&chart, "ArtifactInStorage").unwrap()["reason"], "ChartPullSucceeded");
    assert_eq!(chart["status"]["observedChartName"], "podinfo");
    assert_eq!(chart["status"]["observedSourceArtifactRevision"], index_revision.as_str());
    let artifact = &chart["status"]["artifact"];
    assert_eq!(artifact["path"], "helmchart/default/podinfo/podinfo-6.1.0.tgz");
    let package = reqwest_get(artifact["url"].as_str().unwrap()).await;
    assert_eq!(artifact["digest"], format!("sha256:{}", sha256_hex(&package)));
    assert_eq!(package, std::fs::read(repo.repo_dir().join("podinfo-6.1.0.tgz")).unwrap());
    let home = tempfile::tempdir().unwrap();
    let shown = helm(home.path(), &["show", "chart", &saved(home.path(), "pulled.tgz", &package)]);
    assert!(shown.contains("name: podinfo") && shown.contains("version: 6.1.0"), "{shown}");
    let events = events_of(&env.client, "podinfo").await;
    assert!(
        events.iter().any(|e| e["involvedObject"]["kind"] == "HelmChart"
            && e["reason"] == "ChartPullSucceeded"
            && e["metadata"]["annotations"]["source.toolkit.fluxcd.io/revision"] == "6.1.0"),
        "{events:#?}"
    );

    // A new version published: the repository's next fetch stores the new index, and that new artifact wakes
    // the chart (its own interval is an hour).
    publish(&repo.repo_dir(), "6.3.0");
    let chart = env.wait_for(FluxKind::HelmChart, "podinfo", "the new version", |o| revision(o) == "6.3.0").await;
    assert_kstatus(&chart);
    assert_eq!(ready_message(&chart), "pulled 'podinfo' chart with version '6.3.0'");
    let object = env.get(FluxKind::HelmRepository, "default", "podinfo").await.unwrap();
    assert_eq!(chart["status"]["observedSourceArtifactRevision"], object["status"]["artifact"]["revision"]);
    assert_kstatus(&object);
    env.stop().await;
}

/// The podinfo chart's files, as text, under `prefix` in a Git tree.
fn podinfo_files(prefix: &str) -> Vec<(String, String)> {
    fn visit(root: &Path, dir: &Path, prefix: &str, out: &mut Vec<(String, String)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                visit(root, &path, prefix, out);
            } else {
                let relative = path.strip_prefix(root).unwrap().to_string_lossy().into_owned();
                out.push((format!("{prefix}/{relative}"), std::fs::read_to_string(&path).unwrap()));
            }
        }
    }
    let root = HelmRepoFixture::podinfo_chart().unwrap();
    let mut files = Vec::new();
    visit(&root, &root, prefix, &mut files);
    files
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shared_a_chart_from_a_git_repository_is_packaged_with_values_files() {
    if skip_without_shared() {
        return;
    }
    let env = EngineCluster::start().await;
    let repos = GitRepos::new();
    let repo = repos.create("charts");
    let mut files = podinfo_files("charts/podinfo");
    files.push(("values/prod.yaml".into(), "replicaCount: 3\n".into()));
    let borrowed: Vec<(&str, &str)> = files.iter().map(|(p, c)| (p.as_str(), c.as_str())).collect();
    repo.commit(&borrowed, "podinfo");
    repo.push();
    let daemon = GitDaemon::start(&repos);
    env.apply(
        "git",
        &format!(
            "apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata:\n  name: charts\n  namespace: default\nspec:\n  url: {}\n  interval: 1s\n  ref:\n    branch: main\n",
            daemon.url(&repo)
        ),
    );
    let values = "  valuesFiles:\n  - charts/podinfo/values.yaml\n  - values/prod.yaml\n";
    env.apply("packaged", &helm_chart("packaged", "./charts/podinfo", "GitRepository", "charts", values));
    let lenient = "  ignoreMissingValuesFiles: true\n  valuesFiles:\n  - values/prod.yaml\n  - values/missing.yaml\n";
    env.apply("lenient", &helm_chart("lenient", "charts/podinfo", "GitRepository", "charts", lenient));

    // Version 6.14.1 with the generation as build metadata, the values merged into the package.
    let chart = env.wait_for(FluxKind::HelmChart, "packaged", "Ready=True", |o| ready_is(o, "True")).await;
    assert_kstatus(&chart);
    assert_eq!(revision(&chart), "6.14.1+1");
    let ready = condition(&chart, "Ready").unwrap();
    assert_eq!(ready["reason"], "ChartPackageSucceeded");
    assert_eq!(
        ready["message"],
        "packaged 'podinfo' chart with version '6.14.1+1' and merged values files [charts/podinfo/values.yaml values/prod.yaml]"
    );
    assert!(chart["status"]["observedValuesFiles"].is_null(), "only recorded with ignoreMissingValuesFiles");
    let git = env.get(FluxKind::GitRepository, "default", "charts").await.unwrap();
    assert_eq!(chart["status"]["observedSourceArtifactRevision"], git["status"]["artifact"]["revision"]);
    let artifact = &chart["status"]["artifact"];
    assert_eq!(artifact["path"], "helmchart/default/packaged/podinfo-6.14.1+1.tgz");
    let package = reqwest_get(artifact["url"].as_str().unwrap()).await;
    assert_eq!(artifact["digest"], format!("sha256:{}", sha256_hex(&package)));
    let home = tempfile::tempdir().unwrap();
    let file = saved(home.path(), "packaged.tgz", &package);
    let shown = helm(home.path(), &["show", "chart", &file]);
    assert!(shown.contains("version: 6.14.1+1"), "{shown}");
    let values = helm(home.path(), &["show", "values", &file]);
    assert!(values.contains("replicaCount: 3"), "{values}");

    // A missing file is skipped when allowed, and the files used are recorded.
    let lenient = env.wait_for(FluxKind::HelmChart, "lenient", "Ready=True", |o| ready_is(o, "True")).await;
    assert_kstatus(&lenient);
    assert_eq!(lenient["status"]["observedValuesFiles"], serde_json::json!(["values/prod.yaml"]));

    // A new chart version in Git: the GitRepository's new artifact wakes the charts.
    let chart_yaml =
        files.iter().find(|(p, _)| p == "charts/podinfo/Chart.yaml").unwrap().1.replace("6.14.1", "6.15.0");
    repo.commit(&[("charts/podinfo/Chart.yaml", &chart_yaml)], "bump podinfo");
    repo.push();
    let chart = env.wait_for(FluxKind::HelmChart, "packaged", "the new version", |o| revision(o) == "6.15.0+1").await;
    assert_kstatus(&chart);
    let git = env.get(FluxKind::GitRepository, "default", "charts").await.unwrap();
    assert_eq!(chart["status"]["observedSourceArtifactRevision"], git["status"]["artifact"]["revision"]);
    env.stop().await;
}

/// A minimal chart package (`<name>/Chart.yaml`, `values.yaml`, one template), gzip'ed tar as `helm package`
/// writes one.
fn tiny_chart(name: &str, version: &str) -> Vec<u8> {
    let chart = format!("apiVersion: v2\nname: {name}\nversion: {version}\n");
    let paths = [format!("{name}/Chart.yaml"), format!("{name}/values.yaml"), format!("{name}/templates/cm.yaml")];
    fluxtui_testkit::tar_gz(&[
        (&paths[0], &chart),
        (&paths[1], "greeting: hello\n"),
        (&paths[2], "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n"),
    ])
}

/// A directory served as a chart repository holding `app` 1.0.0.
fn app_repository() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let package = tiny_chart("app", "1.0.0");
    let index = format!(
        "apiVersion: v1\nentries:\n  app:\n  - name: app\n    version: 1.0.0\n    apiVersion: v2\n    urls: [app-1.0.0.tgz]\n    digest: {}\n",
        sha256_hex(&package)
    );
    std::fs::write(dir.path().join("app-1.0.0.tgz"), package).unwrap();
    std::fs::write(dir.path().join("index.yaml"), index).unwrap();
    dir
}

fn failed_with(reason: &'static str) -> impl Fn(&Value) -> bool {
    move |o: &Value| ready_is(o, "False") && condition(o, "Ready").is_some_and(|c| c["reason"] == reason)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn helm_failures_show_flux_reasons_and_other_objects_stay_ready() {
    let env = EngineCluster::start().await;
    let dir = app_repository();
    let protected = StaticHttpServer::start_with_basic_auth(dir.path(), "flux", "s3cret");
    let public = StaticHttpServer::start(dir.path());
    env.apply("right", &secret("right", "flux", "s3cret"));
    env.apply("wrong", &secret("wrong", "flux", "nope"));
    let with_secret = |name: &str| format!("  secretRef:\n    name: {name}\n");
    env.apply("denied", &helm_repository("denied", &protected.url(), &with_secret("wrong")));
    env.apply("private", &helm_repository("private", &protected.url(), &with_secret("right")));
    env.apply("public", &helm_repository("public", &public.url(), ""));
    let from = |name: &str, chart: &str, source: &str, version: &str| {
        helm_chart(name, chart, "HelmRepository", source, &format!("  version: \"{version}\"\n"))
    };
    env.apply("good", &from("good", "app", "private", "1.x"));
    env.apply("unknown-chart", &from("unknown-chart", "nope", "public", "*"));
    env.apply("no-match", &from("no-match", "app", "public", ">=2.0.0"));
    env.apply("bad-range", &from("bad-range", "app", "public", "not-a-range"));
    env.apply("missing-source", &from("missing-source", "app", "absent", "*"));
    env.apply("no-artifact", &from("no-artifact", "app", "denied", "*"));

    // A refused password: AuthenticationFailed on FetchFailed and Ready, retried.
    let denied = env
        .wait_for(FluxKind::HelmRepository, "denied", "AuthenticationFailed", failed_with("AuthenticationFailed"))
        .await;
    assert_kstatus(&denied);
    assert_eq!(condition(&denied, "FetchFailed").unwrap()["reason"], "AuthenticationFailed");
    assert!(ready_message(&denied).ends_with("/index.yaml : 401 Unauthorized"), "{}", ready_message(&denied));
    assert_eq!(condition(&denied, "Reconciling").unwrap()["reason"], "ProgressingWithRetry");
    assert!(denied["status"]["artifact"].is_null());

    // The right password: the index and then the chart are fetched with it.
    let good = env.wait_for(FluxKind::HelmChart, "good", "Ready=True", |o| ready_is(o, "True")).await;
    assert_kstatus(&good);
    assert_eq!(revision(&good), "1.0.0");
    assert_eq!(ready_message(&good), "pulled 'app' chart with version '1.0.0'");
    assert!(protected.requests().iter().any(|r| r.path == "/app-1.0.0.tgz" && r.status == 200));
    for name in ["private", "public"] {
        let object = env.wait_for(FluxKind::HelmRepository, name, "Ready=True", |o| ready_is(o, "True")).await;
        assert_kstatus(&object);
    }

    // A wrong chart reference stalls: only a spec change helps.
    let stalled = |o: &Value| condition(o, "Stalled").is_some_and(|c| c["status"] == "True");
    for (name, message) in [
        (
            "unknown-chart",
            "invalid chart reference: failed to get chart version for remote reference: no chart name found",
        ),
        (
            "no-match",
            "invalid chart reference: failed to get chart version for remote reference: no 'app' chart with version matching '>=2.0.0' found",
        ),
        (
            "bad-range",
            "invalid chart reference: failed to get chart version for remote reference: improper constraint: not-a-range",
        ),
    ] {
        let chart = env.wait_for(FluxKind::HelmChart, name, "Stalled", stalled).await;
        assert_kstatus(&chart);
        let ready = condition(&chart, "Ready").unwrap();
        assert_eq!(
            (ready["status"].as_str(), ready["reason"].as_str()),
            (Some("False"), Some("InvalidChartReference"))
        );
        assert_eq!(ready["message"], message);
        assert_eq!(condition(&chart, "FetchFailed").unwrap()["reason"], "InvalidChartReference");
        assert_eq!(chart["status"]["observedGeneration"], chart["metadata"]["generation"]);
    }

    // A missing source and a source without artifact are retried.
    let missing = env
        .wait_for(FluxKind::HelmChart, "missing-source", "SourceUnavailable", failed_with("SourceUnavailable"))
        .await;
    assert_kstatus(&missing);
    let message = ready_message(&missing);
    assert!(message.starts_with("failed to get source: ") && message.contains("\"absent\" not found"), "{message}");
    let waiting =
        env.wait_for(FluxKind::HelmChart, "no-artifact", "NoSourceArtifact", failed_with("NoSourceArtifact")).await;
    assert_kstatus(&waiting);
    assert_eq!(ready_message(&waiting), "no artifact available for HelmRepository source 'denied'");
    let events = events_of(&env.client, "no-artifact").await;
    assert!(events.iter().any(|e| e["type"] == "Warning" && e["reason"] == "NoSourceArtifact"), "{events:#?}");

    // Fixing the password: the repository recovers, and its first artifact wakes the waiting chart.
    env.apply("wrong", &secret("wrong", "flux", "s3cret"));
    let recovered = env.wait_for(FluxKind::HelmRepository, "denied", "recovery", |o| ready_is(o, "True")).await;
    assert_kstatus(&recovered);
    assert!(condition(&recovered, "FetchFailed").is_none());
    let chart = env.wait_for(FluxKind::HelmChart, "no-artifact", "recovery", |o| ready_is(o, "True")).await;
    assert_kstatus(&chart);
    assert!(condition(&chart, "FetchFailed").is_none());
    env.stop().await;
}

fn no_finalizers(object: &Value) -> bool {
    object["metadata"]["finalizers"].as_array().is_none_or(Vec::is_empty)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_helm_repository_of_type_oci_is_static() {
    let env = EngineCluster::start().await;
    let dir = app_repository();
    let server = StaticHttpServer::start(dir.path());
    let oci = "  type: oci\n";
    env.apply("static", &helm_repository("static", "oci://ghcr.io/stefanprodan/charts", oci));
    env.apply("converted", &helm_repository("converted", &server.url(), ""));
    let before = env.wait_for(FluxKind::HelmRepository, "converted", "Ready=True", |o| ready_is(o, "True")).await;
    let stored =
        env.cluster.dir().join("engine/artifacts").join(before["status"]["artifact"]["path"].as_str().unwrap());
    assert!(stored.is_file(), "{}", stored.display());

    // Turned into an OCI repository: the artifact, the finalizer and the whole status go.
    env.apply("converted", &helm_repository("converted", "oci://ghcr.io/stefanprodan/charts", oci));
    let after = env
        .wait_for(FluxKind::HelmRepository, "converted", "no status and no finalizer", |o| {
            o["status"].as_object().is_none_or(|s| s.is_empty()) && no_finalizers(o)
        })
        .await;
    assert!(after["status"]["conditions"].is_null());
    assert!(!stored.exists(), "the index artifact is removed");

    // One created as OCI never gets either (it was reconciled before the conversion above was).
    tokio::time::sleep(Duration::from_secs(1)).await;
    let object = env.get(FluxKind::HelmRepository, "default", "static").await.unwrap();
    assert!(object["status"].as_object().is_none_or(|s| s.is_empty()), "{object:#}");
    assert!(no_finalizers(&object), "{object:#}");

    // Deleting it needs nothing from the engine.
    env.cluster.kubectl_success(&["delete", "helmrepository/static", "--wait=true", "--timeout=30s"]);
    assert!(env.get(FluxKind::HelmRepository, "default", "static").await.is_none());
    env.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shared_a_chart_from_a_bucket_is_packaged_and_follows_the_bucket() {
    if skip_without_shared() {
        return;
    }
    let env = EngineCluster::start().await;
    let s3 = fluxtui_testkit::S3Server::start();
    s3.create_bucket("charts");
    let files = podinfo_files("podinfo");
    let objects: Vec<(&str, &[u8])> = files.iter().map(|(p, c)| (p.as_str(), c.as_bytes())).collect();
    s3.put_objects("charts", &objects);
    env.apply(
        "credentials",
        &format!(
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s3\n  namespace: default\nstringData:\n  accesskey: {}\n  secretkey: {}\n",
            s3.access_key(),
            s3.secret_key()
        ),
    );
    env.apply(
        "bucket",
        &format!(
            "apiVersion: source.toolkit.fluxcd.io/v1\nkind: Bucket\nmetadata:\n  name: charts\n  namespace: default\nspec:\n  endpoint: \"{}\"\n  bucketName: charts\n  insecure: true\n  interval: 1s\n  secretRef:\n    name: s3\n",
            s3.endpoint()
        ),
    );
    env.apply("from-bucket", &helm_chart("from-bucket", "./podinfo", "Bucket", "charts", ""));
    let chart = env.wait_for(FluxKind::HelmChart, "from-bucket", "Ready=True", |o| ready_is(o, "True")).await;
    assert_kstatus(&chart);
    assert_eq!(revision(&chart), "6.14.1");
    assert_eq!(ready_message(&chart), "packaged 'podinfo' chart with version '6.14.1'");
    let bucket = env.get(FluxKind::Bucket, "default", "charts").await.unwrap();
    assert_eq!(chart["status"]["observedSourceArtifactRevision"], bucket["status"]["artifact"]["revision"]);
    let package = reqwest_get(chart["status"]["artifact"]["url"].as_str().unwrap()).await;
    let home = tempfile::tempdir().unwrap();
    let shown = helm(home.path(), &["show", "chart", &saved(home.path(), "from-bucket.tgz", &package)]);
    assert!(shown.contains("name: podinfo") && shown.contains("version: 6.14.1"), "{shown}");

    // A new chart version uploaded: the Bucket's new artifact wakes the chart.
    let chart_yaml = files.iter().find(|(p, _)| p == "podinfo/Chart.yaml").unwrap().1.replace("6.14.1", "6.16.0");
    s3.put_object("charts", "podinfo/Chart.yaml", chart_yaml.as_bytes());
    let chart = env.wait_for(FluxKind::HelmChart, "from-bucket", "the new version", |o| revision(o) == "6.16.0").await;
    assert_kstatus(&chart);
    env.stop().await;
}
