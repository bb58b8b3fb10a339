//! readyExpr (CEL) in the dependency graph on a live sandbox: an expression patched into `apps`'s `dependsOn` with
//! kubectl decides whether `infra-configs` blocks it, and relabelling `infra-configs` with kubectl walks the
//! expression through an evaluation error, false, and true (which replaces Flux's built-in rule, so the failing
//! infra-configs no longer blocks apps).

use crate::support::{Fleet, STEP, assert_quits_cleanly};
use crate::support::{show_one, start_ui};

const EXPR: &str = "dep.metadata.labels.tier == 'infra'";

#[test]
fn a_ready_expr_decides_the_blocking_chain_as_the_dependency_changes() {
    let fleet = Fleet::start();
    fleet.kubectl(&[
        "patch",
        "kustomization",
        "apps",
        "-n",
        "flux-system",
        "--type=json",
        "-p",
        &format!(r#"[{{"op":"add","path":"/spec/dependsOn/0/readyExpr","value":"{EXPR}"}}]"#),
    ]);
    let tmux = start_ui(&fleet, &[]);

    show_one(&tmux, "ks", "^apps$");
    tmux.send_keys(&["D"]);
    // infra-configs has no `tier` label: evaluating the expression fails, and the chain says so.
    let screen = tmux.wait_for("the evaluation error", STEP, |screen| {
        screen.contains(&format!("apps waits for infra-configs: readyExpr `{EXPR}` fails: no such key:"))
            && screen.contains("◀ blocks")
    });
    assert!(screen.contains("needs infra-configs (readyExpr)"), "{screen}");

    // Labelled, but not `infra`: the expression is false.
    fleet.kubectl(&["label", "kustomization", "infra-configs", "-n", "flux-system", "tier=platform"]);
    tmux.wait_for_text(&format!("apps waits for infra-configs: readyExpr `{EXPR}` is false"), STEP);

    // Labelled `infra`: the expression holds and replaces the built-in rule, so infra-configs, still failing its
    // health check, no longer blocks apps.
    fleet.kubectl(&["label", "kustomization", "infra-configs", "-n", "flux-system", "--overwrite", "tier=infra"]);
    tmux.wait_for("the expression holds", STEP, |screen| {
        screen.contains("apps is not ready yet:") && !screen.contains("◀ blocks") && !screen.contains("readyExpr `")
    });

    tmux.send_keys(&["q"]);
    assert_quits_cleanly(&tmux);
}
