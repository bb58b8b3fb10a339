//! A sandbox with fluxtui's Flux CRDs and a running engine, and waits on object statuses.

use std::path::Path;
use std::time::{Duration, Instant};

use fluxtui::api::FluxKind;
use fluxtui::cluster::{ConnectOptions, connect};
use fluxtui::controllers::conditions::check_kstatus;
use fluxtui::controllers::runtime::logs::EngineLog;
use fluxtui::controllers::runtime::{Engine, EngineConfig};
use fluxtui_testkit::TestCluster;
use kube::Client;
use kube::api::{Api, DynamicObject};
use serde_json::Value;

/// How long a reconcile may take to show.
pub const DEADLINE: Duration = Duration::from_secs(30);

/// A sandbox with the CRDs, a client, and an engine with its storage in the cluster's directory.
pub struct EngineCluster {
    pub cluster: TestCluster,
    pub client: Client,
    pub engine: Option<Engine>,
    pub logs: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

pub async fn client_for(kubeconfig: &Path) -> Client {
    let options = ConnectOptions { kubeconfig: Some(kubeconfig.to_path_buf()), context: None };
    connect(&options).await.expect("connect to the sandbox").client().clone()
}

impl EngineCluster {
    /// A sandbox with the CRDs installed and no engine yet.
    pub async fn without_engine() -> EngineCluster {
        let cluster = TestCluster::start().await;
        let client = client_for(cluster.kubeconfig_path()).await;
        fluxtui::cli::controller::install_crds(&client).await.expect("install the CRDs");
        EngineCluster { cluster, client, engine: None, logs: Default::default() }
    }

    /// A sandbox with the CRDs and a running engine (no leader election).
    pub async fn start() -> EngineCluster {
        let mut cluster = EngineCluster::without_engine().await;
        let config = cluster.config();
        cluster.start_engine(config).await;
        cluster
    }

    /// The engine configuration these tests use: storage in the cluster's directory, fast requeues.
    pub fn config(&self) -> EngineConfig {
        EngineConfig::new(self.cluster.dir().join("engine"))
    }

    pub async fn start_engine(&mut self, config: EngineConfig) {
        let logs = self.logs.clone();
        let log = EngineLog::new(move |line| logs.lock().unwrap().push(line));
        let engine = Engine::start(self.client.clone(), config, log).await.expect("start the engine");
        self.engine = Some(engine);
    }

    pub fn apply(&self, name: &str, yaml: &str) {
        let path = self.cluster.dir().join(format!("{name}.yaml"));
        std::fs::write(&path, yaml).expect("write the manifest");
        self.cluster.kubectl_success(&["apply", "-f", path.to_str().expect("utf-8 temp path")]);
    }

    /// Applies the GitRepository `name` in `default`: branch `main` of `url`, every `interval`.
    pub fn apply_git_repository(&self, name: &str, url: &str, interval: &str) {
        self.apply(
            name,
            &format!(
                "apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata:\n  name: {name}\n  namespace: default\nspec:\n  url: {url}\n  interval: {interval}\n  ref:\n    branch: main\n"
            ),
        );
    }

    /// The object as JSON.
    pub async fn get(&self, kind: FluxKind, namespace: &str, name: &str) -> Option<Value> {
        let api: Api<DynamicObject> =
            Api::namespaced_with(self.client.clone(), namespace, &kind.api_resource(kind.versions()[0]));
        api.get_opt(name).await.expect("read the object").map(|o| serde_json::to_value(o).expect("as JSON"))
    }

    /// Waits until `ready` holds for the object in `default`, and returns it; panics with the object and the
    /// engine's log.
    pub async fn wait_for(&self, kind: FluxKind, name: &str, what: &str, ready: impl Fn(&Value) -> bool) -> Value {
        self.wait_for_in(kind, "default", name, what, ready).await
    }

    /// [`EngineCluster::wait_for`] in `namespace`.
    pub async fn wait_for_in(
        &self,
        kind: FluxKind,
        namespace: &str,
        name: &str,
        what: &str,
        ready: impl Fn(&Value) -> bool,
    ) -> Value {
        let label = format!("{kind:?} {namespace}/{name}");
        self.poll(&label, what, || self.get(kind, namespace, name), ready).await
    }

    /// Any object, by `apiVersion`, kind and plural, as JSON (`namespace` empty for cluster-scoped kinds).
    pub async fn live(
        &self,
        api_version: &str,
        kind: &str,
        plural: &str,
        namespace: &str,
        name: &str,
    ) -> Option<Value> {
        let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
        let gvk = kube::core::GroupVersionKind::gvk(group, version, kind);
        let resource = kube::core::ApiResource::from_gvk_with_plural(&gvk, plural);
        let api: Api<DynamicObject> = if namespace.is_empty() {
            Api::all_with(self.client.clone(), &resource)
        } else {
            Api::namespaced_with(self.client.clone(), namespace, &resource)
        };
        api.get_opt(name).await.expect("read").map(|o| serde_json::to_value(o).expect("JSON"))
    }

    /// Waits until the object exists and `ready` holds for it.
    pub async fn wait_live(
        &self,
        (api_version, kind, plural): (&str, &str, &str),
        namespace: &str,
        name: &str,
        what: &str,
        ready: impl Fn(&Value) -> bool,
    ) -> Value {
        let label = format!("{kind} {namespace}/{name}");
        self.poll(&label, what, || self.live(api_version, kind, plural, namespace, name), ready).await
    }

    /// Reads the object every 50 ms until it exists and `ready` holds; panics after [`DEADLINE`] with the last
    /// object seen and the engine's log.
    async fn poll<F: std::future::Future<Output = Option<Value>>>(
        &self,
        label: &str,
        what: &str,
        read: impl Fn() -> F,
        ready: impl Fn(&Value) -> bool,
    ) -> Value {
        let started = Instant::now();
        let mut last = None;
        while started.elapsed() < DEADLINE {
            if let Some(object) = read().await {
                if ready(&object) {
                    return object;
                }
                last = Some(object);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "{label}: {what} not seen in {DEADLINE:?}; last: {}\nengine log:\n{}",
            serde_json::to_string_pretty(&last).unwrap_or_default(),
            self.logs.lock().unwrap().join("\n")
        );
    }

    pub async fn stop(mut self) {
        if let Some(engine) = self.engine.take() {
            engine.stop().await;
        }
    }
}

/// A Kustomization `name` in `default` building `path` of the GitRepository `app`, prune on, every `interval`,
/// with `extra` (indented spec fields) appended to its spec.
pub fn kustomization_yaml(name: &str, path: &str, interval: &str, extra: &str) -> String {
    format!(
        "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: {name}\n  namespace: default\nspec:\n  interval: {interval}\n  path: {path}\n  prune: true\n  sourceRef:\n    kind: GitRepository\n    name: app\n{extra}"
    )
}

/// The condition of `type_`.
pub fn condition<'a>(object: &'a Value, type_: &str) -> Option<&'a Value> {
    object["status"]["conditions"].as_array()?.iter().find(|c| c["type"] == type_)
}

/// Whether Ready has `status`, at the object's current generation (observedGeneration of the condition).
pub fn ready_is(object: &Value, status: &str) -> bool {
    condition(object, "Ready")
        .is_some_and(|c| c["status"] == status && c["observedGeneration"] == object["metadata"]["generation"])
}

/// The kstatus contract on the object's status (SEMANTICS.md §2.2). Kinds whose status has no
/// `observedGeneration` (ArtifactGenerator, ExternalArtifact) are held to their Ready condition's.
pub fn assert_kstatus(object: &Value) {
    let conditions: Vec<fluxtui::api::Condition> =
        serde_json::from_value(object["status"]["conditions"].clone()).expect("conditions");
    let generation = object["metadata"]["generation"].as_i64().expect("generation");
    let observed = object["status"]["observedGeneration"]
        .as_i64()
        .or_else(|| condition(object, "Ready").and_then(|ready| ready["observedGeneration"].as_i64()));
    if let Err(broken) = check_kstatus(&conditions, generation, observed) {
        panic!("kstatus broken: {broken}\n{}", serde_json::to_string_pretty(object).unwrap_or_default());
    }
}

/// Events recorded on the object, as (type, reason, message, annotations).
pub async fn events_of(client: &Client, name: &str) -> Vec<Value> {
    let api: Api<k8s_openapi::api::core::v1::Event> = Api::namespaced(client.clone(), "default");
    let list = api.list(&Default::default()).await.expect("list events");
    list.items
        .into_iter()
        .filter(|e| e.involved_object.name.as_deref() == Some(name))
        .map(|e| serde_json::to_value(e).expect("event as JSON"))
        .collect()
}
