//! Checks out one GitRepository reference into a working directory with libgit2 (git2), as source-controller
//! does: resolve `spec.ref` by its precedence (commit > name > semver > tag > branch, none = branch `master`),
//! fetch shallow (depth 1) unless a commit must be found in history, check the commit out, and report the
//! revision string Flux writes (`main@sha1:<hex>`, `v1.2.0@sha1:<hex>`, `refs/pull/1/head@sha1:<hex>`,
//! `sha1:<hex>`).
//!
//! Everything here blocks; [`checkout`] runs it on tokio's blocking pool so the async runtime never waits on
//! the network or the disk.

use std::cell::Cell;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use git2::{
    CertificateCheckStatus, Cred, ErrorClass, ErrorCode, FetchOptions, Oid, RemoteCallbacks, Repository,
    build::CheckoutBuilder,
};

use super::auth::{GitAuth, known_hosts_accepts};
use super::error::CheckoutError;
use crate::controllers::semver_tags::highest_matching_tag;

/// The local ref fetched commits land in; HEAD is detached, so no branch of the working directory is touched.
const CHECKOUT_REF: &str = "refs/fluxtui/checkout";

/// `spec.ref` of a GitRepository.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GitReference {
    pub branch: Option<String>,
    pub tag: Option<String>,
    pub semver: Option<String>,
    pub name: Option<String>,
    pub commit: Option<String>,
}

/// One checkout to perform.
#[derive(Debug, Clone)]
pub struct CheckoutRequest {
    /// `spec.url`.
    pub url: String,
    pub reference: GitReference,
    pub auth: GitAuth,
    /// Where the repository is cloned; reused by the next checkout of the same object (a fetch then).
    pub workdir: PathBuf,
    /// `spec.timeout` (source-controller's default is 60s).
    pub timeout: Duration,
}

/// A person and time on a commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    pub name: String,
    pub email: String,
    /// Seconds since the Unix epoch.
    pub time: i64,
}

/// What the checked-out commit says about itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitInfo {
    /// 40 hex digits.
    pub hash: String,
    pub author: Signature,
    pub committer: Signature,
    pub message: String,
}

/// A finished checkout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkout {
    /// The revision Flux writes to `status.artifact.revision`.
    pub revision: String,
    pub commit: CommitInfo,
    /// The checked-out tree (the working directory; its `.git` is excluded by the ignore rules).
    pub path: PathBuf,
    /// Whether only the tip was fetched.
    pub shallow: bool,
}

/// Checks out `request` on the blocking pool.
pub async fn checkout(request: CheckoutRequest) -> Result<Checkout, CheckoutError> {
    let url = request.url.clone();
    tokio::task::spawn_blocking(move || checkout_blocking(&request)).await.map_err(|join| CheckoutError::Git {
        operation: "check out",
        url,
        detail: format!("the checkout task failed: {join}"),
    })?
}

/// What the reference resolves to before anything is fetched.
enum Plan {
    /// One remote ref, fetched shallow; `label` is the revision's name part.
    Ref { remote_ref: String, label: String },
    /// A commit, searched in the full history of `branch` (or of every branch and tag).
    Commit { commit: String, branch: Option<String> },
}

/// Checks out `request`, blocking the calling thread.
pub fn checkout_blocking(request: &CheckoutRequest) -> Result<Checkout, CheckoutError> {
    validate_url(&request.url)?;
    let deadline = Instant::now() + request.timeout;
    let reference = &request.reference;
    let session = Session { request, deadline };

    if let Some(commit) = nonempty(&reference.commit) {
        if !commit.chars().all(|c| c.is_ascii_hexdigit()) || commit.len() < 7 {
            return Err(CheckoutError::UnknownCommit {
                commit: commit.to_string(),
                url: request.url.clone(),
                detail: "not a commit hash".to_string(),
            });
        }
        // History is needed, and a commit is immutable: start from a fresh directory so that objects left by
        // earlier fetches cannot answer for a commit the remote no longer has.
        let repo = session.fresh_repository()?;
        let branch = nonempty(&reference.branch).map(str::to_string);
        return session.fetch_and_check_out(&repo, Plan::Commit { commit: commit.to_lowercase(), branch });
    }

    let repo = session.open_repository()?;
    let heads = session.list_remote(&repo)?;
    let find = |full: &str| heads.iter().any(|(name, _)| name == full);
    let plan = if let Some(name) = nonempty(&reference.name) {
        if !find(name) {
            return Err(session.unknown("reference", name));
        }
        Plan::Ref { remote_ref: name.to_string(), label: name.to_string() }
    } else if let Some(range) = nonempty(&reference.semver) {
        let tags = heads.iter().filter_map(|(name, _)| name.strip_prefix("refs/tags/")).filter(|t| !t.ends_with("^{}"));
        let tag = highest_matching_tag(range, tags)?;
        Plan::Ref { remote_ref: format!("refs/tags/{tag}"), label: tag }
    } else if let Some(tag) = nonempty(&reference.tag) {
        let full = format!("refs/tags/{tag}");
        if !find(&full) {
            return Err(session.unknown("tag", tag));
        }
        Plan::Ref { remote_ref: full, label: tag.to_string() }
    } else {
        let branch = nonempty(&reference.branch).unwrap_or("master");
        let full = format!("refs/heads/{branch}");
        if !find(&full) {
            return Err(session.unknown("branch", branch));
        }
        Plan::Ref { remote_ref: full, label: branch.to_string() }
    };
    session.fetch_and_check_out(&repo, plan)
}

fn nonempty(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// Accepts the schemes source-controller accepts (`http`, `https`, `ssh`) plus `git` and `file`, which the
/// embedded engine allows for local development and tests.
fn validate_url(url: &str) -> Result<(), CheckoutError> {
    let invalid = |reason: &str| CheckoutError::InvalidUrl { url: url.to_string(), reason: reason.to_string() };
    let Some((scheme, rest)) = url.split_once("://") else {
        if url.contains('@') && url.contains(':') {
            return Err(invalid("scp-like syntax is not supported, use ssh://user@host/path"));
        }
        return Err(invalid("a URL needs a scheme: http://, https://, ssh://, git:// or file://"));
    };
    if !matches!(scheme, "http" | "https" | "ssh" | "git" | "file") {
        return Err(invalid(&format!("unsupported scheme '{scheme}'")));
    }
    if rest.trim_matches('/').is_empty() {
        return Err(invalid("the URL has no host or path"));
    }
    Ok(())
}

struct Session<'a> {
    request: &'a CheckoutRequest,
    deadline: Instant,
}

impl Session<'_> {
    fn url(&self) -> &str {
        &self.request.url
    }

    fn unknown(&self, kind: &'static str, name: &str) -> CheckoutError {
        CheckoutError::UnknownRef { kind, name: name.to_string(), url: self.url().to_string() }
    }

    fn workdir_error(&self, detail: impl std::fmt::Display) -> CheckoutError {
        CheckoutError::WorkingDirectory { path: self.request.workdir.display().to_string(), detail: detail.to_string() }
    }

    /// The working directory's repository, created when absent or unusable.
    fn open_repository(&self) -> Result<Repository, CheckoutError> {
        match Repository::open(&self.request.workdir) {
            Ok(repo) if !repo.is_bare() => Ok(repo),
            _ => self.fresh_repository(),
        }
    }

    /// An empty repository in the working directory, replacing whatever was there.
    fn fresh_repository(&self) -> Result<Repository, CheckoutError> {
        let dir = &self.request.workdir;
        if dir.exists() {
            std::fs::remove_dir_all(dir).map_err(|e| self.workdir_error(e))?;
        }
        std::fs::create_dir_all(dir).map_err(|e| self.workdir_error(e))?;
        Repository::init(dir).map_err(|e| self.workdir_error(e.message()))
    }

    /// Fetch options with credentials, host key checks, the bearer header and the deadline.
    fn fetch_options<'cb>(&'cb self, attempted: &'cb Cell<bool>) -> FetchOptions<'cb> {
        let mut callbacks = RemoteCallbacks::new();
        let auth = &self.request.auth;
        callbacks.credentials(move |_url, username_from_url, _allowed| {
            // libgit2 asks again after a rejection; a second answer would only loop on the same credentials.
            if attempted.replace(true) {
                return Err(git2::Error::new(ErrorCode::Auth, ErrorClass::Http, "the server rejected the credentials"));
            }
            match auth {
                GitAuth::Basic { username, password } => Cred::userpass_plaintext(username, password),
                GitAuth::Ssh { identity, passphrase, .. } => {
                    Cred::ssh_key_from_memory(username_from_url.unwrap_or("git"), None, identity, passphrase.as_deref())
                }
                GitAuth::None | GitAuth::Bearer { .. } => Err(git2::Error::new(
                    ErrorCode::Auth,
                    ErrorClass::Http,
                    "the server asks for credentials and none are configured (spec.secretRef)",
                )),
            }
        });
        if let GitAuth::Ssh { known_hosts, .. } = auth {
            // The host and port come from the URL: known_hosts names a non-default port (`[host]:port`).
            let authority = host_of(self.url());
            callbacks.certificate_check(move |cert, _host| {
                let Some(key) = cert.as_hostkey().and_then(|k| k.hostkey()) else {
                    return Ok(CertificateCheckStatus::CertificatePassthrough);
                };
                let (name, port) = split_host_port(&authority);
                if known_hosts_accepts(known_hosts, name, port, key) {
                    Ok(CertificateCheckStatus::CertificateOk)
                } else {
                    Err(git2::Error::new(ErrorCode::Certificate, ErrorClass::Ssh, "host key not in known_hosts"))
                }
            });
        }
        let deadline = self.deadline;
        callbacks.transfer_progress(move |_| Instant::now() < deadline);
        callbacks.sideband_progress(move |_| Instant::now() < deadline);
        let mut options = FetchOptions::new();
        options.remote_callbacks(callbacks);
        options.download_tags(git2::AutotagOption::None);
        if let GitAuth::Bearer { token } = auth {
            options.custom_headers(&[&format!("Authorization: Bearer {token}")]);
        }
        options
    }

    /// The remote's refs (name, object id). A fetch of a refspec that matches nothing connects with the same
    /// options as the real fetch (custom headers included, which `connect_auth` cannot send) and downloads
    /// nothing; the advertised refs stay readable afterwards.
    fn list_remote(&self, repo: &Repository) -> Result<Vec<(String, Oid)>, CheckoutError> {
        let mut remote = repo.remote_anonymous(self.url()).map_err(|e| self.classify("connect to", &e))?;
        let attempted = Cell::new(false);
        let mut options = self.fetch_options(&attempted);
        remote
            .fetch(&["+refs/fluxtui-list-only:refs/fluxtui/list-only"], Some(&mut options), None)
            .map_err(|e| self.classify("list refs of", &e))?;
        let heads = remote.list().map_err(|e| self.classify("list refs of", &e))?;
        Ok(heads.iter().map(|head| (head.name().to_string(), head.oid())).collect())
    }

    fn fetch(&self, repo: &Repository, refspecs: &[String], depth: i32) -> Result<(), CheckoutError> {
        let mut remote = repo.remote_anonymous(self.url()).map_err(|e| self.classify("connect to", &e))?;
        let attempted = Cell::new(false);
        let mut options = self.fetch_options(&attempted);
        options.depth(depth);
        remote.fetch(refspecs, Some(&mut options), None).map_err(|e| self.classify("fetch", &e))
    }

    fn fetch_and_check_out(&self, repo: &Repository, plan: Plan) -> Result<Checkout, CheckoutError> {
        let (commit, revision, shallow) = match plan {
            Plan::Ref { remote_ref, label } => {
                // The local transport (file://) cannot fetch shallow; over the network the tip is enough.
                // libgit2's local transport (file://) refuses shallow fetches ("shallow fetch is not supported by
                // the local transport"); over the network the tip is enough.
                let depth = if self.url().starts_with("file://") { 0 } else { 1 };
                self.fetch(repo, &[format!("+{remote_ref}:{CHECKOUT_REF}")], depth)?;
                let commit = repo
                    .find_reference(CHECKOUT_REF)
                    .and_then(|r| r.peel_to_commit())
                    .map_err(|e| self.classify("resolve the fetched ref of", &e))?;
                let revision = format!("{label}@sha1:{}", commit.id());
                (commit, revision, repo.is_shallow())
            }
            Plan::Commit { commit, branch } => {
                let refspecs = match &branch {
                    Some(branch) => vec![format!("+refs/heads/{branch}:refs/fluxtui/heads/{branch}")],
                    None => vec![
                        "+refs/heads/*:refs/fluxtui/heads/*".to_string(),
                        "+refs/tags/*:refs/fluxtui/tags/*".to_string(),
                    ],
                };
                self.fetch(repo, &refspecs, 0)?;
                if let Some(branch) = &branch
                    && repo.find_reference(&format!("refs/fluxtui/heads/{branch}")).is_err()
                {
                    return Err(self.unknown("branch", branch));
                }
                let found = repo.revparse_single(&commit).and_then(|object| object.peel_to_commit()).map_err(|e| {
                    CheckoutError::UnknownCommit {
                        commit: commit.clone(),
                        url: self.url().to_string(),
                        detail: e.message().to_string(),
                    }
                })?;
                let revision = match &branch {
                    Some(branch) => format!("{branch}@sha1:{}", found.id()),
                    None => format!("sha1:{}", found.id()),
                };
                (found, revision, false)
            }
        };
        repo.checkout_tree(commit.as_object(), Some(CheckoutBuilder::new().force().remove_untracked(true)))
            .map_err(|e| self.classify("check out", &e))?;
        repo.set_head_detached(commit.id()).map_err(|e| self.classify("check out", &e))?;
        Ok(Checkout { revision, commit: commit_info(&commit), path: self.request.workdir.clone(), shallow })
    }

    /// Turns a libgit2 error into the variant a user can act on.
    fn classify(&self, operation: &'static str, error: &git2::Error) -> CheckoutError {
        let url = self.url().to_string();
        let detail = error.message().to_string();
        if Instant::now() >= self.deadline {
            return CheckoutError::Timeout { url, timeout: self.request.timeout };
        }
        let lower = detail.to_lowercase();
        if error.code() == ErrorCode::Auth
            || lower.contains("authentication")
            || lower.contains("credentials")
            || lower.contains("status code: 401")
            || lower.contains("status code: 403")
        {
            return CheckoutError::AuthenticationFailed { url, detail };
        }
        if error.code() == ErrorCode::Certificate && error.class() == ErrorClass::Ssh {
            return CheckoutError::HostKeyMismatch { host: host_of(&url), detail };
        }
        // The server answered, so it is reachable: a missing or unexported repository, a 404.
        if lower.contains("remote error") || lower.contains("not found") || lower.contains("status code") {
            return CheckoutError::Git { operation, url, detail };
        }
        let network = matches!(error.class(), ErrorClass::Net | ErrorClass::Os | ErrorClass::Ssl | ErrorClass::Ssh)
            || lower.contains("failed to connect")
            || lower.contains("failed to resolve")
            || lower.contains("connection refused");
        if network {
            return CheckoutError::Unreachable { url, detail };
        }
        CheckoutError::Git { operation, url, detail }
    }
}

fn split_host_port(host: &str) -> (&str, u16) {
    match host.rsplit_once(':') {
        Some((name, port)) if port.chars().all(|c| c.is_ascii_digit()) => {
            (name.trim_start_matches('[').trim_end_matches(']'), port.parse().unwrap_or(22))
        }
        _ => (host, 22),
    }
}

fn host_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split('/').next().unwrap_or(rest);
    authority.rsplit_once('@').map_or(authority, |(_, host)| host).to_string()
}

fn signature(signature: &git2::Signature<'_>) -> Signature {
    Signature {
        name: String::from_utf8_lossy(signature.name_bytes()).into_owned(),
        email: String::from_utf8_lossy(signature.email_bytes()).into_owned(),
        time: signature.when().seconds(),
    }
}

fn commit_info(commit: &git2::Commit<'_>) -> CommitInfo {
    CommitInfo {
        hash: commit.id().to_string(),
        author: signature(&commit.author()),
        committer: signature(&commit.committer()),
        message: String::from_utf8_lossy(commit.message_bytes()).into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_validated_like_source_controller() {
        assert!(validate_url("https://github.com/fluxcd/flux2").is_ok());
        assert!(validate_url("ssh://git@github.com/fluxcd/flux2").is_ok());
        let scp = validate_url("git@github.com:fluxcd/flux2.git").unwrap_err();
        assert_eq!(scp.reason(), "URLInvalid");
        assert!(scp.to_string().contains("scp-like syntax"));
        assert!(validate_url("ftp://host/repo").unwrap_err().to_string().contains("unsupported scheme 'ftp'"));
        assert!(validate_url("https://").is_err());
    }

    #[test]
    fn host_ports_are_split_for_known_hosts() {
        assert_eq!(split_host_port("github.com"), ("github.com", 22));
        assert_eq!(split_host_port("git.local:2222"), ("git.local", 2222));
        assert_eq!(host_of("ssh://git@host:2222/repo"), "host:2222");
    }
}
