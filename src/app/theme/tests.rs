//! Loading themes end to end: the shipped files, user files, k9s skins, and every way a file can be wrong.

use ratatui::style::{Color, Modifier, Style};

use super::*;
use crate::app::config::ConfigDirs;

fn user_dirs(files: &[(&str, &str)]) -> (tempfile::TempDir, ConfigDirs) {
    let dir = tempfile::tempdir().expect("temporary directory");
    std::fs::create_dir_all(dir.path().join("themes")).expect("themes dir");
    for (name, text) in files {
        std::fs::write(dir.path().join("themes").join(name), text).expect("written");
    }
    let dirs = ConfigDirs::at(dir.path());
    (dir, dirs)
}

#[test]
fn every_shipped_theme_loads() {
    for (name, text) in BUILTIN_THEMES {
        let theme = parse_theme(name, &format!("themes/{name}.yaml"), text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(theme.name, *name);
        let (loaded, error) = load_theme_with(name, &ConfigDirs::none(), false);
        assert!(error.is_none(), "{error:?}");
        assert_eq!(loaded, theme);
    }
    assert_eq!(theme_names(&ConfigDirs::none()), ["default", "light", "solarized-dark", "high-contrast", "monochrome"]);
}

#[test]
fn the_default_file_is_the_built_in_dark_theme() {
    let (theme, error) = load_theme_with("default", &ConfigDirs::none(), false);
    assert!(error.is_none());
    assert_eq!(theme, Theme::default_dark());
}

#[test]
fn monochrome_has_no_colours() {
    let (mut theme, _) = load_theme_with("monochrome", &ConfigDirs::none(), false);
    for style in theme.styles_mut() {
        assert_eq!((style.fg, style.bg), (None, None));
    }
    assert!(theme.selected.add_modifier.contains(Modifier::REVERSED));
}

#[test]
fn a_partial_user_theme_inherits_the_rest() {
    let (_dir, dirs) = user_dirs(&[
        ("mine.yaml", "styles:\n  ready: { fg: lime, bold: true }\n"),
        ("bright.yml", "extends: light\nstyles:\n  failed: { fg: 196 }\n"),
    ]);
    let (mine, error) = load_theme_with("mine", &dirs, false);
    assert!(error.is_none(), "{error:?}");
    assert_eq!(mine.name, "mine");
    assert_eq!(mine.ready, Style::new().fg(Color::Rgb(0, 0xff, 0)).add_modifier(Modifier::BOLD));
    assert_eq!(mine.failed, Theme::default_dark().failed);

    let (bright, error) = load_theme_with("bright", &dirs, false);
    assert!(error.is_none(), "{error:?}");
    let light = load_theme_with("light", &dirs, false).0;
    assert_eq!(bright.failed, Style::new().fg(Color::Indexed(196)));
    assert_eq!(bright.ready, light.ready);
    assert_eq!(theme_names(&dirs)[5..], ["bright".to_string(), "mine".to_string()]);
}

#[test]
fn a_user_theme_may_replace_and_extend_a_built_in() {
    let (_dir, dirs) = user_dirs(&[
        ("default.yaml", "extends: default\nstyles:\n  body: { fg: white }\n"),
        ("other.yaml", "styles:\n  muted: { dim: true }\n"),
    ]);
    let (default, error) = load_theme_with("default", &dirs, false);
    assert!(error.is_none(), "{error:?}");
    assert_eq!(default.body, Style::new().fg(Color::White));
    assert_eq!(default.title, Theme::default_dark().title);
    // Other themes inherit from the user's default.
    let (other, error) = load_theme_with("other", &dirs, false);
    assert!(error.is_none(), "{error:?}");
    assert_eq!(other.body, Style::new().fg(Color::White));
    assert_eq!(theme_names(&dirs).len(), BUILTIN_THEMES.len() + 1);
}

fn expect_invalid(text: &str) -> SourcePositionView {
    match parse_theme("broken", "broken.yaml", text) {
        Err(ThemeError::Invalid { position, message }) => SourcePositionView {
            display: format!("{position}: {message}"),
            line: position.line,
            column: position.column,
        },
        other => panic!("expected an invalid theme, got {other:?}"),
    }
}

struct SourcePositionView {
    display: String,
    line: Option<u64>,
    column: Option<u64>,
}

#[test]
fn a_bad_theme_names_file_line_and_column() {
    let unknown_role = expect_invalid("styles:\n  body: { fg: red }\n  bodyy: { fg: red }\n");
    assert_eq!(unknown_role.line, Some(3), "{}", unknown_role.display);
    assert!(unknown_role.display.starts_with("broken.yaml:3:"), "{}", unknown_role.display);
    assert!(unknown_role.display.contains("unknown role `bodyy`"), "{}", unknown_role.display);

    let bad_color = expect_invalid("styles:\n  body:\n    fg: blurple\n");
    assert_eq!((bad_color.line, bad_color.column), (Some(3), Some(9)), "{}", bad_color.display);
    assert!(bad_color.display.contains("`blurple` is not a colour"), "{}", bad_color.display);

    let bad_key = expect_invalid("styles:\n  body: { fg: red, blink: true }\n");
    assert_eq!(bad_key.line, Some(2), "{}", bad_key.display);

    let syntax = expect_invalid("styles:\n  body: { fg: red\n  frame: {}\n");
    assert!(syntax.line.is_some(), "{}", syntax.display);
    assert!(syntax.display.starts_with("broken.yaml:"), "{}", syntax.display);

    let unknown_parent = expect_invalid("\nextends: nothing\n");
    assert_eq!(unknown_parent.line, Some(2), "{}", unknown_parent.display);
}

#[test]
fn a_bad_user_theme_falls_back_to_the_default() {
    let (_dir, dirs) = user_dirs(&[("bad.yaml", "styles:\n  title: { fg: \"#12\" }\n")]);
    let (theme, error) = load_theme_with("bad", &dirs, false);
    assert_eq!(theme, Theme::default_dark());
    let error = error.expect("an error");
    let position = error.position().expect("a position");
    assert!(position.file.ends_with("bad.yaml"), "{error}");
    assert_eq!(position.line, Some(2));

    let (theme, error) = load_theme_with("no-such-theme", &dirs, false);
    assert_eq!(theme, Theme::default_dark());
    assert!(matches!(error, Some(ThemeError::NotFound { .. })), "{error:?}");
}

#[test]
fn extends_loops_are_reported() {
    let (_dir, dirs) = user_dirs(&[("a.yaml", "extends: b\n"), ("b.yaml", "extends: a\n")]);
    let (theme, error) = load_theme_with("a", &dirs, false);
    assert_eq!(theme, Theme::default_dark());
    assert!(error.expect("an error").to_string().contains("leads back"));
}

#[test]
fn no_color_strips_every_theme() {
    let (_dir, dirs) = user_dirs(&[("bad.yaml", "nonsense: [")]);
    for name in ["default", "solarized-dark", "bad"] {
        let (mut theme, _) = load_theme_with(name, &dirs, true);
        for style in theme.styles_mut() {
            assert_eq!((style.fg, style.bg), (None, None), "{name}");
        }
        assert!(theme.title.add_modifier.contains(Modifier::BOLD), "{name}");
    }
}

const DRACULA: &str = include_str!("testdata/dracula.yaml");
const TRANSPARENT: &str = include_str!("testdata/transparent.yaml");

#[test]
fn a_k9s_skin_with_anchors_maps_onto_the_roles() {
    let theme = parse_theme("dracula", "dracula.yaml", DRACULA).unwrap_or_else(|e| panic!("{e}"));
    let purple = Color::Rgb(0xbd, 0x93, 0xf9);
    let background = Color::Rgb(0x28, 0x2a, 0x36);
    assert_eq!(theme.name, "dracula");
    assert_eq!(theme.body, Style::new().fg(Color::Rgb(0xf8, 0xf8, 0xf2)).bg(background));
    assert_eq!(theme.selected, Style::new().fg(background).bg(purple));
    assert_eq!(theme.key.fg, Some(Color::Rgb(0xff, 0x79, 0xc6)));
    assert_eq!(theme.reconciling.fg, Some(Color::Rgb(0xff, 0xb8, 0x6c)), "pendingColor");
    assert_eq!(theme.failed.fg, Some(Color::Rgb(0xff, 0x55, 0x55)));
    assert_eq!(theme.error, Style::new().fg(Color::Rgb(0xff, 0x55, 0x55)).add_modifier(Modifier::BOLD));
    assert_eq!(theme.yaml_key.fg, Some(Color::Rgb(0xff, 0x79, 0xc6)));
    // Roles keep their modifiers from the default theme.
    assert!(theme.title.add_modifier.contains(Modifier::BOLD));
}

#[test]
fn a_k9s_skin_reads_terminal_defaults_and_tcell_names() {
    let theme = parse_theme("transparent", "transparent.yaml", TRANSPARENT).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(theme.body, Style::new().fg(Color::Rgb(0x1e, 0x90, 0xff)).bg(Color::Reset));
    assert_eq!(theme.prompt.bg, Some(Color::Reset), "`-` is the terminal default");
    assert_eq!(theme.ready.fg, Some(Color::Indexed(14)), "aqua is tcell's palette 14");
    assert_eq!(theme.selected, Style::new().fg(Color::Indexed(0)).bg(Color::Indexed(14)));
    assert_eq!(theme.reconciling.fg, Some(Color::Rgb(0xad, 0xff, 0x2f)), "no pendingColor: modifyColor");
}

#[test]
fn a_k9s_skin_loads_from_the_themes_dir_or_a_path() {
    let (dir, dirs) = user_dirs(&[("dracula.yaml", DRACULA)]);
    assert!(theme_names(&dirs).contains(&"dracula".to_string()));
    let (by_name, error) = load_theme_with("dracula", &dirs, false);
    assert!(error.is_none(), "{error:?}");
    let path = dir.path().join("themes/dracula.yaml");
    let (by_path, error) = load_theme_with(&path.display().to_string(), &ConfigDirs::none(), false);
    assert!(error.is_none(), "{error:?}");
    assert_eq!(by_name, by_path);
    assert_eq!(by_path.name, "dracula");
}

#[test]
fn a_bad_k9s_colour_names_its_line() {
    let text = "k9s:\n  body:\n    fgColor: notacolor\n";
    match parse_theme("skin", "skin.yaml", text) {
        Err(error) => assert!(error.to_string().starts_with("skin.yaml:3:"), "{error}"),
        Ok(theme) => panic!("accepted {theme:?}"),
    }
}
