//! The demo fleet: namespaces, the Flux controllers' deployments and the Flux objects with their statuses.

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde_json::{Value, json};

/// A commit id that looks real and is stable: the snapshots depend on it.
fn commit(seed: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut out = String::with_capacity(40);
    while out.len() < 40 {
        for byte in seed.bytes().chain(out.len().to_string().bytes()) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        out.push_str(&format!("{hash:016x}"));
    }
    out.truncate(40);
    out
}

fn digest(seed: &str) -> String {
    format!("{}{}", commit(seed), &commit(&format!("{seed}+"))[..24])
}

fn time(now: DateTime<Utc>, minutes_ago: i64) -> String {
    (now - Duration::minutes(minutes_ago)).to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The namespaces the demo objects live in.
pub fn namespaces() -> Vec<Value> {
    ["flux-system", "apps", "podinfo", "ingress-nginx", "monitoring", "team-a", "team-b"]
        .into_iter()
        .map(|name| {
            let mut labels = json!({"kubernetes.io/metadata.name": name});
            if name == "flux-system" {
                labels["app.kubernetes.io/instance"] = json!("flux-system");
                labels["app.kubernetes.io/part-of"] = json!("flux");
                labels["app.kubernetes.io/version"] = json!("v2.9.0");
            }
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels}})
        })
        .collect()
}

/// The Flux controllers' deployments in flux-system, as `flux install` creates them.
pub fn controller_deployments() -> Vec<Value> {
    [
        ("source-controller", "v1.9.0"),
        ("kustomize-controller", "v1.9.0"),
        ("helm-controller", "v1.6.0"),
        ("notification-controller", "v1.9.0"),
        ("image-reflector-controller", "v1.2.0"),
        ("image-automation-controller", "v1.2.0"),
    ]
    .into_iter()
    .map(|(name, version)| {
        json!({
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {
                "name": name,
                "namespace": "flux-system",
                "labels": {
                    "app.kubernetes.io/component": name,
                    "app.kubernetes.io/instance": "flux-system",
                    "app.kubernetes.io/part-of": "flux",
                    "app.kubernetes.io/version": "v2.9.0",
                    "control-plane": "controller"
                }
            },
            "spec": {
                "replicas": 1,
                "selector": {"matchLabels": {"app": name}},
                "template": {
                    "metadata": {
                        "labels": {"app": name},
                        // What the sandbox's simulated container prints: Flux lines about the demo fleet.
                        "annotations": {fluxtui_sandbox::LOG_SCRIPT_ANNOTATION: super::log_script(name)}
                    },
                    "spec": {
                        "serviceAccountName": name,
                        "containers": [{
                            "name": "manager",
                            "image": format!("ghcr.io/fluxcd/{name}:{version}"),
                            "args": ["--events-addr=http://notification-controller.flux-system.svc.cluster.local./", "--watch-all-namespaces=true", "--log-level=info", "--log-encoding=json", "--enable-leader-election"],
                            "ports": [{"containerPort": 8080, "name": "http-prom", "protocol": "TCP"}]
                        }]
                    }
                }
            }
        })
    })
    .collect()
}

/// A condition set as the controllers leave it.
fn ready(now: DateTime<Utc>, minutes_ago: i64, generation: i64, reason: &str, message: &str) -> Value {
    json!([{
        "type": "Ready", "status": "True", "reason": reason, "message": message,
        "lastTransitionTime": time(now, minutes_ago), "observedGeneration": generation
    }])
}

fn failing(now: DateTime<Utc>, minutes_ago: i64, generation: i64, reason: &str, message: &str) -> Value {
    json!([
        {"type": "Ready", "status": "False", "reason": reason, "message": message,
         "lastTransitionTime": time(now, minutes_ago), "observedGeneration": generation},
        {"type": "Reconciling", "status": "True", "reason": "ProgressingWithRetry", "message": format!("retrying: {message}"),
         "lastTransitionTime": time(now, minutes_ago), "observedGeneration": generation}
    ])
}

fn progressing(now: DateTime<Utc>, minutes_ago: i64, generation: i64, message: &str) -> Value {
    json!([
        {"type": "Reconciling", "status": "True", "reason": "Progressing", "message": message,
         "lastTransitionTime": time(now, minutes_ago), "observedGeneration": generation},
        {"type": "Ready", "status": "Unknown", "reason": "Progressing", "message": "Reconciliation in progress",
         "lastTransitionTime": time(now, minutes_ago), "observedGeneration": generation}
    ])
}

fn object(
    api_version: &str,
    kind: &str,
    namespace: &str,
    name: &str,
    created: String,
    spec: Value,
    status: Value,
) -> Value {
    json!({
        "apiVersion": api_version,
        "kind": kind,
        "metadata": {
            "name": name, "namespace": namespace, "generation": 1, "creationTimestamp": created,
            "uid": format!("{}-{}", &commit(&format!("{namespace}/{name}/{kind}"))[..8], &commit(name)[..12]),
            "labels": {"kustomize.toolkit.fluxcd.io/name": "flux-system", "kustomize.toolkit.fluxcd.io/namespace": "flux-system"}
        },
        "spec": spec,
        "status": status
    })
}

fn artifact(
    kind: &str,
    namespace: &str,
    name: &str,
    revision: &str,
    file: &str,
    now: DateTime<Utc>,
    ago: i64,
) -> Value {
    json!({
        "path": format!("{kind}/{namespace}/{name}/{file}"),
        "url": format!("http://source-controller.flux-system.svc.cluster.local./{kind}/{namespace}/{name}/{file}"),
        "revision": revision,
        "digest": format!("sha256:{}", digest(&format!("{kind}{name}{revision}"))),
        "lastUpdateTime": time(now, ago),
        "size": 48_213
    })
}

/// Every demo Flux object with its status, timestamps relative to `now`.
pub fn flux_objects(now: DateTime<Utc>) -> Vec<Value> {
    let source = "source.toolkit.fluxcd.io/v1";
    let fleet = format!("main@sha1:{}", commit("fleet-infra"));
    let podinfo_tag = format!("6.7.1@sha1:{}", commit("podinfo-6.7.1"));
    let manifests = format!("v2.9.0@sha256:{}", digest("flux-manifests"));
    let index = format!("sha256:{}", digest("podinfo-index"));
    let mut objects = vec![
        object(
            source,
            "GitRepository",
            "flux-system",
            "flux-system",
            time(now, 60 * 24 * 41),
            json!({"interval": "1m0s", "ref": {"branch": "main"}, "secretRef": {"name": "flux-system"}, "timeout": "60s", "url": "ssh://git@github.com/acme/fleet-infra"}),
            json!({"observedGeneration": 1, "conditions": ready(now, 3, 1, "Succeeded", &format!("stored artifact for revision '{fleet}'")),
                   "artifact": artifact("gitrepository", "flux-system", "flux-system", &fleet, &format!("{}.tar.gz", commit("fleet-infra")), now, 3)}),
        ),
        object(
            source,
            "GitRepository",
            "flux-system",
            "podinfo",
            time(now, 60 * 24 * 12),
            json!({"interval": "5m0s", "ref": {"tag": "6.7.1"}, "url": "https://github.com/stefanprodan/podinfo", "ignore": "/*\n!/kustomize\n"}),
            json!({"observedGeneration": 1, "conditions": ready(now, 62, 1, "Succeeded", &format!("stored artifact for revision '{podinfo_tag}'")),
                   "artifact": artifact("gitrepository", "flux-system", "podinfo", &podinfo_tag, &format!("{}.tar.gz", commit("podinfo-6.7.1")), now, 62)}),
        ),
        object(
            source,
            "GitRepository",
            "team-b",
            "team-b-apps",
            time(now, 60 * 24 * 3),
            json!({"interval": "1m0s", "ref": {"branch": "main"}, "secretRef": {"name": "team-b-git"}, "url": "https://github.com/acme/team-b-apps"}),
            json!({"observedGeneration": 1, "conditions": failing(now, 17, 1, "AuthenticationFailed",
                "failed to checkout and determine revision: unable to clone 'https://github.com/acme/team-b-apps': authentication required: Invalid username or token. Password authentication is not supported for Git operations.")}),
        ),
        object(
            source,
            "OCIRepository",
            "flux-system",
            "flux-manifests",
            time(now, 60 * 24 * 20),
            json!({"interval": "10m0s", "provider": "generic", "ref": {"tag": "v2.9.0"}, "url": "oci://ghcr.io/fluxcd/flux-manifests"}),
            json!({"observedGeneration": 1, "conditions": ready(now, 8, 1, "Succeeded", &format!("stored artifact for digest '{manifests}'")),
                   "artifact": artifact("ocirepository", "flux-system", "flux-manifests", &manifests, &format!("{}.tar.gz", digest("flux-manifests")), now, 8)}),
        ),
        object(
            source,
            "HelmRepository",
            "flux-system",
            "podinfo",
            time(now, 60 * 24 * 12),
            json!({"interval": "1h0m0s", "url": "https://stefanprodan.github.io/podinfo"}),
            json!({"observedGeneration": 1, "conditions": ready(now, 44, 1, "Succeeded", &format!("stored artifact: revision '{index}'")),
                   "artifact": artifact("helmrepository", "flux-system", "podinfo", &index, &format!("index-{}.yaml", &digest("podinfo-index")[..64]), now, 44)}),
        ),
        object(
            source,
            "HelmRepository",
            "flux-system",
            "bitnami",
            time(now, 60 * 24 * 12),
            json!({"interval": "1h0m0s", "type": "oci", "url": "oci://registry-1.docker.io/bitnamicharts"}),
            json!({}),
        ),
        object(
            source,
            "HelmRepository",
            "ingress-nginx",
            "ingress-nginx",
            time(now, 60 * 24 * 30),
            json!({"interval": "24h0m0s", "url": "https://kubernetes.github.io/ingress-nginx"}),
            json!({"observedGeneration": 1, "conditions": ready(now, 300, 1, "Succeeded", &format!("stored artifact: revision 'sha256:{}'", digest("ingress-index"))),
                   "artifact": artifact("helmrepository", "ingress-nginx", "ingress-nginx", &format!("sha256:{}", digest("ingress-index")), "index.yaml", now, 300)}),
        ),
        object(
            source,
            "HelmChart",
            "flux-system",
            "podinfo-podinfo",
            time(now, 60 * 24 * 12),
            json!({"chart": "podinfo", "interval": "5m0s", "reconcileStrategy": "ChartVersion", "sourceRef": {"kind": "HelmRepository", "name": "podinfo"}, "version": "6.7.*"}),
            json!({"observedGeneration": 1, "observedChartName": "podinfo", "observedSourceArtifactRevision": index,
                   "conditions": ready(now, 44, 1, "ChartPullSucceeded", "pulled 'podinfo' chart with version '6.7.1'"),
                   "artifact": artifact("helmchart", "flux-system", "podinfo-podinfo", "6.7.1", "podinfo-6.7.1.tgz", now, 44)}),
        ),
        object(
            source,
            "HelmChart",
            // helm-controller creates a release's chart in its source's namespace.
            "ingress-nginx",
            "ingress-nginx-ingress-nginx",
            time(now, 60 * 24 * 30),
            json!({"chart": "ingress-nginx", "interval": "24h0m0s", "sourceRef": {"kind": "HelmRepository", "name": "ingress-nginx"}, "version": "4.11.x"}),
            json!({"observedGeneration": 1, "conditions": ready(now, 300, 1, "ChartPullSucceeded", "pulled 'ingress-nginx' chart with version '4.11.3'"),
                   "artifact": artifact("helmchart", "ingress-nginx", "ingress-nginx-ingress-nginx", "4.11.3", "ingress-nginx-4.11.3.tgz", now, 300)}),
        ),
        object(
            source,
            "Bucket",
            "flux-system",
            "terraform-state",
            time(now, 60 * 24 * 7),
            json!({"bucketName": "acme-flux-artifacts", "endpoint": "s3.eu-west-1.amazonaws.com", "interval": "5m0s", "provider": "aws", "region": "eu-west-1", "suspend": true}),
            json!({"observedGeneration": 1, "conditions": ready(now, 60 * 50, 1, "Succeeded", &format!("stored artifact: revision 'sha256:{}'", digest("bucket"))),
                   "artifact": artifact("bucket", "flux-system", "terraform-state", &format!("sha256:{}", digest("bucket")), &format!("{}.tar.gz", digest("bucket")), now, 60 * 50)}),
        ),
    ];
    objects.extend(kustomizations(now, &fleet));
    objects.extend(helm_releases(now));
    objects.extend(notifications(now));
    objects.extend(image_automation(now, &fleet));
    objects
}

fn kustomizations(now: DateTime<Utc>, fleet: &str) -> Vec<Value> {
    let api = "kustomize.toolkit.fluxcd.io/v1";
    let applied = format!("Applied revision: {fleet}");
    let source = |name: &str| json!({"kind": "GitRepository", "name": name, "namespace": "flux-system"});
    // Flux records each entry's served version: v2 for HelmReleases, v1 for the rest of this fleet.
    let version = |id: &str| if id.contains("_helm.toolkit.fluxcd.io_") { "v2" } else { "v1" };
    let inventory = |entries: &[&str]| json!({"entries": entries.iter().map(|id| json!({"id": id, "v": version(id)})).collect::<Vec<_>>()});
    vec![
        object(
            api,
            "Kustomization",
            "flux-system",
            "flux-system",
            time(now, 60 * 24 * 41),
            json!({"interval": "10m0s", "path": "./clusters/production", "prune": true, "sourceRef": source("flux-system")}),
            json!({"observedGeneration": 1, "lastAppliedRevision": fleet, "lastAttemptedRevision": fleet,
                   "conditions": ready(now, 3, 1, "ReconciliationSucceeded", &applied),
                   "inventory": inventory(&["_flux-system__Namespace", "flux-system_flux-system_source.toolkit.fluxcd.io_GitRepository", "flux-system_flux-system_kustomize.toolkit.fluxcd.io_Kustomization"])}),
        ),
        object(
            api,
            "Kustomization",
            "flux-system",
            "infra-controllers",
            time(now, 60 * 24 * 41),
            json!({"interval": "1h0m0s", "path": "./infrastructure/controllers", "prune": true, "sourceRef": source("flux-system"), "wait": true, "timeout": "5m0s"}),
            json!({"observedGeneration": 1, "lastAppliedRevision": fleet, "lastAttemptedRevision": fleet,
                   "conditions": ready(now, 3, 1, "ReconciliationSucceeded", &applied),
                   "inventory": inventory(&["_ingress-nginx__Namespace", "ingress-nginx_ingress-nginx_helm.toolkit.fluxcd.io_HelmRelease", "ingress-nginx_ingress-nginx_source.toolkit.fluxcd.io_HelmRepository"])}),
        ),
        object(
            api,
            "Kustomization",
            "flux-system",
            "infra-configs",
            time(now, 60 * 24 * 41),
            json!({"dependsOn": [{"name": "infra-controllers"}], "interval": "1h0m0s", "path": "./infrastructure/configs", "prune": true, "sourceRef": source("flux-system")}),
            json!({"observedGeneration": 1, "lastAppliedRevision": fleet, "lastAttemptedRevision": fleet,
                   "conditions": failing(now, 12, 1, "HealthCheckFailed", "health check failed after 5m0s: timeout waiting for: [ClusterIssuer/letsencrypt status: 'InProgress']")}),
        ),
        object(
            api,
            "Kustomization",
            "flux-system",
            "apps",
            time(now, 60 * 24 * 41),
            json!({"dependsOn": [{"name": "infra-configs"}], "interval": "10m0s", "path": "./apps/production", "prune": true, "sourceRef": source("flux-system"), "postBuild": {"substituteFrom": [{"kind": "ConfigMap", "name": "cluster-vars"}]}}),
            json!({"observedGeneration": 1, "lastAttemptedRevision": fleet,
                   "conditions": progressing(now, 1, 1, "dependency 'flux-system/infra-configs' is not ready")}),
        ),
        object(
            api,
            "Kustomization",
            "flux-system",
            "monitoring",
            time(now, 60 * 24 * 20),
            json!({"interval": "1h0m0s", "path": "./monitoring", "prune": true, "sourceRef": {"kind": "OCIRepository", "name": "flux-manifests"}, "suspend": true}),
            json!({"observedGeneration": 1, "lastAppliedRevision": format!("v2.9.0@sha256:{}", digest("flux-manifests")),
                   "conditions": ready(now, 60 * 30, 1, "ReconciliationSucceeded", "Applied revision: v2.9.0")}),
        ),
        object(
            api,
            "Kustomization",
            "team-a",
            "team-a",
            time(now, 60 * 24 * 5),
            json!({"interval": "5m0s", "path": "./tenants/team-a", "prune": true, "serviceAccountName": "team-a", "sourceRef": source("flux-system"), "targetNamespace": "team-a"}),
            json!({"observedGeneration": 1, "lastAppliedRevision": fleet, "conditions": ready(now, 4, 1, "ReconciliationSucceeded", &applied)}),
        ),
        object(
            api,
            "Kustomization",
            "team-b",
            "team-b",
            time(now, 60 * 24 * 3),
            json!({"interval": "5m0s", "path": "./deploy", "prune": true, "serviceAccountName": "team-b", "sourceRef": {"kind": "GitRepository", "name": "team-b-apps"}}),
            json!({"observedGeneration": 1, "conditions": failing(now, 17, 1, "ArtifactFailed", "Source artifact not found, retrying in 30s")}),
        ),
    ]
}

fn helm_releases(now: DateTime<Utc>) -> Vec<Value> {
    let api = "helm.toolkit.fluxcd.io/v2";
    let history = |chart: &str, version: &str, status: &str, ago: i64| {
        json!([{
            "name": chart, "namespace": chart, "chartName": chart, "chartVersion": version, "appVersion": version,
            "configDigest": format!("sha256:{}", digest(&format!("{chart}{version}"))),
            "digest": format!("sha256:{}", digest(&format!("{chart}{version}release"))),
            "firstDeployed": time(now, ago + 60), "lastDeployed": time(now, ago), "status": status, "version": 3
        }])
    };
    vec![
        object(
            api,
            "HelmRelease",
            "podinfo",
            "podinfo",
            time(now, 60 * 24 * 12),
            json!({"chart": {"spec": {"chart": "podinfo", "version": "6.7.*", "sourceRef": {"kind": "HelmRepository", "name": "podinfo", "namespace": "flux-system"}}},
                   "interval": "10m0s", "releaseName": "podinfo", "install": {"remediation": {"retries": 3}},
                   "values": {"replicaCount": 2, "redis": {"enabled": true, "password": "s3cr3t-redis-pass"}, "ingress": {"enabled": true, "hosts": [{"host": "podinfo.example.com", "paths": [{"path": "/", "pathType": "Prefix"}]}]}}}),
            json!({"observedGeneration": 1, "lastAttemptedRevision": "6.7.1", "lastAttemptedConfigDigest": format!("sha256:{}", digest("podinfo-values")),
                   "helmChart": "flux-system/podinfo-podinfo", "storageNamespace": "podinfo",
                   "conditions": [
                       {"type": "Ready", "status": "True", "reason": "UpgradeSucceeded", "message": "Helm upgrade succeeded for release podinfo/podinfo.v3 with chart podinfo@6.7.1", "lastTransitionTime": time(now, 40), "observedGeneration": 1},
                       {"type": "Released", "status": "True", "reason": "UpgradeSucceeded", "message": "Helm upgrade succeeded for release podinfo/podinfo.v3 with chart podinfo@6.7.1", "lastTransitionTime": time(now, 40), "observedGeneration": 1}],
                   "history": history("podinfo", "6.7.1", "deployed", 40)}),
        ),
        object(
            api,
            "HelmRelease",
            "ingress-nginx",
            "ingress-nginx",
            time(now, 60 * 24 * 30),
            json!({"chart": {"spec": {"chart": "ingress-nginx", "version": "4.11.x", "sourceRef": {"kind": "HelmRepository", "name": "ingress-nginx"}}},
                   "interval": "30m0s", "install": {"crds": "CreateReplace"}, "upgrade": {"remediation": {"retries": 3, "remediateLastFailure": true}},
                   "values": {"controller": {"service": {"type": "LoadBalancer"}, "metrics": {"enabled": true}}}}),
            json!({"observedGeneration": 1, "lastAttemptedRevision": "4.11.3", "failures": 4, "upgradeFailures": 4,
                   "conditions": [
                       {"type": "Ready", "status": "False", "reason": "UpgradeFailed", "message": "Helm upgrade failed for release ingress-nginx/ingress-nginx with chart ingress-nginx@4.11.3: context deadline exceeded", "lastTransitionTime": time(now, 9), "observedGeneration": 1},
                       {"type": "Released", "status": "False", "reason": "UpgradeFailed", "message": "Helm upgrade failed for release ingress-nginx/ingress-nginx with chart ingress-nginx@4.11.3: context deadline exceeded", "lastTransitionTime": time(now, 9), "observedGeneration": 1},
                       {"type": "Stalled", "status": "True", "reason": "RetriesExceeded", "message": "Failed to upgrade after 4 attempt(s)", "lastTransitionTime": time(now, 9), "observedGeneration": 1}],
                   "history": history("ingress-nginx", "4.11.2", "deployed", 60 * 24 * 9)}),
        ),
        object(
            api,
            "HelmRelease",
            "monitoring",
            "kube-prometheus-stack",
            time(now, 60 * 24 * 20),
            json!({"chartRef": {"kind": "OCIRepository", "name": "kube-prometheus-stack", "namespace": "flux-system"}, "interval": "1h0m0s", "suspend": true}),
            json!({"observedGeneration": 1, "conditions": ready(now, 60 * 30, 1, "InstallSucceeded", "Helm install succeeded for release monitoring/kube-prometheus-stack.v1 with chart kube-prometheus-stack@66.2.1"),
                   "history": history("kube-prometheus-stack", "66.2.1", "deployed", 60 * 30)}),
        ),
        object(
            api,
            "HelmRelease",
            "team-a",
            "redis",
            time(now, 2),
            json!({"chart": {"spec": {"chart": "redis", "version": "20.x", "sourceRef": {"kind": "HelmRepository", "name": "bitnami", "namespace": "flux-system"}}}, "interval": "10m0s"}),
            json!({"observedGeneration": 1, "conditions": progressing(now, 1, 1, "Running 'install' action with timeout of 5m0s")}),
        ),
    ]
}

fn notifications(now: DateTime<Utc>) -> Vec<Value> {
    let api = "notification.toolkit.fluxcd.io/v1beta3";
    vec![
        object(
            api,
            "Provider",
            "flux-system",
            "slack",
            time(now, 60 * 24 * 40),
            json!({"type": "slack", "channel": "#flux-alerts", "address": "https://slack.com/api/chat.postMessage", "secretRef": {"name": "slack-bot-token"}}),
            json!({}),
        ),
        object(
            api,
            "Provider",
            "flux-system",
            "github-status",
            time(now, 60 * 24 * 40),
            json!({"type": "github", "address": "https://github.com/acme/fleet-infra", "secretRef": {"name": "github-token"}}),
            json!({}),
        ),
        object(
            api,
            "Alert",
            "flux-system",
            "on-call",
            time(now, 60 * 24 * 40),
            json!({"providerRef": {"name": "slack"}, "eventSeverity": "error", "eventSources": [{"kind": "Kustomization", "name": "*"}, {"kind": "HelmRelease", "name": "*", "namespace": "*"}], "summary": "production cluster"}),
            json!({}),
        ),
        object(
            api,
            "Alert",
            "flux-system",
            "commit-status",
            time(now, 60 * 24 * 40),
            json!({"providerRef": {"name": "github-status"}, "eventSeverity": "info", "eventSources": [{"kind": "Kustomization", "name": "flux-system"}]}),
            json!({}),
        ),
        object(
            "notification.toolkit.fluxcd.io/v1",
            "Receiver",
            "flux-system",
            "github-webhook",
            time(now, 60 * 24 * 40),
            json!({"type": "github", "events": ["ping", "push"], "secretRef": {"name": "webhook-token"}, "resources": [{"kind": "GitRepository", "name": "flux-system"}]}),
            json!({"observedGeneration": 1, "webhookPath": format!("/hook/{}", digest("receiver")),
                   "conditions": ready(now, 60 * 24 * 40, 1, "Succeeded", &format!("Receiver initialized for path: /hook/{}", digest("receiver")))}),
        ),
    ]
}

fn image_automation(now: DateTime<Utc>, fleet: &str) -> Vec<Value> {
    let api = "image.toolkit.fluxcd.io/v1";
    vec![
        object(
            api,
            "ImageRepository",
            "flux-system",
            "podinfo",
            time(now, 60 * 24 * 12),
            json!({"image": "ghcr.io/stefanprodan/podinfo", "interval": "5m0s", "provider": "generic"}),
            json!({"observedGeneration": 1, "canonicalImageName": "ghcr.io/stefanprodan/podinfo",
                   "lastScanResult": {"scanTime": time(now, 2), "tagCount": 87, "latestTags": ["6.7.1", "6.7.0", "6.6.3", "6.6.2", "6.6.1"]},
                   "conditions": ready(now, 2, 1, "Succeeded", "successful scan: found 87 tags")}),
        ),
        object(
            api,
            "ImagePolicy",
            "flux-system",
            "podinfo",
            time(now, 60 * 24 * 12),
            json!({"imageRepositoryRef": {"name": "podinfo"}, "policy": {"semver": {"range": "6.x"}}}),
            json!({"observedGeneration": 1, "latestRef": {"name": "ghcr.io/stefanprodan/podinfo", "tag": "6.7.1"},
                   "observedPreviousRef": {"name": "ghcr.io/stefanprodan/podinfo", "tag": "6.7.0"},
                   "conditions": ready(now, 2, 1, "Succeeded", "Latest image tag for ghcr.io/stefanprodan/podinfo resolved to 6.7.1 (previously ghcr.io/stefanprodan/podinfo:6.7.0)")}),
        ),
        object(
            api,
            "ImageUpdateAutomation",
            "flux-system",
            "flux-system",
            time(now, 60 * 24 * 12),
            json!({"interval": "30m0s", "sourceRef": {"kind": "GitRepository", "name": "flux-system"},
                   "git": {"checkout": {"ref": {"branch": "main"}}, "commit": {"author": {"email": "fluxcdbot@users.noreply.github.com", "name": "fluxcdbot"}, "messageTemplate": "{{range .Changed.Changes}}{{print .OldValue}} -> {{println .NewValue}}{{end}}"}, "push": {"branch": "main"}},
                   "update": {"path": "./apps", "strategy": "Setters"}}),
            json!({"observedGeneration": 1, "lastAutomationRunTime": time(now, 6), "lastPushCommit": commit("image-update"), "lastPushTime": time(now, 60 * 26),
                   "observedSourceRevision": fleet,
                   "conditions": ready(now, 6, 1, "Succeeded", &format!("repository up-to-date at {fleet}"))}),
        ),
    ]
}
