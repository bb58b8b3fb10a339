//! Simulated cluster controllers: what the controller manager and the kubelet would do, so that
//! health checks (kstatus, `kubectl rollout status`, `helm install --wait`) mean something.
//!
//! Every controller is event-driven: it watches the store's change broadcast, reconciles the
//! objects a change concerns, and writes back through [`ApiState`] (admission, status
//! subresources and watches apply as for any client), with the real controllers' field managers
//! (`kube-controller-manager`, `kubelet`). Timers are used only for real delays: pod start-up
//! (`SandboxConfig::pod_ready_delay`), crash-loop back-off, progress deadlines, cron schedules.
//!
//! | Controller | What it does |
//! |---|---|
//! | [`defaults`] | admission-time defaulting and validation of pods and workload kinds |
//! | kubelet | binds pods to node `sandbox`, runs them, crash-loops failing containers |
//! | replicaset, deployment, statefulset, daemonset, job, cronjob | the workload controllers |
//! | gc | ownerReference cascades: background, foreground and orphan deletion |
//! | namespace | empties a terminating namespace, then finalizes it |
//! | serviceaccount | a `default` ServiceAccount in every namespace |
//! | endpoints | Endpoints and EndpointSlices of Services with selectors |
//! | binders | PVCs become Bound, LoadBalancer Services get an ingress IP (helm `--wait` checks both) |
//!
//! # Making pods fail
//!
//! A container whose image name contains `fail` (for example `ghcr.io/acme/app:fail`) crashes
//! on start; so does every container of a pod annotated `sandbox.fluxtui.io/fail: "true"`
//! (put the annotation on a Deployment's pod template to make its rollout fail). Crashing
//! containers go to `CrashLoopBackOff` with exit code 1 and a growing `restartCount`; with
//! `restartPolicy: Never` the pod ends `Failed`, which makes a Job fail with `BackoffLimitExceeded`.
//!
//! With `SandboxConfig::simulate_workloads` off, only the bookkeeping controllers run (garbage
//! collector, namespace, service accounts): pods then stay Pending, as on a cluster without nodes.

mod binders;
mod client;
mod cron;
mod cronjob;
mod daemonset;
pub mod defaults;
mod deployment;
mod endpoints;
mod events;
mod gc;
mod job;
mod kubelet;
mod namespace;
mod replicaset;
mod revision;
mod runtime;
mod serviceaccount;
mod statefulset;

pub use kubelet::FAIL_ANNOTATION;

use crate::resources::ApiState;
use client::Api;
use events::Recorder;
use std::sync::Arc;

/// Starts the simulated controllers; they stop when `shutdown` turns true.
pub fn spawn(state: Arc<ApiState>, shutdown: tokio::sync::watch::Receiver<bool>) -> Vec<tokio::task::JoinHandle<()>> {
    let api = Api::new(state.clone());
    let recorder = Recorder::new(api.clone());
    let mut handles = vec![
        runtime::run(gc::GarbageCollector::new(api.clone()), state.clone(), shutdown.clone()),
        runtime::run(namespace::NamespaceController::new(api.clone()), state.clone(), shutdown.clone()),
        runtime::run(serviceaccount::ServiceAccounts::new(api.clone()), state.clone(), shutdown.clone()),
    ];
    if state.config.simulate_workloads {
        handles.extend([
            runtime::run(kubelet::Kubelet::new(api.clone(), recorder.clone()), state.clone(), shutdown.clone()),
            runtime::run(replicaset::ReplicaSets::new(api.clone(), recorder.clone()), state.clone(), shutdown.clone()),
            runtime::run(deployment::Deployments::new(api.clone(), recorder.clone()), state.clone(), shutdown.clone()),
            runtime::run(
                statefulset::StatefulSets::new(api.clone(), recorder.clone()),
                state.clone(),
                shutdown.clone(),
            ),
            runtime::run(daemonset::DaemonSets::new(api.clone(), recorder.clone()), state.clone(), shutdown.clone()),
            runtime::run(job::Jobs::new(api.clone(), recorder.clone()), state.clone(), shutdown.clone()),
            runtime::run(cronjob::CronJobs::new(api.clone(), recorder.clone()), state.clone(), shutdown.clone()),
            runtime::run(endpoints::Endpoints::new(api.clone()), state.clone(), shutdown.clone()),
            runtime::run(binders::Binders::new(api.clone()), state.clone(), shutdown.clone()),
        ]);
    }
    handles
}

#[cfg(test)]
mod tests;
