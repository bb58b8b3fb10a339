//! The shipped keymaps, chords, shift handling, layering and every way a keymap file can be wrong.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyEventState, KeyModifiers};

use super::*;
use crate::app::config::ConfigDirs;

fn press(keymap: &mut Keymap, code: KeyCode, modifiers: KeyModifiers) -> KeyOutcome {
    keymap.resolve(KeyEvent::new(code, modifiers))
}

fn char(keymap: &mut Keymap, c: char) -> KeyOutcome {
    press(keymap, KeyCode::Char(c), KeyModifiers::NONE)
}

fn builtin(name: &str) -> Keymap {
    let (keymap, error) = load_keymap(name, &ConfigDirs::none());
    assert!(error.is_none(), "{error:?}");
    keymap
}

fn user_dirs(files: &[(&str, &str)]) -> (tempfile::TempDir, ConfigDirs) {
    let dir = tempfile::tempdir().expect("temporary directory");
    std::fs::create_dir_all(dir.path().join("keymaps")).expect("keymaps dir");
    for (name, text) in files {
        std::fs::write(dir.path().join("keymaps").join(name), text).expect("written");
    }
    let dirs = ConfigDirs::at(dir.path());
    (dir, dirs)
}

#[test]
fn every_shipped_keymap_loads() {
    for (name, text) in BUILTIN_KEYMAPS {
        let keymap = parse_keymap(name, &format!("keymaps/{name}.yaml"), text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(keymap.name(), *name);
    }
    assert_eq!(keymap_names(&ConfigDirs::none()), ["default", "vim"]);
}

#[test]
fn every_action_is_bound_in_default_and_vim() {
    for name in ["default", "vim"] {
        let keymap = builtin(name);
        for (action, keys) in keymap.bindings() {
            assert!(!keys.is_empty(), "{name}: {} has no key", action.name());
        }
    }
}

#[test]
fn default_keys_resolve_to_their_actions() {
    let mut keymap = builtin("default");
    assert_eq!(press(&mut keymap, KeyCode::Char('c'), KeyModifiers::CONTROL), KeyOutcome::Action(Action::Quit));
    assert_eq!(char(&mut keymap, 'j'), KeyOutcome::Action(Action::MoveDown));
    assert_eq!(press(&mut keymap, KeyCode::Down, KeyModifiers::NONE), KeyOutcome::Action(Action::MoveDown));
    assert_eq!(char(&mut keymap, 'g'), KeyOutcome::Action(Action::Top));
    assert_eq!(char(&mut keymap, '0'), KeyOutcome::Action(Action::AllNamespaces));
    assert_eq!(char(&mut keymap, ':'), KeyOutcome::Action(Action::StartCommand));
    assert_eq!(char(&mut keymap, 'z'), KeyOutcome::Unbound);
    assert_eq!(keymap.keys_for(Action::HalfPageDown), ["ctrl-d"]);
    assert_eq!(keymap.keys_for(Action::Help), ["?"]);
    assert_eq!(keymap.keys_for(Action::PreviousTab), ["backtab", "["]);
}

#[test]
fn shifted_keys_match_whatever_the_terminal_reports() {
    let mut keymap = builtin("default");
    for modifiers in [KeyModifiers::SHIFT, KeyModifiers::NONE] {
        assert_eq!(press(&mut keymap, KeyCode::Char('A'), modifiers), KeyOutcome::Action(Action::SortByAge));
        assert_eq!(press(&mut keymap, KeyCode::Char('?'), modifiers), KeyOutcome::Action(Action::Help));
        assert_eq!(press(&mut keymap, KeyCode::BackTab, modifiers), KeyOutcome::Action(Action::PreviousTab));
    }
    assert_eq!(press(&mut keymap, KeyCode::Char('a'), KeyModifiers::NONE), KeyOutcome::Action(Action::ShowActionLog));
}

#[test]
fn chords_wait_for_their_next_key() {
    let mut keymap = builtin("vim");
    assert_eq!(char(&mut keymap, 'g'), KeyOutcome::Pending);
    assert_eq!(keymap.pending().as_deref(), Some("g"));
    assert_eq!(char(&mut keymap, 'g'), KeyOutcome::Action(Action::Top));
    assert_eq!(keymap.pending(), None);
    assert_eq!(char(&mut keymap, 'g'), KeyOutcome::Pending);
    assert_eq!(press(&mut keymap, KeyCode::Char('T'), KeyModifiers::SHIFT), KeyOutcome::Action(Action::PreviousTab));
    // A release or a lone modifier does not break the chord.
    assert_eq!(char(&mut keymap, 'Z'), KeyOutcome::Pending);
    let release = KeyEvent::new_with_kind_and_state(
        KeyCode::Char('Z'),
        KeyModifiers::NONE,
        KeyEventKind::Release,
        KeyEventState::NONE,
    );
    assert_eq!(keymap.resolve(release), KeyOutcome::Pending);
    let shift = KeyCode::Modifier(crossterm::event::ModifierKeyCode::LeftShift);
    assert_eq!(press(&mut keymap, shift, KeyModifiers::SHIFT), KeyOutcome::Pending);
    assert_eq!(char(&mut keymap, 'Z'), KeyOutcome::Action(Action::Quit));
    assert_eq!(keymap.keys_for(Action::Top), ["home", "g g"]);
    assert_eq!(keymap.keys_for(Action::Quit), ["ctrl-c", "q", "Z Z"]);
}

#[test]
fn a_key_that_breaks_a_chord_resets_it() {
    let mut keymap = builtin("vim");
    assert_eq!(char(&mut keymap, 'g'), KeyOutcome::Pending);
    assert_eq!(char(&mut keymap, 'x'), KeyOutcome::Unbound);
    assert_eq!(keymap.pending(), None);
    // The next key is read afresh.
    assert_eq!(char(&mut keymap, 'x'), KeyOutcome::Action(Action::RevealSecrets));
    assert_eq!(char(&mut keymap, 'g'), KeyOutcome::Pending);
    keymap.clear_pending();
    assert_eq!(char(&mut keymap, 'j'), KeyOutcome::Action(Action::MoveDown));
}

#[test]
fn a_user_keymap_wins_over_what_it_extends() {
    let (_dir, dirs) = user_dirs(&[(
        "mine.yaml",
        "extends: default\nbindings:\n  reveal-secrets: [ctrl-x]\n  quit: [x]\n  sort-by-kind: []\n  show-yaml: [g y]\n",
    )]);
    let (mut keymap, error) = load_keymap("mine", &dirs);
    assert!(error.is_none(), "{error:?}");
    assert_eq!(char(&mut keymap, 'x'), KeyOutcome::Action(Action::Quit));
    assert_eq!(keymap.keys_for(Action::RevealSecrets), ["ctrl-x"]);
    assert!(keymap.keys_for(Action::SortByKind).is_empty());
    // `g y` took `g` from top, which keeps its other key.
    assert_eq!(keymap.keys_for(Action::Top), ["home"]);
    assert_eq!(char(&mut keymap, 'g'), KeyOutcome::Pending);
    assert_eq!(char(&mut keymap, 'y'), KeyOutcome::Action(Action::ShowYaml));
    assert_eq!(keymap_names(&dirs), ["default", "vim", "mine"]);
}

#[test]
fn a_user_default_keymap_extends_the_built_in_one() {
    let (_dir, dirs) = user_dirs(&[("default.yaml", "extends: default\nbindings:\n  quit: [Q]\n")]);
    let (keymap, error) = load_keymap("default", &dirs);
    assert!(error.is_none(), "{error:?}");
    assert_eq!(keymap.keys_for(Action::Quit), ["Q"]);
    assert_eq!(keymap.keys_for(Action::MoveDown), ["down", "j"]);
}

#[test]
fn conflicts_in_one_file_name_both_lines() {
    let text = "bindings:\n  quit: [q]\n  move-down: [j]\n  back: [esc, q]\n";
    match parse_keymap("mine", "mine.yaml", text) {
        Err(error @ KeymapError::Conflict(_)) => {
            let message = error.to_string();
            assert!(message.starts_with("mine.yaml:4:"), "{message}");
            assert!(message.contains("`q` for back collides with `q` for quit at line 2"), "{message}");
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
    let prefix = parse_keymap("mine", "mine.yaml", "bindings:\n  top: [g g]\n  bottom: [g]\n");
    let error = prefix.expect_err("a prefix conflict");
    assert_eq!(error.position().and_then(|position| position.line), Some(3), "{error}");
}

#[test]
fn bad_keymaps_name_file_and_line_and_fall_back_to_default() {
    let cases = [
        ("bindings:\n  quit: [q]\n  jump: [J]\n", 3, "unknown action `jump`"),
        ("bindings:\n  quit: [q, ctrl-]\n", 2, "is not a key"),
        ("bindings:\n  quit: [q\n  help: [h]\n", 0, ""),
        ("bindings:\n  quit: [q]\nbinding:\n  help: [h]\n", 3, "binding"),
        ("extends: nothing\n", 1, "neither a built-in"),
    ];
    for (text, line, needle) in cases {
        let (_dir, dirs) = user_dirs(&[("bad.yaml", text)]);
        let (keymap, error) = load_keymap("bad", &dirs);
        assert_eq!(keymap.name(), "default");
        assert_eq!(keymap.bindings(), builtin("default").bindings());
        let error = error.expect("an error");
        let message = error.to_string();
        let position = error.position().expect("a position");
        assert!(position.file.ends_with("bad.yaml"), "{message}");
        if line > 0 {
            assert_eq!(position.line, Some(line), "{message}");
        } else {
            assert!(position.line.is_some(), "{message}");
        }
        assert!(message.contains(needle), "{message}");
    }
    let (_, error) = load_keymap("no-such-keymap", &ConfigDirs::none());
    assert!(matches!(error, Some(KeymapError::NotFound { .. })), "{error:?}");
}
