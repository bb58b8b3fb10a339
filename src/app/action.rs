//! Everything a user can ask for: each action has a kebab-case name (used in keymap files and `:` commands)
//! and a one-line description (used by the help view and the footer hints).

macro_rules! actions {
    ($($variant:ident => $name:literal, $description:literal;)+) => {
        /// A user's request, produced by the keymap (or the command line) and handled by the update step.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Action {
            $($variant,)+
        }

        impl Action {
            /// Every action, in the order the help view lists them.
            pub const ALL: &'static [Action] = &[$(Action::$variant,)+];

            /// The name keymap files use.
            pub fn name(self) -> &'static str {
                match self {
                    $(Action::$variant => $name,)+
                }
            }

            pub fn description(self) -> &'static str {
                match self {
                    $(Action::$variant => $description,)+
                }
            }

            pub fn from_name(name: &str) -> Option<Action> {
                match name {
                    $($name => Some(Action::$variant),)+
                    _ => None,
                }
            }
        }
    };
}

actions! {
    Quit => "quit", "Quit fluxtui";
    Help => "help", "Show the keys of the active keymap";
    Back => "back", "Close the current view, or clear the filter";
    MoveUp => "move-up", "Select the previous row";
    MoveDown => "move-down", "Select the next row";
    PageUp => "page-up", "Move up one page";
    PageDown => "page-down", "Move down one page";
    HalfPageUp => "half-page-up", "Move up half a page";
    HalfPageDown => "half-page-down", "Move down half a page";
    Top => "top", "Go to the first row";
    Bottom => "bottom", "Go to the last row";
    ScrollLeft => "scroll-left", "Scroll the text to the left";
    ScrollRight => "scroll-right", "Scroll the text to the right";
    Open => "open", "Open the selected object (describe)";
    Describe => "describe", "Describe the selected object: spec, status and conditions";
    ShowYaml => "show-yaml", "Show the selected object's YAML";
    RevealSecrets => "reveal-secrets", "Reveal or mask secret values in the YAML and describe views";
    ToggleWrap => "toggle-wrap", "Wrap long lines in text views";
    StartFilter => "start-filter", "Filter rows: text, regex, ! to invert, -l key=value for labels";
    StartCommand => "start-command", "Enter a command (:ks, :hr, :ns name, :ctx name, ...)";
    NextTab => "next-tab", "Show the next kind in this pane";
    PreviousTab => "previous-tab", "Show the previous kind in this pane";
    ShowOverview => "show-overview", "Show the overview: counts, failures, controllers";
    ShowAll => "show-all", "Show every Flux object";
    ShowSources => "show-sources", "Show sources (Git, OCI, Helm, Bucket)";
    ShowKustomizations => "show-kustomizations", "Show Kustomizations";
    ShowHelmReleases => "show-helm-releases", "Show HelmReleases";
    ShowNotifications => "show-notifications", "Show alerts, providers and receivers";
    ShowImageAutomation => "show-image-automation", "Show image repositories, policies and automations";
    ShowFavorites => "show-favorites", "Show favorite objects";
    ToggleFavorite => "toggle-favorite", "Mark or unmark the selected object as a favorite";
    AllNamespaces => "all-namespaces", "Show objects in every namespace";
    SortByName => "sort-by-name", "Sort by name (again to reverse)";
    SortByNamespace => "sort-by-namespace", "Sort by namespace (again to reverse)";
    SortByKind => "sort-by-kind", "Sort by kind (again to reverse)";
    SortByReady => "sort-by-ready", "Sort by readiness, failures first (again to reverse)";
    SortByRevision => "sort-by-revision", "Sort by revision (again to reverse)";
    SortBySuspended => "sort-by-suspended", "Sort by suspended (again to reverse)";
    SortByMessage => "sort-by-message", "Sort by message (again to reverse)";
    SortByAge => "sort-by-age", "Sort by age, newest first (again to reverse)";
    SortByLastReconcile => "sort-by-last-reconcile", "Sort by time since the last reconcile (again to reverse)";
    PickTheme => "pick-theme", "Choose a theme, previewed live";
    PickContext => "pick-context", "Choose a kubeconfig context";
    PickNamespace => "pick-namespace", "Choose a namespace";
    Suspend => "suspend", "Suspend the selected object (spec.suspend: true)";
    Resume => "resume", "Resume the selected object (spec.suspend: false)";
    Reconcile => "reconcile", "Ask the controller to reconcile the selected object now";
    ToggleMark => "toggle-mark", "Mark or unmark the selected row; writes act on the marked rows";
    ClearMarks => "clear-marks", "Unmark every row";
    Delete => "delete", "Delete the selected (or marked) objects, after a confirmation";
    ReconcileWithSource => "reconcile-with-source", "Reconcile the source first, then the object (--with-source)";
    ReconcileForce => "reconcile-force", "HelmRelease: force a one-off install or upgrade (--force)";
    ReconcileReset => "reconcile-reset", "HelmRelease: reset the failure counters and reconcile (--reset)";
    ShowActionLog => "show-action-log", "Show every action of this session and its outcome";
    ShowTree => "show-tree", "Show the objects a Kustomization or HelmRelease manages, with live status (flux tree)";
    ShowDiff => "show-diff", "Show what reconciling the selected Kustomization would change now (server-side dry-run, flux diff); again to recompute";
    ShowTrace => "show-trace", "Trace the selected object to its Kustomization or HelmRelease, source and revision";
    ShowHelmDetails => "show-helm-details", "Show a HelmRelease's history, applied values and values sources";
    ShowPods => "show-pods", "Show the pods of the selected workload, followed live";
    ShowDependencyGraph => "show-dependency-graph", "Show the dependsOn graph around the selected object (every graph without one)";
    Edit => "edit", "Edit the selected object in $VISUAL/$EDITOR and apply it (server-side apply, field manager fluxtui)";
    ShowEvents => "show-events", "Show the selected object's Kubernetes events, live (:events for every Flux object)";
    ShowLogs => "show-logs", "Show the Flux controllers' logs about the selected object, live (:logs for all)";
    ToggleFollow => "toggle-follow", "Logs: pause or resume following new lines";
    CycleLogLevel => "cycle-log-level", "Logs: show all levels, debug and above, info and above, or errors only";
    SaveLogs => "save-logs", "Logs: save the buffered lines to a file";
}

impl Action {
    /// Whether the action writes to the cluster: refused in read-only mode.
    pub fn writes(self) -> bool {
        matches!(self, Action::Suspend | Action::Resume | Action::Reconcile)
            || matches!(
                self,
                Action::Delete | Action::ReconcileWithSource | Action::ReconcileForce | Action::ReconcileReset
            )
            || matches!(self, Action::Edit)
    }
}

impl Action {
    /// Up, down, a page, half a page, top, bottom: the actions [`Action::moved`] gives a meaning to.
    pub fn is_movement(self) -> bool {
        self.moved(0, 0, 1).is_some()
    }

    /// Where a movement action takes a position (a selected row, or a scroll offset) that may go from 0 to `last`
    /// with `page` rows visible; `None` for actions that do not move. Every list and text view moves this way.
    pub fn moved(self, current: usize, last: usize, page: usize) -> Option<usize> {
        let half = (page / 2).max(1);
        Some(match self {
            Action::MoveUp => current.saturating_sub(1),
            Action::MoveDown => (current + 1).min(last),
            Action::PageUp => current.saturating_sub(page),
            Action::PageDown => (current + page).min(last),
            Action::HalfPageUp => current.saturating_sub(half),
            Action::HalfPageDown => (current + half).min(last),
            Action::Top => 0,
            Action::Bottom => last,
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn movements_stay_between_zero_and_last() {
        assert_eq!(Action::MoveDown.moved(9, 9, 5), Some(9));
        assert_eq!(Action::PageUp.moved(3, 9, 5), Some(0));
        assert_eq!(Action::HalfPageDown.moved(0, 9, 5), Some(2));
        assert_eq!(Action::HalfPageDown.moved(0, 9, 1), Some(1), "half of one row still moves");
        assert_eq!(Action::Bottom.moved(0, 9, 5), Some(9));
        assert_eq!(Action::Describe.moved(4, 9, 5), None);
    }

    #[test]
    fn names_are_unique_kebab_case_and_round_trip() {
        let mut seen = std::collections::HashSet::new();
        for &action in Action::ALL {
            assert!(seen.insert(action.name()), "{} twice", action.name());
            assert!(action.name().chars().all(|c| c.is_ascii_lowercase() || c == '-'), "{}", action.name());
            assert_eq!(Action::from_name(action.name()), Some(action));
            assert!(!action.description().is_empty());
        }
    }
}
