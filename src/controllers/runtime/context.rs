//! What every reconciler gets: the client (and clients impersonating ServiceAccounts), the artifact storage, the working directories, the event
//! recorders, the log, the backoff, and the version each kind is served at.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use k8s_openapi::api::core::v1::Secret;
use kube::Client;
use kube::api::Api;
use kube::core::{ApiResource, GroupVersionKind};

use super::backoff::Backoff;
use super::events::EventRecorder;
use super::impersonation::{ImpersonatedClients, ImpersonationError};
use super::logs::EngineLog;
use crate::api::FluxKind;
use crate::api::object::AnyFluxObject;
use crate::controllers::names::annotation;
use crate::controllers::storage::{ExtractedArtifacts, Storage};

/// Flux's `--requeue-dependency` default.
pub const DEFAULT_REQUEUE_DEPENDENCY: std::time::Duration = std::time::Duration::from_secs(30);

/// The shared state of a running engine.
pub struct Context {
    pub client: Client,
    pub storage: Arc<Storage>,
    /// Where reconcilers keep working copies (Git clones reused across fetches), one directory per object.
    pub work_root: PathBuf,
    pub log: EngineLog,
    pub backoff: Backoff,
    /// `namespace` of `fluxtui controller --watch-namespace`, `None` for all namespaces.
    pub namespace: Option<String>,
    /// The version of each kind the cluster serves (kinds it does not serve are absent).
    pub versions: HashMap<FluxKind, String>,
    /// The reconcile metrics.
    pub metrics: Arc<super::metrics::Metrics>,
    /// `--requeue-dependency`: how soon an object waiting on a dependency or an artifact looks again.
    pub requeue_dependency: std::time::Duration,
    /// Source artifacts unpacked once per revision for the builds that read them.
    pub extracted: ExtractedArtifacts,
    /// The kinds discovery found, for every reconcile that applies objects.
    pub kinds: super::kinds::KindCache,
    /// One recorder per controller name (`source-controller`, ...).
    recorders: HashMap<&'static str, EventRecorder>,
    /// `--default-service-account`: the account applies act as when an object names none.
    pub default_service_account: Option<String>,
    /// `--watch-configs-label-selector`: the ConfigMaps and Secrets whose changes wake the objects using them
    /// (empty: all of them).
    pub watch_configs_selector: String,
    impersonated: ImpersonatedClients,
}

/// Why a referenced Secret could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("failed to get secret '{namespace}/{name}': {detail}")]
pub struct SecretError {
    pub namespace: String,
    pub name: String,
    pub detail: String,
}

/// Flux's default `--watch-configs-label-selector`: `reconcile.fluxcd.io/watch=Enabled`.
pub fn default_watch_configs_selector() -> String {
    format!("{}={}", annotation::WATCH_LABEL, annotation::WATCH_ENABLED)
}

impl Context {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        client: Client,
        storage: Arc<Storage>,
        work_root: PathBuf,
        log: EngineLog,
        backoff: Backoff,
        namespace: Option<String>,
        versions: HashMap<FluxKind, String>,
        instance: &str,
    ) -> Context {
        let recorders = crate::controllers::CONTROLLER_NAMES
            .iter()
            .map(|name| (*name, EventRecorder::new(client.clone(), name, instance.to_string(), log.clone())))
            .collect();
        let metrics = Arc::new(super::metrics::Metrics::new());
        let requeue_dependency = DEFAULT_REQUEUE_DEPENDENCY;
        let extracted = ExtractedArtifacts::new(work_root.join("extracted"));
        Context {
            client,
            storage,
            work_root,
            log,
            backoff,
            namespace,
            versions,
            metrics,
            requeue_dependency,
            extracted,
            kinds: Default::default(),
            recorders,
            default_service_account: None,
            watch_configs_selector: default_watch_configs_selector(),
            impersonated: ImpersonatedClients::default(),
        }
    }

    /// The ServiceAccount writes to the cluster act as for an object in `namespace` naming `service_account`:
    /// that one, else `--default-service-account`, else none (the engine's own identity). As in Flux, the
    /// account always lives in the object's namespace.
    pub fn service_account(&self, service_account: Option<&str>) -> Option<String> {
        service_account.filter(|s| !s.is_empty()).map(str::to_string).or_else(|| self.default_service_account.clone())
    }

    /// The client to apply, health-check and prune with: impersonating `namespace/<service_account>` when
    /// [`Context::service_account`] names one, the engine's own client otherwise. Status writes, events and
    /// source reads always use [`Context::client`].
    pub fn client_as(&self, namespace: &str, service_account: Option<&str>) -> Result<Client, ImpersonationError> {
        match self.service_account(service_account) {
            Some(name) => self.impersonated.client(&self.client, namespace, &name),
            None => Ok(self.client.clone()),
        }
    }

    /// The recorder of `controller`.
    pub fn recorder(&self, controller: &'static str) -> &EventRecorder {
        // Every name in CONTROLLER_NAMES has a recorder; a kind's controller name is always one of them.
        &self.recorders[controller]
    }

    /// The resource of `kind` at its served version.
    pub fn api_resource(&self, kind: FluxKind) -> Option<ApiResource> {
        served_resource(&self.versions, kind)
    }

    /// The API of `kind` in `namespace`.
    pub fn api(&self, kind: FluxKind, namespace: &str) -> Option<Api<AnyFluxObject>> {
        let resource = self.api_resource(kind)?;
        Some(Api::all_with(self.client.clone(), &resource).constrain(namespace))
    }

    /// A Secret's data, decoded.
    pub async fn secret_data(&self, namespace: &str, name: &str) -> Result<BTreeMap<String, Vec<u8>>, SecretError> {
        secret_data(&self.client, namespace, name).await
    }

    /// The working directory of one object of `kind`.
    pub fn work_dir(&self, kind: FluxKind, namespace: &str, name: &str) -> PathBuf {
        self.work_root.join(kind.name().to_lowercase()).join(namespace).join(name)
    }
}

/// What the stages that only read Flux objects need: the client and the API of each served kind. The engine's
/// [`Context`] is one; [`ServedApis`] is one for tools that run a stage without an engine (`fluxtui diff`).
pub trait FluxReader: Sync {
    fn client(&self) -> &Client;
    /// The API of `kind` in `namespace`, `None` when the cluster does not serve the kind.
    fn flux_api(&self, kind: FluxKind, namespace: &str) -> Option<Api<AnyFluxObject>>;
}

impl FluxReader for Context {
    fn client(&self) -> &Client {
        &self.client
    }

    fn flux_api(&self, kind: FluxKind, namespace: &str) -> Option<Api<AnyFluxObject>> {
        self.api(kind, namespace)
    }
}

/// The client and the version discovery found for each Flux kind, without the rest of an engine.
#[derive(Clone)]
pub struct ServedApis {
    client: Client,
    versions: HashMap<FluxKind, String>,
}

impl ServedApis {
    /// Asks the cluster which version of each Flux kind it serves.
    pub async fn discover(client: Client) -> Result<ServedApis, kube::Error> {
        let served = crate::cluster::discovery::discover(&client).await?;
        let versions = served.iter().filter_map(|(kind, version)| version.map(|v| (*kind, v.to_string()))).collect();
        Ok(ServedApis { client, versions })
    }
}

impl FluxReader for ServedApis {
    fn client(&self) -> &Client {
        &self.client
    }

    fn flux_api(&self, kind: FluxKind, namespace: &str) -> Option<Api<AnyFluxObject>> {
        let resource = served_resource(&self.versions, kind)?;
        Some(Api::all_with(self.client.clone(), &resource).constrain(namespace))
    }
}

fn served_resource(versions: &HashMap<FluxKind, String>, kind: FluxKind) -> Option<ApiResource> {
    let version = versions.get(&kind)?;
    let gvk = GroupVersionKind::gvk(kind.group(), version, kind.name());
    Some(ApiResource::from_gvk_with_plural(&gvk, kind.plural()))
}

/// A Secret's data, decoded.
pub async fn secret_data(
    client: &Client,
    namespace: &str,
    name: &str,
) -> Result<BTreeMap<String, Vec<u8>>, SecretError> {
    let api: Api<Secret> = Api::namespaced(client.clone(), namespace);
    let error = |detail: String| SecretError { namespace: namespace.to_string(), name: name.to_string(), detail };
    match api.get(name).await {
        Ok(secret) => {
            let mut data: BTreeMap<String, Vec<u8>> =
                secret.data.unwrap_or_default().into_iter().map(|(key, value)| (key, value.0)).collect();
            // stringData is write-only on a real API server, but a sandbox or an old object may carry it.
            for (key, value) in secret.string_data.unwrap_or_default() {
                data.entry(key).or_insert_with(|| value.into_bytes());
            }
            Ok(data)
        }
        Err(kube::Error::Api(status)) if status.code == 404 => Err(error(format!("secrets \"{name}\" not found"))),
        Err(err) => Err(error(err.to_string())),
    }
}

/// Parses a Go duration from a spec, falling back to `default` when unset or unreadable (the CRD's pattern
/// rejects bad values before they reach the engine).
pub fn spec_duration(text: Option<&str>, default: Duration) -> Duration {
    text.and_then(|t| crate::model::go_duration::parse_duration(t).ok()).unwrap_or(default)
}
