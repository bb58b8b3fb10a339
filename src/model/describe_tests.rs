use serde_json::json;

use super::*;

const SHA1: &str = "450796ddb2ab6724ee1cc32a4be56da032d1cca0";

fn now() -> DateTime<Utc> {
    parse_time("2024-05-01T12:00:00Z").expect("valid")
}

fn text(lines: &[StyledLine]) -> String {
    lines.iter().map(|line| line.text() + "\n").collect()
}

fn class_of(lines: &[StyledLine], needle: &str) -> Vec<TextClass> {
    lines.iter().flat_map(|line| &line.spans).filter(|span| span.text.contains(needle)).map(|span| span.class).collect()
}

fn kustomization() -> AnyFluxObject {
    AnyFluxObject::from_value(json!({
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
        "kind": "Kustomization",
        "metadata": {"name": "apps", "namespace": "flux-system", "generation": 3,
                     "creationTimestamp": "2024-04-30T12:00:00Z", "labels": {"team": "platform"}},
        "spec": {
            "interval": "10m",
            "path": "./apps/production",
            "prune": true,
            "sourceRef": {"kind": "GitRepository", "name": "flux-system"},
            "dependsOn": [{"name": "infra-configs"}],
            "components": ["../components/a", "../components/b"],
            "postBuild": {"substitute": {"cluster_name": "prod", "api_token": "s3cr3t"}},
            "patches": [{"patch": "- op: replace\n  path: /spec/replicas\n  value: 2\n", "target": {"kind": "Deployment"}}]
        },
        "status": {
            "observedGeneration": 2,
            "lastAppliedRevision": format!("main@sha1:{SHA1}"),
            "lastAttemptedRevision": format!("main@sha1:{SHA1}"),
            "lastHandledReconcileAt": "2024-05-01T11:55:00Z",
            "inventory": {"entries": [
                {"id": "_podinfo__Namespace", "v": "v1"},
                {"id": "podinfo_podinfo__Service", "v": "v1"},
                {"id": "podinfo_podinfo_apps_Deployment", "v": "v1"}
            ]},
            "history": [{"digest": "sha256:2e3b9ef2e3b9ef2e3b9ef2e3b9ef2e3b9ef2e3b9ef2e3b9ef2e3b9ef2e3b9ef0",
                         "firstReconciled": "2024-04-30T12:00:00Z", "lastReconciled": "2024-05-01T11:50:00Z",
                         "lastReconciledDuration": "2.1s", "lastReconciledStatus": "ReconciliationSucceeded",
                         "totalReconciliations": 12, "metadata": {"revision": format!("main@sha1:{SHA1}")}}],
            "conditions": [
                {"type": "Ready", "status": "True", "reason": "ReconciliationSucceeded",
                 "lastTransitionTime": "2024-05-01T11:50:00Z", "message": format!("Applied revision: main@sha1:{SHA1}")},
                {"type": "Healthy", "status": "False", "reason": "HealthCheckFailed",
                 "lastTransitionTime": "2024-05-01T11:00:00Z", "message": "timeout waiting for: [Deployment/podinfo/podinfo status: 'InProgress']"}
            ]
        }
    }))
}

#[test]
fn kustomization_reads_like_kubectl_describe() {
    let lines = describe(&kustomization(), false, now());
    let all = text(&lines);
    // Spec keys come in the object's own order, which the api types decide; check each block on its own.
    let header = "\
Name:         apps
Namespace:    flux-system
Kind:         Kustomization
API Version:  kustomize.toolkit.fluxcd.io/v1
Labels:       team=platform
Annotations:  <none>
Created:      2024-04-30T12:00:00Z (24h ago)
Suspended:    False
Spec:
";
    assert!(all.starts_with(header), "{all}");
    for block in [
        "  sourceRef:\n    kind:  GitRepository\n    name:  flux-system\n",
        "  dependsOn:\n  - name:  infra-configs\n",
        "  components:  [../components/a, ../components/b]\n",
        "  postBuild:\n    substitute:\n",
        "      api_token:     ••••••••\n",
        "  patches:\n  - patch:   |\n      - op: replace\n        path: /spec/replicas\n        value: 2\n    target:\n      kind:  Deployment\n",
    ] {
        assert!(all.contains(block), "{block}\n---\n{all}");
    }
    let status = format!(
        "\
Status:
  Ready:                   True (ReconciliationSucceeded)
  Message:                 Applied revision: main@sha1:{SHA1}
  Revision:                main@sha1:{SHA1}
  Observed Generation:     2 (generation 3: not reconciled yet)
  Last Handled Reconcile:  2024-05-01T11:55:00Z (5m ago)
  Conditions:
    TYPE     STATUS  REASON                   AGE  MESSAGE
    Ready    True    ReconciliationSucceeded  10m  Applied revision: main@sha1:{SHA1}
    Healthy  False   HealthCheckFailed        60m  timeout waiting for: [Deployment/podinfo/podinfo status: 'InProgress']
  Inventory:               3 entries
  History:
    REVISION                STATUS                   RECONCILIATIONS  DIGEST               LAST
    main@sha1:450796ddb2ab  ReconciliationSucceeded  12               sha256:2e3b9ef2e3b9  10m
"
    );
    assert!(all.contains(&status), "{all}");
    assert!(all.contains(&format!("  lastAppliedRevision:    main@sha1:{SHA1}\n")), "{all}");
    assert_eq!(class_of(&lines, "HealthCheckFailed")[0], TextClass::Value);
    assert_eq!(class_of(&lines, "Healthy"), [TextClass::Failed]);
    assert_eq!(class_of(&lines, "not reconciled yet"), [TextClass::Reconciling]);
    // Ready=True at an old generation is not ready yet.
    assert_eq!(class_of(&lines, "True (ReconciliationSucceeded)"), [TextClass::Reconciling]);
    assert!(text(&describe(&kustomization(), true, now())).contains("api_token:     s3cr3t"));
}

#[test]
fn helm_release_history_and_helm_logs() {
    let release = AnyFluxObject::from_value(json!({
        "apiVersion": "helm.toolkit.fluxcd.io/v2",
        "kind": "HelmRelease",
        "metadata": {"name": "podinfo", "namespace": "podinfo", "generation": 1, "creationTimestamp": "2024-05-01T10:00:00Z"},
        "spec": {"interval": "50m", "chart": {"spec": {"chart": "podinfo", "sourceRef": {"kind": "HelmRepository", "name": "podinfo"}}},
                 "values": {"redis": {"enabled": true, "password": "hunter2"}}},
        "status": {
            "observedGeneration": 1,
            "helmChart": "flux-system/podinfo-podinfo",
            "lastAttemptedRevision": "6.5.1",
            "history": [
                {"name": "podinfo", "namespace": "podinfo", "version": 2, "status": "failed", "chartName": "podinfo",
                 "chartVersion": "6.5.1", "appVersion": "6.5.1", "digest": "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                 "lastDeployed": "2024-05-01T11:00:00Z"},
                {"name": "podinfo", "namespace": "podinfo", "version": 1, "status": "superseded", "chartName": "podinfo",
                 "chartVersion": "6.5.0", "appVersion": "6.5.0", "digest": "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
                 "lastDeployed": "2024-05-01T10:00:00Z"}
            ],
            "conditions": [
                {"type": "Ready", "status": "False", "reason": "UpgradeFailed", "lastTransitionTime": "2024-05-01T11:00:00Z",
                 "message": "Helm upgrade failed for release podinfo/podinfo with chart podinfo@6.5.1: context deadline exceeded\n\nLast Helm logs:\n\nwaiting for 1 pods to be ready"},
                {"type": "Released", "status": "False", "reason": "UpgradeFailed", "lastTransitionTime": "2024-05-01T11:00:00Z",
                 "message": "Helm upgrade failed"},
                {"type": "Stalled", "status": "True", "reason": "RetriesExceeded", "lastTransitionTime": "2024-05-01T11:00:00Z",
                 "message": "Failed to upgrade after 1 attempt(s)"}
            ]
        }
    }));
    let lines = describe(&release, false, now());
    let all = text(&lines);
    assert!(all.contains("password:  ••••••••"), "{all}");
    assert!(all.contains(
        "    VERSION  CHART    CHART VERSION  APP VERSION  STATUS      DIGEST               DEPLOYED\n    2        podinfo  6.5.1          6.5.1        failed      sha256:aaaaaaaaaaaa  60m\n"
    ), "{all}");
    assert!(all.contains("  Ready message:\n    Helm upgrade failed for release"), "{all}");
    assert!(all.contains("    Last Helm logs:\n"), "{all}");
    assert!(all.contains("  helmChart:              flux-system/podinfo-podinfo\n"), "{all}");
    let failed = lines.iter().flat_map(|line| &line.spans).find(|span| span.text == "failed").map(|span| span.class);
    assert_eq!(failed, Some(TextClass::Failed));
    assert_eq!(class_of(&lines, "Stalled"), [TextClass::Failed]);
    assert_eq!(class_of(&lines, "False (UpgradeFailed)"), [TextClass::Failed]);
}

#[test]
fn git_repository_artifact() {
    let repository = AnyFluxObject::from_value(json!({
        "apiVersion": "source.toolkit.fluxcd.io/v1",
        "kind": "GitRepository",
        "metadata": {"name": "flux-system", "namespace": "flux-system", "generation": 1,
                     "annotations": {"reconcile.fluxcd.io/requestedAt": "2024-05-01T11:59:00Z"}},
        "spec": {"interval": "1m0s", "url": "ssh://git@github.com/org/fleet", "ref": {"branch": "main"}, "secretRef": {"name": "flux-system"}},
        "status": {
            "observedGeneration": 1,
            "artifact": {"path": "gitrepository/flux-system/flux-system/450796dd.tar.gz",
                         "url": "http://source-controller.flux-system.svc.cluster.local./gitrepository/flux-system/flux-system/450796dd.tar.gz",
                         "revision": format!("main@sha1:{SHA1}"), "digest": "sha256:2e3b", "lastUpdateTime": "2024-05-01T11:30:00Z", "size": 4213},
            "conditions": [
                {"type": "Reconciling", "status": "True", "reason": "Progressing", "message": "building artifact: new upstream revision 'main@sha1:1234'"},
                {"type": "Ready", "status": "Unknown", "reason": "Progressing", "message": "building artifact"},
                {"type": "ArtifactOutdated", "status": "True", "reason": "NewRevision", "message": "new upstream revision 'main@sha1:1234'"}
            ]
        }
    }));
    let lines = describe(&repository, false, now());
    let all = text(&lines);
    assert!(all.contains("Annotations:  reconcile.fluxcd.io/requestedAt=2024-05-01T11:59:00Z\n"), "{all}");
    assert!(all.contains("    name:  flux-system\n"), "secretRef names stay visible: {all}");
    assert!(all.contains("  Artifact:\n    Revision:   main@sha1:"), "{all}");
    assert!(all.contains("    Size:       4213 bytes\n    Updated:    2024-05-01T11:30:00Z (30m ago)\n"), "{all}");
    assert!(all.contains("    Reconciling       True     Progressing  -    building artifact"), "{all}");
    assert_eq!(class_of(&lines, "Unknown (Progressing)"), [TextClass::Reconciling]);
    assert_eq!(class_of(&lines, "ArtifactOutdated"), [TextClass::Failed]);
}

#[test]
fn unparsed_and_statusless_objects() {
    let broken = AnyFluxObject::from_value(json!({
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
        "kind": "Kustomization",
        "metadata": {"name": "broken", "namespace": "apps"},
        "spec": {"suspend": "yes", "interval": "\u{1b}[2J5m"}
    }));
    let lines = describe(&broken, false, now());
    let all = text(&lines);
    assert!(all.contains("Error:        cannot read object: "), "{all}");
    assert!(all.contains("  interval:  [2J5m\n"), "control characters are dropped: {all}");
    assert!(all.contains("Created:      <unknown>\n"));
    assert!(all.contains("  Conditions:              <none>\n"));
    let alert = AnyFluxObject::from_value(json!({
        "apiVersion": "notification.toolkit.fluxcd.io/v1beta3",
        "kind": "Alert",
        "metadata": {"name": "slack", "namespace": "flux-system"},
        "spec": {"providerRef": {"name": "slack"}, "eventSeverity": "info",
                 "eventSources": [{"kind": "GitRepository", "name": "*"}, {"kind": "Kustomization", "name": "*"}]}
    }));
    let all = text(&describe(&alert, false, now()));
    assert!(all.contains("  eventSources:\n  - kind:  GitRepository\n    name:  *\n  - kind:"), "{all}");
    assert!(all.contains("  Ready:                   True\n"), "{all}");
}

#[test]
fn condition_classes() {
    assert_eq!(condition_class("Ready", "True"), TextClass::Ready);
    assert_eq!(condition_class("Ready", "False"), TextClass::Failed);
    assert_eq!(condition_class("Ready", "Unknown"), TextClass::Reconciling);
    assert_eq!(condition_class("Reconciling", "True"), TextClass::Reconciling);
    assert_eq!(condition_class("Stalled", "True"), TextClass::Failed);
    assert_eq!(condition_class("Drifted", "False"), TextClass::Ready);
    assert_eq!(condition_class("TestSuccess", "False"), TextClass::Failed);
}
