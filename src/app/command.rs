//! The `:` command line: parsing commands and aliases, and tab completion.

use super::pane::Pane;
use crate::api::FluxKind;

/// A parsed command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    ShowPane(Pane),
    ShowKind(FluxKind),
    ShowOverview,
    /// `:ns` alone opens the picker; `:ns all` (or `-A`, `*`) shows every namespace.
    Namespace(Option<String>),
    Context(Option<String>),
    Theme(Option<String>),
    Help,
    Quit,
    /// A keymap action by its command (`:delete`, `:reconcile --with-source`, `:actions`...).
    Act(crate::app::action::Action),
    /// `:graph` / `:deps`: the dependsOn graph around the selected object (every graph with `all`).
    Graph {
        everything: bool,
    },
    /// `:edit`: edit the selected object.
    Edit,
    /// `:events`: the events of every Flux object.
    Events,
    /// `:logs`: every Flux controller's log.
    Logs,
}

/// Words that name a pane, besides the kinds' own names.
const PANE_ALIASES: &[(&str, Pane)] = &[
    ("all", Pane::All),
    ("sources", Pane::Sources),
    ("source", Pane::Sources),
    ("src", Pane::Sources),
    ("notifications", Pane::Notifications),
    ("notification", Pane::Notifications),
    ("notif", Pane::Notifications),
    ("images", Pane::ImageAutomation),
    ("image", Pane::ImageAutomation),
    ("imageautomation", Pane::ImageAutomation),
    ("fav", Pane::Favorites),
    ("favs", Pane::Favorites),
    ("favorites", Pane::Favorites),
];

/// Extra kind aliases people type (the CRDs' short names are added from [`FluxKind::short_names`]).
const KIND_ALIASES: &[(&str, FluxKind)] = &[
    ("gr", FluxKind::GitRepository),
    ("git", FluxKind::GitRepository),
    ("oci", FluxKind::OciRepository),
    ("helmrepos", FluxKind::HelmRepository),
    ("chart", FluxKind::HelmChart),
    ("kustomization", FluxKind::Kustomization),
    ("kustomizations", FluxKind::Kustomization),
    ("helmrelease", FluxKind::HelmRelease),
    ("helmreleases", FluxKind::HelmRelease),
    ("imagepolicy", FluxKind::ImagePolicy),
    ("imagepolicies", FluxKind::ImagePolicy),
    ("imagerepository", FluxKind::ImageRepository),
    ("imagerepositories", FluxKind::ImageRepository),
    ("imageupdateautomation", FluxKind::ImageUpdateAutomation),
    ("imageupdateautomations", FluxKind::ImageUpdateAutomation),
];

const COMMAND_WORDS: &[&str] = &[
    "overview",
    "ns",
    "namespace",
    "ctx",
    "context",
    "theme",
    "help",
    "q",
    "quit",
    "tree",
    "trace",
    "diff",
    "values",
    "history",
    "pods",
    "events",
    "logs",
];

/// The write commands and the action log, with the flags `reconcile` takes as the flux CLI spells them.
const ACTION_WORDS: &[&str] = &["suspend", "resume", "reconcile", "delete", "actions"];

fn action_command(word: &str, argument: Option<&str>) -> Option<Result<Command, String>> {
    use crate::app::action::Action;
    let action = match (word, argument) {
        ("suspend", None) => Action::Suspend,
        ("resume", None) => Action::Resume,
        ("delete", None) => Action::Delete,
        ("actions" | "action-log", None) => Action::ShowActionLog,
        ("reconcile", None) => Action::Reconcile,
        ("reconcile", Some("--with-source")) => Action::ReconcileWithSource,
        ("reconcile", Some("--force")) => Action::ReconcileForce,
        ("reconcile", Some("--reset")) => Action::ReconcileReset,
        ("reconcile", Some(other)) => {
            return Some(Err(format!("reconcile takes --with-source, --force or --reset, not {other:?}")));
        }
        ("suspend" | "resume" | "delete" | "actions" | "action-log", Some(other)) => {
            return Some(Err(format!("{word} takes no argument, got {other:?}")));
        }
        _ => return None,
    };
    Some(Ok(Command::Act(action)))
}
/// The graph and edit commands' words, completed like the others.
const GRAPH_AND_EDIT_WORDS: &[&str] = &["graph", "deps", "edit"];

/// Every word a command may start with, for completion.
pub fn command_words() -> Vec<String> {
    let mut words: Vec<String> = COMMAND_WORDS.iter().map(|word| word.to_string()).collect();
    words.extend(ACTION_WORDS.iter().map(|word| word.to_string()));
    words.extend(GRAPH_AND_EDIT_WORDS.iter().map(|word| word.to_string()));
    words.extend(PANE_ALIASES.iter().map(|(word, _)| word.to_string()));
    words.extend(KIND_ALIASES.iter().map(|(word, _)| word.to_string()));
    for kind in FluxKind::ALL {
        words.push(kind.name().to_lowercase());
        words.push(kind.plural().to_string());
        words.extend(kind.short_names().iter().map(|name| name.to_string()));
    }
    words.sort();
    words.dedup();
    words
}

/// The kind a word names, with the same aliases as the `:` commands (`ks`, `hr`, `gitrepo`...); the headless
/// commands use it too.
pub fn kind_for(word: &str) -> Option<FluxKind> {
    KIND_ALIASES.iter().find(|(alias, _)| *alias == word).map(|(_, kind)| *kind).or_else(|| {
        FluxKind::ALL.into_iter().find(|kind| {
            kind.name().eq_ignore_ascii_case(word) || kind.plural() == word || kind.short_names().contains(&word)
        })
    })
}

/// Parses a command line (without the leading `:`).
pub fn parse(line: &str) -> Result<Command, String> {
    let mut words = line.split_whitespace();
    let Some(first) = words.next() else { return Err("empty command".to_string()) };
    let first = first.to_lowercase();
    let argument = words.next().map(str::to_string);
    if let Some(extra) = words.next() {
        return Err(format!("unexpected {extra:?} after {first}"));
    }
    if let Some(command) = action_command(&first, argument.as_deref()) {
        return command;
    }
    let command = match first.as_str() {
        "q" | "q!" | "quit" | "exit" => Command::Quit,
        "help" | "?" | "h" => Command::Help,
        "overview" | "ov" | "home" => Command::ShowOverview,
        "ns" | "namespace" | "namespaces" => Command::Namespace(argument.clone()),
        "ctx" | "context" | "contexts" => Command::Context(argument.clone()),
        "theme" | "themes" | "skin" => Command::Theme(argument.clone()),
        "tree" => Command::Act(super::action::Action::ShowTree),
        "trace" => Command::Act(super::action::Action::ShowTrace),
        "diff" => Command::Act(super::action::Action::ShowDiff),
        "values" | "history" => Command::Act(super::action::Action::ShowHelmDetails),
        "pods" | "po" => Command::Act(super::action::Action::ShowPods),
        "graph" | "deps" => match argument.as_deref() {
            None => Command::Graph { everything: false },
            Some("all" | "-A") => Command::Graph { everything: true },
            Some(other) => return Err(format!("{first} takes no argument or \"all\", got {other:?}")),
        },
        "edit" => Command::Edit,
        "events" | "event" | "ev" => Command::Events,
        "logs" | "log" => Command::Logs,
        word => {
            if let Some((_, pane)) = PANE_ALIASES.iter().find(|(alias, _)| *alias == word) {
                Command::ShowPane(*pane)
            } else if let Some(kind) = kind_for(word) {
                Command::ShowKind(kind)
            } else {
                return Err(format!("unknown command {word:?} (press ? for help)"));
            }
        }
    };
    let takes_argument = matches!(command, Command::Namespace(_) | Command::Context(_) | Command::Theme(_))
        || matches!(command, Command::Graph { .. });
    if !takes_argument && let Some(argument) = argument {
        return Err(format!("{first} takes no argument, got {argument:?}"));
    }
    Ok(command)
}

/// Completes the last word of `line`: the command word, or the argument of `ns`, `ctx` and `theme`.
/// Returns the completed line when exactly one candidate (or a longer common prefix) exists.
pub fn complete(line: &str, namespaces: &[String], contexts: &[String], themes: &[String]) -> Option<String> {
    let ends_with_space = line.ends_with(' ');
    let words: Vec<&str> = line.split_whitespace().collect();
    let (prefix_words, partial, candidates): (&[&str], &str, Vec<String>) = match (words.as_slice(), ends_with_space) {
        ([], _) => (&[], "", command_words()),
        ([word], false) => (&[], word, command_words()),
        ([command], true) | ([command, _], false) => {
            let partial = if ends_with_space { "" } else { words[1] };
            let candidates = match command.to_lowercase().as_str() {
                "ns" | "namespace" => std::iter::once("all".to_string()).chain(namespaces.iter().cloned()).collect(),
                "ctx" | "context" => contexts.to_vec(),
                "theme" | "skin" => themes.to_vec(),
                _ => return None,
            };
            (&words[..1], partial, candidates)
        }
        _ => return None,
    };
    let matching: Vec<&String> = candidates.iter().filter(|candidate| candidate.starts_with(partial)).collect();
    let first = matching.first()?;
    let common = matching.iter().fold(first.to_string(), |common, candidate| {
        common.chars().zip(candidate.chars()).take_while(|(a, b)| a == b).map(|(a, _)| a).collect()
    });
    let mut completed = prefix_words.join(" ");
    if !completed.is_empty() {
        completed.push(' ');
    }
    completed.push_str(&common);
    if matching.len() == 1 {
        completed.push(' ');
    }
    (completed != line).then_some(completed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_issue_aliases_parse() {
        let cases = [
            ("ks", Command::ShowKind(FluxKind::Kustomization)),
            ("hr", Command::ShowKind(FluxKind::HelmRelease)),
            ("gitrepo", Command::ShowKind(FluxKind::GitRepository)),
            ("gr", Command::ShowKind(FluxKind::GitRepository)),
            ("ocirepo", Command::ShowKind(FluxKind::OciRepository)),
            ("helmrepo", Command::ShowKind(FluxKind::HelmRepository)),
            ("hc", Command::ShowKind(FluxKind::HelmChart)),
            ("bucket", Command::ShowKind(FluxKind::Bucket)),
            ("alert", Command::ShowKind(FluxKind::Alert)),
            ("provider", Command::ShowKind(FluxKind::Provider)),
            ("receiver", Command::ShowKind(FluxKind::Receiver)),
            ("imagerepo", Command::ShowKind(FluxKind::ImageRepository)),
            ("imagepolicy", Command::ShowKind(FluxKind::ImagePolicy)),
            ("iua", Command::ShowKind(FluxKind::ImageUpdateAutomation)),
            ("ns flux-system", Command::Namespace(Some("flux-system".to_string()))),
            ("ctx", Command::Context(None)),
            ("fav", Command::ShowPane(Pane::Favorites)),
            ("q", Command::Quit),
        ];
        for (line, expected) in cases {
            assert_eq!(parse(line), Ok(expected), "{line}");
        }
        assert!(parse("nope").unwrap_err().contains("unknown command"));
        assert!(parse("ks extra").unwrap_err().contains("takes no argument"));
        use crate::app::action::Action;
        assert_eq!(parse("reconcile --with-source"), Ok(Command::Act(Action::ReconcileWithSource)));
        assert_eq!(parse("delete"), Ok(Command::Act(Action::Delete)));
        assert_eq!(parse("actions"), Ok(Command::Act(Action::ShowActionLog)));
        assert!(parse("reconcile --now").unwrap_err().contains("--with-source"));
    }

    #[test]
    fn completion_extends_words_and_arguments() {
        let namespaces = vec!["flux-system".to_string(), "apps".to_string()];
        assert_eq!(complete("kustomizat", &[], &[], &[]), Some("kustomization".to_string()));
        assert_eq!(complete("ns fl", &namespaces, &[], &[]), Some("ns flux-system ".to_string()));
        assert_eq!(complete("ctx ", &[], &["kind-dev".to_string()], &[]), Some("ctx kind-dev ".to_string()));
        assert_eq!(complete("zzz", &[], &[], &[]), None);
    }
}
