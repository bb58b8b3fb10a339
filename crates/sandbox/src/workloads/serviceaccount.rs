//! The service account controller: every namespace that is not terminating has a `default`
//! ServiceAccount, recreated if someone deletes it.

use super::client::{Api, CONTROLLER_MANAGER, gr, is_deleting};
use super::runtime::Reconciler;
use crate::error::ApiError;
use crate::store::{EventType, WatchEvent};
use serde_json::json;
use std::time::Duration;

pub(super) struct ServiceAccounts {
    api: Api,
}

impl ServiceAccounts {
    pub fn new(api: Api) -> Self {
        ServiceAccounts { api }
    }
}

impl Reconciler for ServiceAccounts {
    type Key = String;

    fn name(&self) -> &'static str {
        "serviceaccount-controller"
    }

    fn keys_for(&mut self, event: &WatchEvent, out: &mut Vec<String>) {
        match (event.gr.group.as_str(), event.gr.resource.as_str()) {
            ("", "namespaces") if event.event_type == EventType::Added => out.push(event.object.name.clone()),
            ("", "serviceaccounts") if event.event_type == EventType::Deleted && event.object.name == "default" => {
                out.push(event.object.namespace.clone())
            }
            _ => {}
        }
    }

    fn all_keys(&mut self) -> Vec<String> {
        self.api.keys(&gr("", "namespaces"), None).into_iter().map(|(_, name)| name).collect()
    }

    fn reconcile(&mut self, key: &String) -> Result<Option<Duration>, ApiError> {
        let Some(namespace) = self.api.get(&gr("", "namespaces"), "", key) else { return Ok(None) };
        let accounts = gr("", "serviceaccounts");
        if is_deleting(&namespace) || self.api.get(&accounts, key, "default").is_some() {
            return Ok(None);
        }
        let body =
            json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "default", "namespace": key}});
        match self.api.create(&accounts, key, body, CONTROLLER_MANAGER) {
            Err(err) if err.code == 409 && err.reason == "AlreadyExists" => Ok(None),
            Err(err) => Err(err),
            Ok(_) => Ok(None),
        }
    }
}
