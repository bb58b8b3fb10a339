//! The GitRepository checkout engine against real Git servers on loopback: `git daemon` (git://),
//! `git http-backend` behind basic auth (http://) and bare repositories on disk (file://), all from the
//! testkit. The real `git` builds the repositories and is the oracle for commit hashes.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use fluxtui::controllers::git_repository::{
    Checkout, CheckoutError, CheckoutRequest, GitAuth, GitReference, SourceIgnore, checkout,
};
use fluxtui_testkit::{GitDaemon, GitHttpServer, GitRepos, GitSshServer, TestRepo};

const USER: &str = "flux";
const PASSWORD: &str = "s3cret";

fn request(url: &str, reference: GitReference, workdir: &Path) -> CheckoutRequest {
    CheckoutRequest {
        url: url.to_string(),
        reference,
        auth: GitAuth::None,
        workdir: workdir.to_path_buf(),
        timeout: Duration::from_secs(60),
    }
}

fn branch(name: &str) -> GitReference {
    GitReference { branch: Some(name.to_string()), ..GitReference::default() }
}

fn basic() -> GitAuth {
    GitAuth::Basic { username: USER.to_string(), password: PASSWORD.to_string() }
}

/// A repository with history on `main`, a `feature/x` branch, tags (one annotated, one not semver) and a
/// pull-request ref. Returns the repo and the commit hashes by name.
fn fixture(repos: &GitRepos) -> (TestRepo, BTreeMap<&'static str, String>) {
    let repo = repos.create("app");
    let mut commits = BTreeMap::new();
    commits.insert("first", repo.commit(&[("deploy/app.yaml", "replicas: 1\n")], "first"));
    repo.tag("v1.0.0");
    commits.insert("second", repo.commit(&[("deploy/app.yaml", "replicas: 2\n")], "second"));
    repo.annotated_tag("v1.2.0", "release 1.2.0");
    commits.insert("third", repo.commit(&[("deploy/app.yaml", "replicas: 3\n")], "third"));
    repo.tag("v2.0.0-rc.1");
    repo.tag("latest");
    repo.branch("feature/x");
    commits.insert("feature", repo.commit(&[("feature.yaml", "on: true\n")], "feature"));
    repo.push_ref("refs/pull/7/head");
    repo.switch("main");
    repo.push();
    (repo, commits)
}

fn read(checkout: &Checkout, path: &str) -> String {
    std::fs::read_to_string(checkout.path.join(path)).unwrap_or_else(|e| panic!("read {path}: {e}"))
}

/// Every reference kind over one URL, with the revision Flux writes and the tree on disk.
async fn every_ref_kind(url: &str, auth: GitAuth, commits: &BTreeMap<&'static str, String>, shallow: bool) {
    let work = tempfile::tempdir().unwrap();
    let with_auth = |reference: GitReference, dir: &str| CheckoutRequest {
        auth: auth.clone(),
        ..request(url, reference, &work.path().join(dir))
    };

    let main = checkout(with_auth(branch("main"), "branch")).await.expect("branch main");
    assert_eq!(main.revision, format!("main@sha1:{}", commits["third"]));
    assert_eq!(main.commit.hash, commits["third"]);
    assert_eq!(main.commit.message.trim(), "third");
    assert_eq!(main.commit.author.email, "test@fluxtui.invalid");
    assert_eq!(main.shallow, shallow);
    assert_eq!(read(&main, "deploy/app.yaml"), "replicas: 3\n");

    let slash = checkout(with_auth(branch("feature/x"), "slash")).await.expect("branch with a slash");
    assert_eq!(slash.revision, format!("feature/x@sha1:{}", commits["feature"]));
    assert_eq!(read(&slash, "feature.yaml"), "on: true\n");

    let tag = GitReference { tag: Some("v1.0.0".into()), ..GitReference::default() };
    let tag = checkout(with_auth(tag, "tag")).await.expect("lightweight tag");
    assert_eq!(tag.revision, format!("v1.0.0@sha1:{}", commits["first"]));
    assert_eq!(read(&tag, "deploy/app.yaml"), "replicas: 1\n");

    // An annotated tag's revision names the commit, not the tag object.
    let annotated = GitReference { tag: Some("v1.2.0".into()), ..GitReference::default() };
    let annotated = checkout(with_auth(annotated, "annotated")).await.expect("annotated tag");
    assert_eq!(annotated.revision, format!("v1.2.0@sha1:{}", commits["second"]));

    // Highest match; the release candidate is not in a range without a prerelease, `latest` is no version.
    let semver = GitReference { semver: Some(">=1.0.0".into()), ..GitReference::default() };
    let semver = checkout(with_auth(semver, "semver")).await.expect("semver");
    assert_eq!(semver.revision, format!("v1.2.0@sha1:{}", commits["second"]));

    let name = GitReference { name: Some("refs/pull/7/head".into()), ..GitReference::default() };
    let name = checkout(with_auth(name, "name")).await.expect("ref name");
    assert_eq!(name.revision, format!("refs/pull/7/head@sha1:{}", commits["feature"]));

    let commit = GitReference { commit: Some(commits["first"].clone()), ..GitReference::default() };
    let commit = checkout(with_auth(commit, "commit")).await.expect("bare commit");
    assert_eq!(commit.revision, format!("sha1:{}", commits["first"]));
    assert!(!commit.shallow, "a commit is found in full history");
    assert_eq!(read(&commit, "deploy/app.yaml"), "replicas: 1\n");

    // commit beats branch, and the branch names the revision.
    let pinned = GitReference { commit: Some(commits["second"].clone()), ..branch("main") };
    let pinned = checkout(with_auth(pinned, "pinned")).await.expect("commit on a branch");
    assert_eq!(pinned.revision, format!("main@sha1:{}", commits["second"]));

    // Precedence: name > semver > tag > branch.
    let all = GitReference {
        branch: Some("main".into()),
        tag: Some("v1.0.0".into()),
        semver: Some("<1.1.0".into()),
        name: Some("refs/pull/7/head".into()),
        commit: None,
    };
    assert!(
        checkout(with_auth(all.clone(), "precedence-name")).await.unwrap().revision.starts_with("refs/pull/7/head@")
    );
    let no_name = GitReference { name: None, ..all.clone() };
    assert_eq!(
        checkout(with_auth(no_name.clone(), "precedence-semver")).await.unwrap().revision,
        format!("v1.0.0@sha1:{}", commits["first"])
    );
    let tag_over_branch = GitReference { semver: None, tag: Some("v1.2.0".into()), ..no_name };
    assert!(checkout(with_auth(tag_over_branch, "precedence-tag")).await.unwrap().revision.starts_with("v1.2.0@"));
}

#[tokio::test]
async fn every_ref_kind_over_git_daemon() {
    let repos = GitRepos::new();
    let (repo, commits) = fixture(&repos);
    let daemon = GitDaemon::start(&repos);
    every_ref_kind(&daemon.url(&repo), GitAuth::None, &commits, true).await;
}

#[tokio::test]
async fn every_ref_kind_over_http_with_basic_auth() {
    let repos = GitRepos::new();
    let (repo, commits) = fixture(&repos);
    let server = GitHttpServer::start(&repos, USER, PASSWORD);
    every_ref_kind(&server.url(&repo), basic(), &commits, true).await;
}

#[tokio::test]
async fn every_ref_kind_over_file_urls() {
    let repos = GitRepos::new();
    let (repo, commits) = fixture(&repos);
    every_ref_kind(&repo.file_url(), GitAuth::None, &commits, false).await;
}

#[tokio::test]
async fn a_wrong_password_or_none_fails_clearly() {
    let repos = GitRepos::new();
    let (repo, _) = fixture(&repos);
    let server = GitHttpServer::start(&repos, USER, PASSWORD);
    let work = tempfile::tempdir().unwrap();

    let wrong = CheckoutRequest {
        auth: GitAuth::Basic { username: USER.into(), password: "wrong".into() },
        ..request(&server.url(&repo), branch("main"), &work.path().join("wrong"))
    };
    let error = checkout(wrong).await.expect_err("a wrong password must fail");
    assert!(matches!(error, CheckoutError::AuthenticationFailed { .. }), "{error:?}");
    assert_eq!(error.reason(), "AuthenticationFailed");
    assert_eq!(
        error.to_string(),
        format!("authentication failed for '{}': the server rejected the credentials", server.url(&repo))
    );

    let anonymous = request(&server.url(&repo), branch("main"), &work.path().join("anonymous"));
    let error = checkout(anonymous).await.expect_err("no credentials must fail");
    assert!(matches!(error, CheckoutError::AuthenticationFailed { .. }), "{error:?}");
    assert!(error.to_string().contains("none are configured"), "{error}");
}

#[tokio::test]
async fn a_bearer_token_is_sent_as_a_header() {
    let repos = GitRepos::new();
    let (repo, commits) = fixture(&repos);
    let server = GitHttpServer::start_with_bearer_token(&repos, "t0ken");
    let work = tempfile::tempdir().unwrap();
    let with_token = |token: &str, dir: &str| CheckoutRequest {
        auth: GitAuth::Bearer { token: token.to_string() },
        ..request(&server.url(&repo), branch("main"), &work.path().join(dir))
    };
    let done = checkout(with_token("t0ken", "right")).await.expect("the right token");
    assert_eq!(done.revision, format!("main@sha1:{}", commits["third"]));
    let error = checkout(with_token("other", "wrong")).await.expect_err("a wrong token must fail");
    assert!(matches!(error, CheckoutError::AuthenticationFailed { .. }), "{error:?}");
}

#[tokio::test]
async fn a_new_commit_and_a_force_push_give_new_revisions_in_the_same_workdir() {
    let repos = GitRepos::new();
    let (repo, commits) = fixture(&repos);
    let daemon = GitDaemon::start(&repos);
    let work = tempfile::tempdir().unwrap();
    let main = || request(&daemon.url(&repo), branch("main"), work.path());

    let before = checkout(main()).await.unwrap();
    assert_eq!(before.revision, format!("main@sha1:{}", commits["third"]));

    let fourth = repo.commit(&[("deploy/app.yaml", "replicas: 4\n")], "fourth");
    repo.push();
    let after = checkout(main()).await.unwrap();
    assert_eq!(after.revision, format!("main@sha1:{fourth}"));
    assert_eq!(read(&after, "deploy/app.yaml"), "replicas: 4\n");

    // The old tip is rewritten; the fetch follows the branch, and files of the old tip are gone.
    let rewritten = repo.force_push_amended(&[("deploy/other.yaml", "kind: Other\n")], "fourth, rewritten");
    assert_ne!(rewritten, fourth);
    let forced = checkout(main()).await.unwrap();
    assert_eq!(forced.revision, format!("main@sha1:{rewritten}"));
    assert_eq!(read(&forced, "deploy/other.yaml"), "kind: Other\n");
    assert_eq!(forced.commit.message.trim(), "fourth, rewritten");
}

#[tokio::test]
async fn unknown_refs_and_bad_ranges_fail_clearly() {
    let repos = GitRepos::new();
    let (repo, _) = fixture(&repos);
    let daemon = GitDaemon::start(&repos);
    let url = daemon.url(&repo);
    let work = tempfile::tempdir().unwrap();
    let attempt = |reference: GitReference| checkout(request(&url, reference, work.path()));

    let error = attempt(branch("nope")).await.unwrap_err();
    assert_eq!(error.to_string(), format!("unable to find branch 'nope' in repository '{url}'"));
    assert_eq!(error.reason(), "GitOperationFailed");

    // No ref at all means branch master, which this repository does not have.
    let error = attempt(GitReference::default()).await.unwrap_err();
    assert_eq!(error.to_string(), format!("unable to find branch 'master' in repository '{url}'"));

    let error = attempt(GitReference { tag: Some("v9".into()), ..GitReference::default() }).await.unwrap_err();
    assert_eq!(error.to_string(), format!("unable to find tag 'v9' in repository '{url}'"));

    let error =
        attempt(GitReference { name: Some("refs/pull/99/head".into()), ..GitReference::default() }).await.unwrap_err();
    assert!(matches!(error, CheckoutError::UnknownRef { kind: "reference", .. }), "{error:?}");

    let error = attempt(GitReference { semver: Some(">=3.0.0".into()), ..GitReference::default() }).await.unwrap_err();
    assert_eq!(error.to_string(), "no match found for semver: >=3.0.0");

    let error = attempt(GitReference { semver: Some("one-ish".into()), ..GitReference::default() }).await.unwrap_err();
    assert!(matches!(error, CheckoutError::InvalidSemver { .. }), "{error:?}");
    assert!(error.is_terminal());

    // A commit pinned on a branch the remote does not have.
    let pinned = GitReference { commit: Some("0123456789abcdef".into()), ..branch("gone") };
    let error = attempt(pinned).await.unwrap_err();
    assert_eq!(error.to_string(), format!("unable to find branch 'gone' in repository '{url}'"));

    let missing = "0123456789abcdef0123456789abcdef01234567".to_string();
    let error = attempt(GitReference { commit: Some(missing.clone()), ..GitReference::default() }).await.unwrap_err();
    assert!(matches!(error, CheckoutError::UnknownCommit { .. }), "{error:?}");
    assert!(error.to_string().contains(&missing), "{error}");
}

#[tokio::test]
async fn an_unreachable_host_or_a_missing_repository_fails_clearly() {
    let work = tempfile::tempdir().unwrap();
    // A port nothing listens on: bound and released.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    for url in [format!("git://127.0.0.1:{port}/app.git"), format!("http://127.0.0.1:{port}/app.git")] {
        let error = checkout(request(&url, branch("main"), work.path())).await.unwrap_err();
        assert!(matches!(error, CheckoutError::Unreachable { .. }), "{url}: {error:?}");
        assert_eq!(
            error.to_string(),
            format!("unable to reach '{url}': failed to connect to 127.0.0.1: Connection refused")
        );
    }

    let repos = GitRepos::new();
    let daemon = GitDaemon::start(&repos);
    let absent = repos.create("absent");
    let url = daemon.url(&absent);
    let missing = url.replace("absent", "missing");
    let error = checkout(request(&missing, branch("main"), work.path())).await.unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "failed to list refs of '{missing}': remote error: access denied or repository not exported: /missing.git"
        )
    );
    assert_eq!(error.reason(), "GitOperationFailed");

    let server = GitHttpServer::start(&repos, USER, PASSWORD);
    let missing = server.url(&absent).replace("absent", "missing");
    let error = checkout(CheckoutRequest { auth: basic(), ..request(&missing, branch("main"), work.path()) })
        .await
        .unwrap_err();
    assert!(matches!(error, CheckoutError::Git { .. }), "a server that answers is reachable: {error:?}");

    let error = checkout(request("git@github.com:org/repo.git", branch("main"), work.path())).await.unwrap_err();
    assert_eq!(error.reason(), "URLInvalid");
}

#[tokio::test]
async fn a_fetch_past_its_timeout_is_aborted() {
    let repos = GitRepos::new();
    let (repo, _) = fixture(&repos);
    let daemon = GitDaemon::start(&repos);
    let work = tempfile::tempdir().unwrap();
    let url = daemon.url(&repo);
    // Past the deadline before the first packet: the transfer's progress callback stops it.
    let late = CheckoutRequest { timeout: Duration::from_millis(1), ..request(&url, branch("main"), work.path()) };
    let error = checkout(late).await.unwrap_err();
    assert_eq!(error.to_string(), format!("git operation timed out after 1ms for '{url}'"));
    assert_eq!(error.reason(), "GitOperationFailed");
}

#[tokio::test]
async fn ignore_rules_apply_to_a_checkout() {
    let repos = GitRepos::new();
    let repo = repos.create("ignored");
    repo.commit(
        &[
            ("deploy/app.yaml", "a"),
            ("deploy/local.env", "b"),
            ("deploy/.sourceignore", "*.env\n"),
            ("docs/logo.png", "c"),
            ("tmp/cache.yaml", "d"),
        ],
        "files",
    );
    repo.push();
    let work = tempfile::tempdir().unwrap();
    let done = checkout(request(&repo.file_url(), branch("main"), work.path())).await.unwrap();

    let rules = SourceIgnore::load(&done.path, Some("/tmp/\n")).unwrap();
    let kept = walk(&done.path, &rules);
    assert_eq!(kept, ["deploy/.sourceignore", "deploy/app.yaml", "docs/logo.png"]);
}

/// The checkout and the ignore rules meet the artifact writer as a reconciler will join them: the same commit
/// checked out shallow over git:// and whole over file:// gives the same artifact, since `.git` and ignored files
/// stay out of it.
#[tokio::test]
async fn a_checkout_filtered_by_its_ignore_rules_makes_a_reproducible_artifact() {
    use fluxtui::api::FluxKind;
    use fluxtui::controllers::storage::{ArtifactOwner, DEFAULT_MAX_UNPACKED_SIZE, Storage};

    let repos = GitRepos::new();
    let repo = repos.create("artifact");
    repo.commit(&[("deploy/app.yaml", "a"), ("deploy/.sourceignore", "*.env\n"), ("deploy/dev.env", "b")], "files");
    repo.push();
    let daemon = GitDaemon::start(&repos);
    let work = tempfile::tempdir().unwrap();
    let storage = Storage::new(work.path().join("storage"), "127.0.0.1:9090").unwrap();
    let owner = ArtifactOwner::new(FluxKind::GitRepository, "flux-system", "artifact");

    let mut artifacts = Vec::new();
    for (url, dir) in [(daemon.url(&repo), "shallow"), (repo.file_url(), "whole")] {
        let done = checkout(request(&url, branch("main"), &work.path().join(dir))).await.unwrap();
        let rules = SourceIgnore::load(&done.path, None).unwrap();
        let filter = |path: &Path, is_dir: bool| !rules.is_ignored(path, is_dir);
        let file = format!("{}-{dir}.tar.gz", done.commit.hash);
        artifacts.push(storage.store_directory(&owner, &file, &done.path, &filter, &done.revision).unwrap());
    }
    assert_eq!(artifacts[0].digest, artifacts[1].digest, "the same commit gives the same artifact");
    assert_eq!(artifacts[0].revision, artifacts[1].revision);

    let unpacked = work.path().join("unpacked");
    storage.unpack_verified(&artifacts[0], &unpacked, DEFAULT_MAX_UNPACKED_SIZE).unwrap();
    assert_eq!(
        walk(&unpacked, &SourceIgnore::load(&unpacked, Some("nothing-to-ignore")).unwrap()),
        ["deploy/.sourceignore", "deploy/app.yaml"]
    );
}

#[tokio::test]
async fn a_repository_of_ten_thousand_files_checks_out() {
    let repos = GitRepos::new();
    let repo = repos.create("large");
    for dir in 0..100 {
        for file in 0..100 {
            let path = repo.work_dir().join(format!("d{dir:03}/f{file:03}.yaml"));
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, format!("n: {}\n", dir * 100 + file)).unwrap();
        }
    }
    let head = repo.commit(&[], "ten thousand files");
    repo.push();
    let daemon = GitDaemon::start(&repos);
    let work = tempfile::tempdir().unwrap();
    let done = checkout(request(&daemon.url(&repo), branch("main"), work.path())).await.unwrap();
    assert_eq!(done.revision, format!("main@sha1:{head}"));
    let rules = SourceIgnore::load(&done.path, None).unwrap();
    let kept = walk(&done.path, &rules);
    assert_eq!(kept.len(), 10_000);
    assert_eq!(read(&done, "d099/f099.yaml"), "n: 9999\n");
}

/// The files a filter over the tree keeps, as the artifact writer walks it (excluded directories pruned).
fn walk(root: &Path, rules: &SourceIgnore) -> Vec<String> {
    fn visit(root: &Path, dir: &Path, rules: &SourceIgnore, kept: &mut Vec<String>) {
        for entry in std::fs::read_dir(root.join(dir)).unwrap() {
            let entry = entry.unwrap();
            let relative = dir.join(entry.file_name());
            let is_dir = entry.file_type().unwrap().is_dir();
            if rules.is_ignored(&relative, is_dir) {
                continue;
            }
            if is_dir {
                visit(root, &relative, rules, kept);
            } else {
                kept.push(relative.to_string_lossy().into_owned());
            }
        }
    }
    let mut kept = Vec::new();
    visit(root, Path::new(""), rules, &mut kept);
    kept.sort();
    kept
}

#[tokio::test]
async fn ssh_with_an_identity_and_known_hosts() {
    let repos = GitRepos::new();
    let (repo, commits) = fixture(&repos);
    let server = GitSshServer::start(&repos);
    let url = server.url(&repo);
    let work = tempfile::tempdir().unwrap();
    let secret = |identity: String, known_hosts: String| {
        let data = BTreeMap::from([
            ("identity".to_string(), identity.into_bytes()),
            ("known_hosts".to_string(), known_hosts.into_bytes()),
        ]);
        GitAuth::from_secret_data(&url, &data).unwrap()
    };
    let attempt = |auth: GitAuth, reference: GitReference, dir: &str| {
        checkout(CheckoutRequest { auth, ..request(&url, reference, &work.path().join(dir)) })
    };

    let done = attempt(secret(server.identity(), server.known_hosts()), branch("main"), "ok")
        .await
        .unwrap_or_else(|e| panic!("ssh checkout: {e}\n--- sshd log ---\n{}", server.log()));
    assert_eq!(done.revision, format!("main@sha1:{}", commits["third"]));
    assert!(done.shallow);
    let semver = GitReference { semver: Some("1.x".into()), ..GitReference::default() };
    let semver = attempt(secret(server.identity(), server.known_hosts()), semver, "semver").await.unwrap();
    assert_eq!(semver.revision, format!("v1.2.0@sha1:{}", commits["second"]));

    let error = attempt(secret(server.other_identity(), server.known_hosts()), branch("main"), "other")
        .await
        .expect_err("a key the server does not accept must fail");
    assert!(matches!(error, CheckoutError::AuthenticationFailed { .. }), "{error:?}");

    let stranger = "[127.0.0.1]:1 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJdD7y3aLq454yWBdwLWbieU1ebz9/cu7/QEXn9OIeZJ\n";
    let error = attempt(secret(server.identity(), stranger.to_string()), branch("main"), "stranger")
        .await
        .expect_err("an unknown host key must fail");
    assert!(matches!(error, CheckoutError::HostKeyMismatch { .. }), "{error:?}");
    assert_eq!(error.reason(), "AuthenticationFailed");
}

#[tokio::test]
async fn the_servers_stop_when_dropped() {
    /// `127.0.0.1:<port>` of a server URL.
    fn addr(url: &str) -> std::net::SocketAddr {
        let rest = url.split_once("://").unwrap().1;
        let authority = rest.split('/').next().unwrap();
        authority.rsplit_once('@').map_or(authority, |(_, host)| host).parse().unwrap()
    }
    let connects = |addr| std::net::TcpStream::connect_timeout(&addr, Duration::from_secs(1)).is_ok();
    let repos = GitRepos::new();
    let repo = repos.create("stop");
    let daemon = GitDaemon::start(&repos);
    let http = GitHttpServer::start(&repos, USER, PASSWORD);
    let ssh = GitSshServer::start(&repos);
    let addrs = [addr(&daemon.url(&repo)), addr(&http.url(&repo)), addr(&ssh.url(&repo))];
    assert!(addrs.iter().all(|a| connects(*a)), "every server listens while it lives");
    drop((daemon, http, ssh));
    for addr in addrs {
        assert!(!connects(addr), "{addr} still accepts connections after its server was dropped");
    }
}
