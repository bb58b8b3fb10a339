//! From a kubeconfig to a client, the way kubectl finds and reads it.
//!
//! The files are found as kubectl finds them: an explicit `--kubeconfig` file, else every path in `KUBECONFIG`
//! merged (the first file to set a value wins; missing files are skipped, as client-go skips them), else
//! `~/.kube/config`. kube-rs then turns the chosen context into a client, with every authentication it supports
//! (client certificates, tokens and token files, exec plugins, OIDC refresh), `proxy-url` (http, https and
//! socks5) and `tls-server-name`.
//!
//! Connecting does no I/O on the network: the first request is made by the session, whose failures are states.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use kube::config::{KubeConfigOptions, Kubeconfig};

use super::error::ClusterError;

/// Which kubeconfig and context to use; `None` means kubectl's defaults.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConnectOptions {
    /// A kubeconfig file to use instead of `KUBECONFIG` and `~/.kube/config`.
    pub kubeconfig: Option<PathBuf>,
    /// A context to use instead of the kubeconfig's `current-context`.
    pub context: Option<String>,
}

/// A client for one context, with what the header shows about it. Cloning shares the client.
#[derive(Clone)]
pub struct Connection {
    client: kube::Client,
    context_name: String,
    cluster_url: String,
    default_namespace: String,
}

impl Connection {
    pub fn client(&self) -> &kube::Client {
        &self.client
    }

    pub fn context_name(&self) -> &str {
        &self.context_name
    }

    /// The API server URL the context names.
    pub fn cluster_url(&self) -> &str {
        &self.cluster_url
    }

    /// The context's namespace, `default` when it sets none (as kubectl does).
    pub fn default_namespace(&self) -> &str {
        &self.default_namespace
    }
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("context_name", &self.context_name)
            .field("cluster_url", &self.cluster_url)
            .field("default_namespace", &self.default_namespace)
            .finish_non_exhaustive()
    }
}

/// One context of the kubeconfig, for the `:ctx` picker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContextInfo {
    pub name: String,
    pub cluster: String,
    pub user: Option<String>,
    pub namespace: Option<String>,
    /// Whether this is the kubeconfig's `current-context`.
    pub current: bool,
}

/// Builds a client for the chosen context (or the current one).
pub async fn connect(options: &ConnectOptions) -> Result<Connection, ClusterError> {
    let kubeconfig = load_kubeconfig(options)?;
    let context_name = chosen_context(&kubeconfig, options.context.as_deref())?;
    let kube_options = KubeConfigOptions { context: Some(context_name.clone()), ..KubeConfigOptions::default() };
    let config = kube::Config::from_custom_kubeconfig(kubeconfig, &kube_options)
        .await
        .map_err(|source| ClusterError::InvalidContext { context: context_name.clone(), source })?;
    let cluster_url = config.cluster_url.to_string();
    let default_namespace = config.default_namespace.clone();
    let client = kube::Client::try_from(config)
        .map_err(|source| ClusterError::Client { context: context_name.clone(), source })?;
    Ok(Connection { client, context_name, cluster_url, default_namespace })
}

/// Every context of the kubeconfig(s), in the order the files list them.
pub fn contexts(options: &ConnectOptions) -> Result<Vec<ContextInfo>, ClusterError> {
    let kubeconfig = load_kubeconfig(options)?;
    let current = kubeconfig.current_context.as_deref();
    Ok(kubeconfig
        .contexts
        .iter()
        .map(|named| {
            let context = named.context.as_ref();
            ContextInfo {
                name: named.name.clone(),
                cluster: context.map(|context| context.cluster.clone()).unwrap_or_default(),
                user: context.and_then(|context| context.user.clone()),
                namespace: context.and_then(|context| context.namespace.clone()),
                current: current == Some(named.name.as_str()),
            }
        })
        .collect())
}

/// The context to use: the asked-for one if the kubeconfig has it, else `current-context`.
fn chosen_context(kubeconfig: &Kubeconfig, asked: Option<&str>) -> Result<String, ClusterError> {
    let name = match asked.or(kubeconfig.current_context.as_deref()) {
        Some(name) if !name.is_empty() => name,
        _ => return Err(ClusterError::NoCurrentContext),
    };
    if kubeconfig.contexts.iter().any(|named| named.name == name) {
        Ok(name.to_string())
    } else {
        let available = kubeconfig.contexts.iter().map(|named| named.name.clone()).collect();
        Err(ClusterError::ContextNotFound { name: name.to_string(), available })
    }
}

/// Reads and merges the kubeconfig files kubectl would read.
fn load_kubeconfig(options: &ConnectOptions) -> Result<Kubeconfig, ClusterError> {
    if let Some(path) = &options.kubeconfig {
        // An explicit file must exist, as with `kubectl --kubeconfig`.
        if !path.exists() {
            return Err(ClusterError::KubeconfigNotFound { paths: vec![path.clone()] });
        }
        return read(path);
    }
    let home = directories::BaseDirs::new().map(|dirs| dirs.home_dir().to_path_buf());
    let paths = kubeconfig_paths(std::env::var_os("KUBECONFIG").as_deref(), home.as_deref())?;
    merge_existing(&paths)
}

/// The files to merge: every non-empty entry of `KUBECONFIG`, else `~/.kube/config`.
fn kubeconfig_paths(kubeconfig_env: Option<&OsStr>, home: Option<&Path>) -> Result<Vec<PathBuf>, ClusterError> {
    let from_env: Vec<PathBuf> = kubeconfig_env
        .map(|value| std::env::split_paths(value).filter(|path| !path.as_os_str().is_empty()).collect())
        .unwrap_or_default();
    if !from_env.is_empty() {
        return Ok(from_env);
    }
    let home = home.ok_or(ClusterError::NoHomeDirectory)?;
    Ok(vec![home.join(".kube").join("config")])
}

/// Merges the files that exist, in order (the first to set a value wins); fails when none does.
fn merge_existing(paths: &[PathBuf]) -> Result<Kubeconfig, ClusterError> {
    let mut merged: Option<Kubeconfig> = None;
    for path in paths.iter().filter(|path| path.exists()) {
        let next = read(path)?;
        merged = Some(match merged {
            None => next,
            Some(earlier) => {
                earlier.merge(next).map_err(|source| ClusterError::InvalidKubeconfig { path: path.clone(), source })?
            }
        });
    }
    merged.ok_or_else(|| ClusterError::KubeconfigNotFound { paths: paths.to_vec() })
}

fn read(path: &Path) -> Result<Kubeconfig, ClusterError> {
    // read_from also resolves the file's relative certificate, token-file and exec paths against its directory.
    Kubeconfig::read_from(path).map_err(|source| ClusterError::InvalidKubeconfig { path: path.to_path_buf(), source })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kubeconfig_env_lists_files_in_order_and_skips_empty_entries() {
        let joined = std::env::join_paths(["/a/one", "", "/b/two"]).expect("joinable paths");
        let paths = kubeconfig_paths(Some(&joined), None).expect("paths from KUBECONFIG");
        assert_eq!(paths, vec![PathBuf::from("/a/one"), PathBuf::from("/b/two")]);
        let paths = kubeconfig_paths(Some(OsStr::new("")), Some(Path::new("/home/u"))).expect("home default");
        assert_eq!(paths, vec![PathBuf::from("/home/u/.kube/config")]);
        assert!(matches!(kubeconfig_paths(None, None), Err(ClusterError::NoHomeDirectory)));
    }

    #[test]
    fn merged_files_keep_the_first_value_and_skip_missing_files() {
        let dir = tempfile::tempdir().expect("temp dir");
        let first = dir.path().join("first");
        let second = dir.path().join("second");
        std::fs::write(&first, kubeconfig_text("a", "https://first:6443", Some("a"))).expect("write");
        std::fs::write(&second, kubeconfig_text("b", "https://second:6443", Some("b"))).expect("write");
        let merged = merge_existing(&[dir.path().join("missing"), first, second]).expect("two existing files merge");
        assert_eq!(merged.current_context.as_deref(), Some("a"));
        let names: Vec<_> = merged.contexts.iter().map(|named| named.name.as_str()).collect();
        assert_eq!(names, ["a", "b"]);
        assert!(matches!(merge_existing(&[dir.path().join("missing")]), Err(ClusterError::KubeconfigNotFound { .. })));
    }

    fn kubeconfig_text(name: &str, server: &str, current: Option<&str>) -> String {
        let current = current.map(|current| format!("current-context: {current}\n")).unwrap_or_default();
        format!(
            "apiVersion: v1\nkind: Config\n{current}clusters:\n- name: {name}\n  cluster:\n    server: {server}\n\
             contexts:\n- name: {name}\n  context:\n    cluster: {name}\n    user: {name}\nusers:\n- name: {name}\n  user: {{}}\n"
        )
    }
}
