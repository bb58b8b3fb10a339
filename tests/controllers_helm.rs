//! The Helm source stages against a real chart repository on loopback (the testkit's static server), with the
//! real `helm` as the oracle: it packages and indexes the charts served, picks versions for the same ranges,
//! and reads and renders what the engine produced.
//!
//! Tests that need the shared podinfo chart start with `shared_` and skip, saying so, when ../shared is absent.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use fluxtui::controllers::helm_chart::{
    BuiltChart, ChartBuildError, ChartPullRequest, ChartSourceKind, DEFAULT_MAX_CHART_SIZE, LocalChartRequest,
    VersionInputs, build_local_chart, pull_chart, version_metadata,
};
use fluxtui::controllers::helm_repository::{
    FetchedIndex, HelmAuth, HelmClient, HelmIndex, IndexError, IndexRequest, fetch_index,
};
use fluxtui_testkit::helm_repo::{copy_dir, helm};
use fluxtui_testkit::{HelmRepoFixture, StaticHttpServer};
use sha2::{Digest, Sha256};

const USER: &str = "flux";
const PASSWORD: &str = "s3cret";
const VERSIONS: [&str; 3] = ["6.0.0", "6.1.0", "6.2.0-rc.1"];

const HANDWRITTEN_INDEX: &str =
    "apiVersion: v1\nentries:\n  app:\n  - name: app\n    version: 1.0.0\n    urls: [app-1.0.0.tgz]\n";

fn basic() -> HelmAuth {
    HelmAuth::Basic { username: USER.to_string(), password: PASSWORD.to_string() }
}

fn podinfo_repo() -> Option<HelmRepoFixture> {
    let fixture = HelmRepoFixture::podinfo(&VERSIONS);
    if fixture.is_none() {
        eprintln!("skipped: ../shared is absent (set FLUXTUI_SHARED), so the podinfo chart is not available");
    }
    fixture
}

async fn fetch(url: &str, auth: HelmAuth) -> Result<FetchedIndex, IndexError> {
    fetch_index(&HelmClient::new(), &IndexRequest { auth, ..IndexRequest::new(url) }).await
}

fn hex_sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

fn pull_request<'a>(index: &'a HelmIndex, url: &'a str, version: &'a str) -> ChartPullRequest<'a> {
    ChartPullRequest {
        index,
        repository_url: url,
        chart: "podinfo",
        version,
        auth: &HelmAuth::None,
        pass_credentials: false,
        timeout: Duration::from_secs(30),
        max_size: DEFAULT_MAX_CHART_SIZE,
        values_files: &[],
        ignore_missing_values_files: false,
        version_metadata: None,
    }
}

/// `helm template` of a chart (directory or package), with extra arguments; the random suffixes podinfo's test
/// pods get (`randAlphaNum 5`) are masked so two renders compare.
fn template(home: &Path, chart: &Path, extra: &[&str]) -> String {
    let mut args = vec!["template", "release", chart.to_str().expect("UTF-8 path"), "--namespace", "apps"];
    args.extend_from_slice(extra);
    let random = regex::Regex::new(r"-test-[a-z0-9]{5}\b").unwrap();
    random.replace_all(&helm(home, &args), "-test-RANDOM").into_owned()
}

#[tokio::test]
async fn index_fetch_records_the_digest_of_the_downloaded_bytes() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("index.yaml"), HANDWRITTEN_INDEX).unwrap();
    let server = StaticHttpServer::start(dir.path());
    let fetched = fetch(&server.url(), HelmAuth::None).await.expect("fetch the index");
    let hex = hex_sha256(HANDWRITTEN_INDEX.as_bytes());
    assert_eq!(fetched.revision, format!("sha256:{hex}"));
    assert_eq!(fetched.file_name, format!("index-{hex}.yaml"));
    let json: serde_json::Value = serde_json::from_slice(&fetched.json).expect("the artifact is JSON");
    assert_eq!(json["entries"]["app"][0]["version"], "1.0.0");
    assert_eq!(HelmIndex::from_bytes(&fetched.json).unwrap(), fetched.index);
    assert_eq!(server.requests()[0].path, "/index.yaml");
}

#[tokio::test]
async fn credentials_are_checked_by_the_server() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("index.yaml"), HANDWRITTEN_INDEX).unwrap();
    let server = StaticHttpServer::start_with_basic_auth(dir.path(), USER, PASSWORD);
    fetch(&server.url(), basic()).await.expect("the right password is accepted");

    let wrong = HelmAuth::Basic { username: USER.to_string(), password: "wrong".to_string() };
    for auth in [wrong, HelmAuth::None] {
        let error = fetch(&server.url(), auth).await.expect_err("refused");
        assert_eq!(error.reason(), "AuthenticationFailed");
        assert!(!error.is_terminal());
        assert_eq!(
            error.to_string(),
            format!(
                "failed to fetch Helm repository index: failed to fetch {}/index.yaml : 401 Unauthorized",
                server.url()
            )
        );
    }
    let half = BTreeMap::from([("username".to_string(), USER.as_bytes().to_vec())]);
    let error = IndexError::from(HelmAuth::from_secret_data(&half).unwrap_err());
    assert_eq!(error.reason(), "AuthenticationFailed");
}

#[tokio::test]
async fn failures_are_classified() {
    let empty = tempfile::tempdir().unwrap();
    let server = StaticHttpServer::start(empty.path());
    let missing = fetch(&server.url(), HelmAuth::None).await.unwrap_err();
    assert_eq!(missing.reason(), "Failed");
    assert!(missing.to_string().ends_with("/index.yaml : 404 Not Found"), "{missing}");

    for (broken, detail) in [("apiVersion: v1\nentries: [\n", ""), ("entries: {}\n", "no API version specified")] {
        std::fs::write(empty.path().join("index.yaml"), broken).unwrap();
        let error = fetch(&server.url(), HelmAuth::None).await.unwrap_err();
        assert_eq!(error.reason(), "IndexationFailed", "{error}");
        assert!(error.to_string().starts_with("failed to load Helm repository from index YAML: "), "{error}");
        assert!(error.to_string().ends_with(detail), "{error}");
    }

    let invalid = fetch("oci://ghcr.io/charts", HelmAuth::None).await.unwrap_err();
    assert_eq!((invalid.reason(), invalid.is_terminal()), ("URLInvalid", true));

    // A port nobody listens on, and one that accepts but never answers.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let unreachable = fetch(&format!("http://{closed}"), HelmAuth::None).await.unwrap_err();
    assert_eq!(unreachable.reason(), "Failed");
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let request = IndexRequest {
        timeout: Duration::from_millis(300),
        ..IndexRequest::new(format!("http://{}", silent.local_addr().unwrap()))
    };
    let timed_out = fetch_index(&HelmClient::new(), &request).await.unwrap_err();
    assert!(timed_out.to_string().contains("no answer within"), "{timed_out}");

    std::fs::write(empty.path().join("index.yaml"), HANDWRITTEN_INDEX).unwrap();
    let small = IndexRequest { max_size: 16, ..IndexRequest::new(server.url()) };
    let too_large = fetch_index(&HelmClient::new(), &small).await.unwrap_err();
    assert!(too_large.to_string().contains("exceeds the maximum size of 16 bytes"), "{too_large}");
}

#[tokio::test]
async fn shared_semver_ranges_pick_what_helm_picks() {
    let Some(repo) = podinfo_repo() else { return };
    let server = StaticHttpServer::start(&repo.repo_dir());
    let fetched = fetch(&server.url(), HelmAuth::None).await.expect("fetch the index helm made");
    let index_bytes = std::fs::read(repo.repo_dir().join("index.yaml")).unwrap();
    assert_eq!(fetched.revision, format!("sha256:{}", hex_sha256(&index_bytes)));

    let home = tempfile::tempdir().unwrap();
    for (range, expected) in
        [(">=6.0.0 <6.2.0", "6.1.0"), ("6.x", "6.1.0"), ("*", "6.1.0"), (">=6.2.0-0", "6.2.0-rc.1"), ("~6.0", "6.0.0")]
    {
        let ours = fetched.index.chart_version("podinfo", range).expect(range);
        assert_eq!(ours.version, expected, "{range}");
        let pulled = home.path().join(range.replace([' ', '*', '<', '>', '=', '~'], "_"));
        std::fs::create_dir_all(&pulled).unwrap();
        helm(
            home.path(),
            &["pull", "podinfo", "--repo", &server.url(), "--version", range, "-d", pulled.to_str().unwrap()],
        );
        let helm_file = std::fs::read_dir(&pulled).unwrap().next().unwrap().unwrap().file_name();
        assert_eq!(helm_file.to_string_lossy(), format!("podinfo-{expected}.tgz"), "helm's pick for {range}");
    }
    let none = fetched.index.chart_version("podinfo", ">=7.0.0").unwrap_err();
    assert_eq!(none.to_string(), "no 'podinfo' chart with version matching '>=7.0.0' found");

    let output = tempfile::tempdir().unwrap();
    let url = server.url();
    let request = ChartPullRequest { chart: "nginx", ..pull_request(&fetched.index, &url, "*") };
    let unknown = pull_chart(&HelmClient::new(), &request, output.path()).await.unwrap_err();
    assert_eq!(
        unknown.to_string(),
        "invalid chart reference: failed to get chart version for remote reference: no chart name found"
    );
    assert_eq!((unknown.reason(), unknown.is_terminal()), ("InvalidChartReference", true));
}

#[tokio::test]
async fn shared_pulled_charts_are_what_helm_reads() {
    let Some(repo) = podinfo_repo() else { return };
    let server = StaticHttpServer::start_with_basic_auth(&repo.repo_dir(), USER, PASSWORD);
    let fetched = fetch(&server.url(), basic()).await.unwrap();
    let output = tempfile::tempdir().unwrap();
    let url = server.url();
    let auth = basic();
    let request = ChartPullRequest { auth: &auth, ..pull_request(&fetched.index, &url, "6.0.x") };
    let built = pull_chart(&HelmClient::new(), &request, output.path()).await.expect("pull podinfo");
    assert_eq!((built.name.as_str(), built.version.as_str(), built.packaged), ("podinfo", "6.0.0", false));
    assert_eq!(built.file_name(), "podinfo-6.0.0.tgz");
    assert_eq!(std::fs::read(&built.path).unwrap(), std::fs::read(repo.repo_dir().join("podinfo-6.0.0.tgz")).unwrap());
    let shown = helm(output.path(), &["show", "chart", built.path.to_str().unwrap()]);
    assert!(shown.contains("name: podinfo") && shown.contains("version: 6.0.0"), "{shown}");

    let no_auth = pull_request(&fetched.index, &url, "6.0.x");
    let refused = pull_chart(&HelmClient::new(), &no_auth, output.path()).await.unwrap_err();
    assert_eq!(refused.reason(), "ChartPullError");
    assert!(refused.to_string().ends_with("podinfo-6.0.0.tgz : 401 Unauthorized"), "{refused}");
}

#[tokio::test]
async fn shared_credentials_go_only_to_the_repository_host() {
    let Some(repo) = podinfo_repo() else { return };
    // The charts live on another server (another port is another host for Helm's rule).
    let charts = StaticHttpServer::start(&repo.repo_dir());
    repo.reindex_with_base_url(&charts.url());
    let index_server = StaticHttpServer::start_with_basic_auth(&repo.repo_dir(), USER, PASSWORD);
    let fetched = fetch(&index_server.url(), basic()).await.unwrap();
    let output = tempfile::tempdir().unwrap();
    let (url, auth) = (index_server.url(), basic());
    for pass_credentials in [false, true] {
        let request = ChartPullRequest { auth: &auth, pass_credentials, ..pull_request(&fetched.index, &url, "6.1.0") };
        pull_chart(&HelmClient::new(), &request, output.path()).await.expect("pull from the chart host");
        let last = charts.requests().pop().expect("the chart host was asked");
        assert_eq!(last.path, "/podinfo-6.1.0.tgz");
        assert_eq!(last.had_credentials, pass_credentials, "passCredentials={pass_credentials}");
    }
}

#[tokio::test]
async fn shared_values_files_are_merged_into_a_repository_chart() {
    let Some(repo) = podinfo_repo() else { return };
    let server = StaticHttpServer::start(&repo.repo_dir());
    let fetched = fetch(&server.url(), HelmAuth::None).await.unwrap();
    let output = tempfile::tempdir().unwrap();
    let url = server.url();
    let values_files = ["values.yaml".to_string(), "values-prod.yaml".to_string()];
    let metadata = version_metadata(&VersionInputs {
        source_kind: ChartSourceKind::HelmRepository,
        reconcile_strategy: "ChartVersion",
        source_revision: &fetched.revision,
        has_values_files: true,
        generation: 4,
    });
    let request = ChartPullRequest {
        values_files: &values_files,
        version_metadata: metadata.as_deref(),
        ..pull_request(&fetched.index, &url, "6.1.0")
    };
    let built = pull_chart(&HelmClient::new(), &request, output.path()).await.expect("pull and merge");
    assert_eq!((built.version.as_str(), built.packaged), ("6.1.0+4", true));
    assert_eq!(built.file_name(), "podinfo-6.1.0+4.tgz");
    assert_eq!(built.values_files, values_files);
    let shown = helm(output.path(), &["show", "chart", built.path.to_str().unwrap()]);
    assert!(shown.contains("version: 6.1.0+4"), "{shown}");
    let prod = HelmRepoFixture::podinfo_chart().unwrap().join("values-prod.yaml");
    let original = repo.repo_dir().join("podinfo-6.1.0.tgz");
    assert_eq!(
        template(output.path(), &built.path, &[]).replace("6.1.0+4", "6.1.0").replace("6.1.0_4", "6.1.0"),
        template(output.path(), &original, &["-f", prod.to_str().unwrap()]),
        "the merged defaults render as helm renders the chart with -f values-prod.yaml"
    );
}

/// A source tree holding a copy of the shared podinfo chart at `charts/podinfo`, with files its .helmignore
/// (and Helm's default rule) leave out.
fn podinfo_source() -> Option<tempfile::TempDir> {
    let chart = HelmRepoFixture::podinfo_chart();
    if chart.is_none() {
        eprintln!("skipped: ../shared is absent (set FLUXTUI_SHARED), so the podinfo chart is not available");
    }
    let source = tempfile::tempdir().unwrap();
    let copy = source.path().join("charts/podinfo");
    copy_dir(&chart?, &copy);
    std::fs::write(copy.join("notes.bak"), "ignored by *.bak\n").unwrap();
    std::fs::create_dir_all(copy.join(".git")).unwrap();
    std::fs::write(copy.join(".git/HEAD"), "ignored by .git/\n").unwrap();
    std::fs::write(copy.join("templates/.scratch.yaml"), "kind: Ignored\n").unwrap();
    Some(source)
}

fn local_request<'a>(source: &'a Path, values_files: &'a [String]) -> LocalChartRequest<'a> {
    LocalChartRequest {
        source_dir: source,
        chart_path: "./charts/podinfo",
        values_files,
        ignore_missing_values_files: false,
        version_metadata: None,
    }
}

fn package_entries(built: &BuiltChart) -> Vec<String> {
    let bytes = std::fs::read(&built.path).unwrap();
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(bytes.as_slice()));
    archive.entries().unwrap().map(|e| e.unwrap().path().unwrap().to_string_lossy().into_owned()).collect()
}

#[test]
fn shared_packaging_a_directory_renders_as_the_original() {
    let Some(source) = podinfo_source() else { return };
    let output = tempfile::tempdir().unwrap();
    let built = build_local_chart(&local_request(source.path(), &[]), output.path()).expect("package podinfo");
    assert_eq!((built.file_name().as_str(), built.packaged), ("podinfo-6.14.1.tgz", true));
    let entries = package_entries(&built);
    assert_eq!(entries[0], "podinfo/Chart.yaml");
    assert!(entries.iter().all(|e| e.starts_with("podinfo/")), "{entries:?}");
    assert!(entries.contains(&"podinfo/templates/deployment.yaml".to_string()));
    assert!(entries.contains(&"podinfo/.helmignore".to_string()), "helm package keeps .helmignore itself");
    for ignored in ["podinfo/notes.bak", "podinfo/.git/HEAD", "podinfo/templates/.scratch.yaml"] {
        assert!(!entries.contains(&ignored.to_string()), "{ignored} is ignored");
    }
    let elsewhere = tempfile::tempdir().unwrap();
    let again = build_local_chart(&local_request(source.path(), &[]), elsewhere.path()).unwrap();
    assert_eq!(std::fs::read(&built.path).unwrap(), std::fs::read(&again.path).unwrap(), "deterministic");

    let original = HelmRepoFixture::podinfo_chart().unwrap();
    assert_eq!(template(output.path(), &built.path, &[]), template(output.path(), &original, &[]));
    let shown = helm(output.path(), &["show", "chart", built.path.to_str().unwrap()]);
    assert!(shown.contains("version: 6.14.1"), "{shown}");
}

#[test]
fn shared_values_files_are_merged_into_a_packaged_directory() {
    let Some(source) = podinfo_source() else { return };
    let output = tempfile::tempdir().unwrap();
    let values_files = ["charts/podinfo/values.yaml".to_string(), "charts/podinfo/values-prod.yaml".to_string()];
    let metadata = version_metadata(&VersionInputs {
        source_kind: ChartSourceKind::GitRepository,
        reconcile_strategy: "Revision",
        source_revision: "main@sha1:0123456789abcdef0123456789abcdef01234567",
        has_values_files: true,
        generation: 2,
    });
    let request =
        LocalChartRequest { version_metadata: metadata.as_deref(), ..local_request(source.path(), &values_files) };
    let built = build_local_chart(&request, output.path()).expect("package with merged values");
    assert_eq!(built.version, "6.14.1+0123456789ab.2");
    assert_eq!(built.values_files, values_files);
    let shown_values = helm(output.path(), &["show", "values", built.path.to_str().unwrap()]);
    let values: serde_json::Value = serde_saphyr::from_str(&shown_values).unwrap();
    assert_eq!((values["redis"]["enabled"].as_bool(), values["hpa"]["enabled"].as_bool()), (Some(true), Some(true)));
    let original = HelmRepoFixture::podinfo_chart().unwrap();
    let prod = original.join("values-prod.yaml");
    let ours = template(output.path(), &built.path, &[]).replace("6.14.1+0123456789ab.2", "6.14.1");
    let ours = ours.replace("6.14.1_0123456789ab.2", "6.14.1");
    assert_eq!(ours, template(output.path(), &original, &["-f", prod.to_str().unwrap()]));
}

#[test]
fn shared_a_missing_values_file_fails_unless_ignored() {
    let Some(source) = podinfo_source() else { return };
    let output = tempfile::tempdir().unwrap();
    let values_files = ["missing.yaml".to_string(), "charts/podinfo/values-prod.yaml".to_string()];
    let error = build_local_chart(&local_request(source.path(), &values_files), output.path()).unwrap_err();
    assert_eq!(
        error.to_string(),
        "values files merge error: no values file found at path '/missing.yaml' (reference 'missing.yaml')"
    );
    assert_eq!(
        (error.reason(), error.condition_type(), error.is_terminal()),
        ("ValuesFilesError", "BuildFailed", true)
    );

    let request =
        LocalChartRequest { ignore_missing_values_files: true, ..local_request(source.path(), &values_files) };
    let built = build_local_chart(&request, output.path()).expect("the missing file is skipped");
    assert_eq!(built.values_files, ["charts/podinfo/values-prod.yaml"]);
    let shown_values = helm(output.path(), &["show", "values", built.path.to_str().unwrap()]);
    assert!(shown_values.contains("redis:"), "{shown_values}");
}

#[test]
fn dependencies_must_be_vendored_in_charts() {
    let source = tempfile::tempdir().unwrap();
    let app = source.path().join("app");
    std::fs::create_dir_all(app.join("templates")).unwrap();
    let chart_yaml = "apiVersion: v2\nname: app\nversion: 0.1.0\ndependencies:\n- name: redis\n  version: 1.x\n  repository: https://charts.example\n- name: db\n  version: 2.x\n  repository: file://../db\n";
    std::fs::write(app.join("Chart.yaml"), chart_yaml).unwrap();
    std::fs::write(app.join("values.yaml"), "a: 1\n").unwrap();
    let request = LocalChartRequest { chart_path: "app", ..local_request(source.path(), &[]) };
    let output = tempfile::tempdir().unwrap();
    let error = build_local_chart(&request, output.path()).unwrap_err();
    assert_eq!(error.reason(), "DependencyBuildError");
    assert!(error.to_string().contains("missing in charts/ directory: redis, db"), "{error}");

    std::fs::create_dir_all(app.join("charts/redis")).unwrap();
    std::fs::write(app.join("charts/redis/Chart.yaml"), "name: redis\nversion: 1.2.0\n").unwrap();
    std::fs::create_dir_all(app.join("charts/database")).unwrap();
    std::fs::write(app.join("charts/database/Chart.yaml"), "name: db\nversion: 2.0.0\n").unwrap();
    let built = build_local_chart(&request, output.path()).expect("vendored dependencies are enough");
    assert!(package_entries(&built).contains(&"app/charts/database/Chart.yaml".to_string()));

    let wrong_path = LocalChartRequest { chart_path: "nowhere", ..local_request(source.path(), &[]) };
    let error = build_local_chart(&wrong_path, output.path()).unwrap_err();
    assert!(matches!(error, ChartBuildError::InvalidChartReference(_)), "{error}");
}
