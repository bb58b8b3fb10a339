//! Moving around with the default keymap: views, the filter, namespaces, describe, YAML, help and quitting.

use serde_json::Value;

use crate::support::{
    Fleet, STARTUP, STEP, assert_quits_cleanly, count_fixtures, fluxtui_in_tmux, path_str, row, title,
};

fn kind_is(kinds: &'static [&'static str]) -> impl Fn(&Value) -> bool {
    move |object| kinds.contains(&object["kind"].as_str().unwrap_or_default())
}

#[test]
fn keys_switch_views_filter_change_namespace_open_details_and_help_then_q_exits_cleanly() {
    let fleet = Fleet::start();
    let total = count_fixtures(|_| true).to_string();
    let tmux = fluxtui_in_tmux(fleet.dir(), &["--kubeconfig", path_str(&fleet.kubeconfig())]);

    // The default view lists every object, with the statuses kubectl wrote. Each wait checks the whole
    // expected screen: a capture may catch a frame half drawn.
    tmux.wait_for("every object, infra-configs failing", STARTUP, |screen| {
        screen.contains(&title("All", "all", &total))
            && row(screen, &["flux-system", "Kustomization", "infra-configs"])
                .is_some_and(|line| line.contains("False") && line.contains("health check failed"))
    });

    // `:ks`, `:hr` and the number keys switch views.
    tmux.type_text(":ks");
    tmux.send_keys(&["Enter"]);
    let kustomizations = count_fixtures(kind_is(&["Kustomization"])).to_string();
    tmux.wait_for_text(&title("Kustomizations", "all", &kustomizations), STEP);
    tmux.type_text(":hr");
    tmux.send_keys(&["Enter"]);
    let releases = count_fixtures(kind_is(&["HelmRelease"])).to_string();
    tmux.wait_for("the HelmReleases", STEP, |screen| {
        screen.contains(&title("HelmReleases", "all", &releases)) && row(screen, &["podinfo", "podinfo"]).is_some()
    });
    tmux.send_keys(&["3"]);
    let sources = count_fixtures(kind_is(&["GitRepository", "OCIRepository", "HelmRepository", "HelmChart", "Bucket"]));
    tmux.wait_for_text(&title("Sources", "all", &sources.to_string()), STEP);
    tmux.send_keys(&["2"]);
    tmux.wait_for_text(&title("All", "all", &total), STEP);

    // `/` filters, and the title counts what is left.
    tmux.type_text("/team-b");
    tmux.send_keys(&["Enter"]);
    tmux.wait_for("the two team-b objects only", STEP, |screen| {
        screen.contains(&title("All", "all", &format!("2/{total}")))
            && screen.contains("</team-b>")
            && row(screen, &["team-b", "GitRepository", "team-b-apps"]).is_some()
            && row(screen, &["team-b", "Kustomization", "team-b"]).is_some()
            && !screen.contains("infra-configs")
    });
    // Esc at the root clears the filter.
    tmux.send_keys(&["Escape"]);
    tmux.wait_for_text(&title("All", "all", &total), STEP);

    // `:ns podinfo` limits the rows to a namespace; `0` shows them all again.
    tmux.type_text(":ns podinfo");
    tmux.send_keys(&["Enter"]);
    let in_podinfo = count_fixtures(|object| object["metadata"]["namespace"] == "podinfo").to_string();
    tmux.wait_for("the objects of namespace podinfo only", STEP, |screen| {
        screen.contains(&title("All", "podinfo", &in_podinfo))
            && screen.contains("Namespace: podinfo")
            // One namespace: no NAMESPACE column.
            && row(screen, &["HelmRelease", "podinfo"]).is_some()
            && !screen.contains("infra-configs")
    });
    tmux.send_keys(&["0"]);
    tmux.wait_for_text(&title("All", "all", &total), STEP);

    // `d` describes the selected object, `y` shows its YAML, Esc goes back to the table.
    tmux.type_text(":ks");
    tmux.send_keys(&["Enter"]);
    tmux.wait_for_text(&title("Kustomizations", "all", &kustomizations), STEP);
    tmux.type_text("/infra-configs");
    tmux.send_keys(&["Enter"]);
    tmux.wait_for_text(&title("Kustomizations", "all", &format!("1/{kustomizations}")), STEP);
    tmux.send_keys(&["d"]);
    tmux.wait_for("the description of infra-configs", STEP, |screen| {
        screen.contains(" Describe Kustomization/flux-system/infra-configs ")
            && screen.contains("Name:         infra-configs")
            && screen.contains("False (HealthCheckFailed)")
    });
    tmux.send_keys(&["y"]);
    tmux.wait_for("the YAML of infra-configs", STEP, |screen| {
        screen.contains(" YAML Kustomization/flux-system/infra-configs ")
            && screen.contains("kind: Kustomization")
            && screen.contains("name: infra-configs")
    });
    tmux.send_keys(&["Escape"]);
    tmux.wait_for("the filtered Kustomizations again", STEP, |screen| {
        screen.contains(&title("Kustomizations", "all", &format!("1/{kustomizations}")))
            && row(screen, &["flux-system", "infra-configs"]).is_some()
            && !screen.contains(" YAML ")
    });

    // `?` lists the keys of the active keymap; Esc closes it.
    tmux.send_keys(&["?"]);
    tmux.wait_for("the help", STEP, |screen| {
        screen.contains("Show the keys of the active keymap") && screen.contains("ctrl-c, q")
    });
    tmux.send_keys(&["Escape"]);
    tmux.wait_for_text(&title("Kustomizations", "all", &format!("1/{kustomizations}")), STEP);

    tmux.send_keys(&["q"]);
    assert_quits_cleanly(&tmux);
}
