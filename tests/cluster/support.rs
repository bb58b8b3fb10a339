//! What every cluster test needs: test CRDs for the Flux groups, a session whose events can be awaited, and
//! kubeconfig rewriting.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use fluxtui::api::FluxKind;
use fluxtui::cluster::{ClusterEvent, ClusterInfo, ConnectOptions, ConnectionState, KindState, Session, connect};
use fluxtui_testkit::TestCluster;
use kube::config::Kubeconfig;
use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};

/// How long any awaited event may take; generous, since the watches back off after failures.
pub const DEADLINE: Duration = Duration::from_secs(30);

/// A small CRD for `kind` serving `versions` (the first is the storage version), with an open schema: these
/// tests are about discovery and watches, not validation.
pub fn crd_yaml(kind: FluxKind, versions: &[&str]) -> String {
    let mut served = String::new();
    for (index, version) in versions.iter().enumerate() {
        served.push_str(&format!(
            "  - name: {version}\n    served: true\n    storage: {}\n    subresources:\n      status: {{}}\n    schema:\n      openAPIV3Schema:\n        type: object\n        x-kubernetes-preserve-unknown-fields: true\n",
            index == 0
        ));
    }
    format!(
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: {plural}.{group}\n  labels:\n    app.kubernetes.io/part-of: flux\n    app.kubernetes.io/version: v2.9.0\nspec:\n  group: {group}\n  scope: Namespaced\n  names:\n    kind: {kind}\n    listKind: {kind}List\n    plural: {plural}\n    singular: {singular}\n  versions:\n{served}",
        plural = kind.plural(),
        group = kind.group(),
        kind = kind.name(),
        singular = kind.name().to_lowercase(),
    )
}

/// Applies YAML with the real kubectl, through a file in the cluster's temporary directory.
pub fn apply(cluster: &TestCluster, name: &str, yaml: &str) {
    let path = cluster.dir().join(format!("{name}.yaml"));
    std::fs::write(&path, yaml).expect("write the manifest");
    cluster.kubectl_success(&["apply", "-f", path.to_str().expect("utf-8 temp path")]);
}

/// Installs test CRDs for these kinds, each serving the given versions.
pub fn install_crds(cluster: &TestCluster, kinds: &[(FluxKind, &[&str])]) {
    let yaml: Vec<String> = kinds.iter().map(|(kind, versions)| crd_yaml(*kind, versions)).collect();
    apply(cluster, "crds", &yaml.join("---\n"));
}

/// A GitRepository at `version` in `namespace`.
pub fn git_repository(name: &str, namespace: &str, version: &str, url: &str) -> String {
    format!(
        "apiVersion: source.toolkit.fluxcd.io/{version}\nkind: GitRepository\nmetadata:\n  name: {name}\n  namespace: {namespace}\nspec:\n  url: {url}\n  interval: 1m\n"
    )
}

/// A running session and its events, kept so a failed wait can show everything that came.
pub struct Watched {
    pub session: Session,
    events: UnboundedReceiver<ClusterEvent>,
    pub seen: Vec<ClusterEvent>,
}

impl Watched {
    /// Connects with `options` and starts a session.
    pub async fn start(options: &ConnectOptions, namespace: Option<&str>) -> Watched {
        let connection = connect(options).await.expect("connect from the kubeconfig");
        let (sender, events) = unbounded_channel();
        let session = Session::start(connection, namespace.map(str::to_string), sender);
        Watched { session, events, seen: Vec::new() }
    }

    /// A session on the cluster's own kubeconfig.
    pub async fn on(cluster: &TestCluster, namespace: Option<&str>) -> Watched {
        Watched::start(&options(cluster.kubeconfig_path(), None), namespace).await
    }

    /// The next event, `None` once every task of the session has stopped.
    pub async fn next_event(&mut self) -> Option<ClusterEvent> {
        self.events.recv().await
    }

    /// Waits until `done` holds for what has been seen (checked now and after each event), then returns;
    /// panics with every event seen on timeout. Checking the events seen so far, not only the next ones, lets a
    /// test wait for states in any order.
    pub async fn wait_until(&mut self, what: &str, done: impl Fn(&Watched) -> bool) {
        let deadline = Instant::now() + DEADLINE;
        while !done(self) {
            let left = deadline.saturating_duration_since(Instant::now());
            match tokio::time::timeout(left, self.events.recv()).await {
                Ok(Some(event)) => self.seen.push(event),
                Ok(None) => panic!("the session's event channel closed while waiting for {what}"),
                Err(_) => panic!("no {what} within {DEADLINE:?}; events seen:\n{:#?}", self.seen),
            }
        }
    }

    /// The last state sent for `kind`.
    pub fn kind_state(&self, kind: FluxKind) -> Option<&KindState> {
        self.seen.iter().rev().find_map(|event| match event {
            ClusterEvent::KindStateChanged(k, state) if *k == kind => Some(state),
            _ => None,
        })
    }

    /// The last connection state sent.
    pub fn connection(&self) -> Option<&ConnectionState> {
        self.seen.iter().rev().find_map(|event| match event {
            ClusterEvent::Connection(state) => Some(state),
            _ => None,
        })
    }

    /// The last namespaces sent.
    pub fn namespaces(&self) -> Option<&[String]> {
        self.seen.iter().rev().find_map(|event| match event {
            ClusterEvent::NamespacesChanged(names) => Some(names.as_slice()),
            _ => None,
        })
    }

    /// The last cluster info sent.
    pub fn info(&self) -> Option<&ClusterInfo> {
        self.seen.iter().rev().find_map(|event| match event {
            ClusterEvent::Info(info) => Some(info),
            _ => None,
        })
    }

    pub async fn wait_for_state(&mut self, kind: FluxKind, state: KindState) {
        let what = format!("{kind} {state:?}");
        self.wait_until(&what, |watched| watched.kind_state(kind) == Some(&state)).await;
    }

    /// Waits until the last connection state matches `wanted` and returns it.
    pub async fn wait_for_connection(&mut self, wanted: impl Fn(&ConnectionState) -> bool) -> ConnectionState {
        self.wait_until("the connection state", |watched| watched.connection().is_some_and(&wanted)).await;
        self.connection().cloned().expect("waited for a connection state")
    }

    /// Waits until the store of `kind` satisfies `check`, re-checking after each StoreChanged of that kind.
    pub async fn wait_for_store(&mut self, kind: FluxKind, what: &str, check: impl Fn(&[String]) -> bool) {
        let stores = self.session.stores();
        let names = || {
            let mut names: Vec<String> = stores
                .objects(kind)
                .iter()
                .map(|object| {
                    let metadata = object.metadata();
                    format!(
                        "{}/{}",
                        metadata.namespace.clone().unwrap_or_default(),
                        metadata.name.clone().unwrap_or_default()
                    )
                })
                .collect();
            names.sort();
            names
        };
        self.wait_until(what, |_| check(&names())).await;
    }
}

pub fn options(kubeconfig: &Path, context: Option<&str>) -> ConnectOptions {
    ConnectOptions { kubeconfig: Some(kubeconfig.to_path_buf()), context: context.map(str::to_string) }
}

/// Reads a kubeconfig, lets `change` edit it, and writes it to `to`.
pub fn rewrite_kubeconfig(from: &Path, to: &Path, change: impl FnOnce(&mut Kubeconfig)) -> PathBuf {
    let mut kubeconfig = Kubeconfig::read_from(from).expect("read the sandbox's kubeconfig");
    change(&mut kubeconfig);
    let text = serde_saphyr::to_string(&kubeconfig).expect("serialize the kubeconfig");
    std::fs::write(to, text).expect("write the kubeconfig");
    to.to_path_buf()
}
