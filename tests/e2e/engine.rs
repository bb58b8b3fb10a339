//! `fluxtui --controller`: the embedded engine inside a session, against the sandbox with a real Git server.

use fluxtui_testkit::{GitDaemon, GitRepos};
use serde_json::json;

use crate::support::{Fleet, STARTUP, STEP, assert_quits_cleanly, line_with, start_ui};

#[test]
fn the_embedded_engine_reconciles_a_new_repository_and_follows_new_commits() {
    let fleet = Fleet::start();
    let repos = GitRepos::new();
    let repo = repos.create("fleet");
    let first = repo.commit(&[("apps/app.yaml", "kind: ConfigMap\n")], "first");
    repo.push();
    let daemon = GitDaemon::start(&repos);
    let tmux = start_ui(&fleet, &["--controller"]);
    tmux.wait_for_text("Engine: running", STARTUP);

    let source = json!({
        "apiVersion": "source.toolkit.fluxcd.io/v1",
        "kind": "GitRepository",
        "metadata": {"name": "engine-fleet", "namespace": "flux-system"},
        "spec": {"interval": "1m", "url": daemon.url(&repo), "ref": {"branch": "main"}}
    });
    fleet.apply("engine-fleet", &[source], &[]);
    let short = &first[..5];
    tmux.wait_for("the engine's artifact", STEP, |screen| {
        line_with(screen, &["GitRepository", "engine-fleet", &format!("main@sha1:{short}"), "True", "stored artifact"])
            .is_some()
    });

    // A new commit and `r` (reconcile) on the row: the engine fetches it at once, and the UI's wait ends.
    let second = repo.commit(&[("apps/app.yaml", "kind: Secret\n")], "second");
    repo.push();
    tmux.type_text("/engine-fleet");
    tmux.send_keys(&["Enter"]);
    tmux.wait_for_text("[1/", STEP);
    tmux.send_keys(&["r"]);
    let short = &second[..5];
    tmux.wait_for("the new revision", STEP, |screen| {
        line_with(screen, &["GitRepository", "engine-fleet", &format!("main@sha1:{short}"), "True"]).is_some()
    });
    // Its events are the engine's: NewArtifact from source-controller.
    let events = fleet.kubectl(&[
        "get",
        "events",
        "-n",
        "flux-system",
        "--field-selector",
        "involvedObject.name=engine-fleet",
        "-o",
        "json",
    ]);
    assert!(events.contains("\"NewArtifact\"") && events.contains("stored artifact for commit 'second'"), "{events}");

    tmux.send_keys(&["q"]);
    assert_quits_cleanly(&tmux);
    // Quitting released the engine's lease.
    let holder = fleet.kubectl(&[
        "get",
        "lease",
        "fluxtui-controller",
        "-n",
        "default",
        "-o",
        "jsonpath={.spec.holderIdentity}",
    ]);
    assert_eq!(holder.trim(), "", "the lease is released on quit");
}
