//! Themes: the styles every view draws with, by role.
//!
//! A theme comes from a YAML file: fluxtui's own format (`themes/README.md`) or a k9s skin. The built-in themes
//! are compiled in, so the installed binary needs no files; the user's own live in `<config dir>/themes/`. The
//! views only ever see a [`Theme`]; where it came from is this module's business.

mod colors;
mod k9s;
mod load;
mod parse;
#[cfg(test)]
mod tests;

pub use colors::{ColorDialect, parse_color};
pub use load::{BUILTIN_THEMES, ThemeError, load_theme, load_theme_with, no_color_requested, parse_theme, theme_names};

use ratatui::style::{Color, Modifier, Style};

use crate::model::{Readiness, TextClass};

/// Every style a view uses, by role.
#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    pub name: String,
    /// The screen's background and default text.
    pub body: Style,
    /// Pane borders.
    pub frame: Style,
    /// Pane titles (kind, namespace, counts).
    pub title: Style,
    /// The header lines above the panes: context, cluster, versions.
    pub header: Style,
    /// Header labels ("Context:").
    pub header_label: Style,
    /// Breadcrumbs: the current one and the others.
    pub crumb_active: Style,
    pub crumb: Style,
    /// The table's header row.
    pub table_header: Style,
    /// The selected row.
    pub selected: Style,
    /// Key names in help and footer hints.
    pub key: Style,
    /// Secondary text: hints, ages, "-".
    pub muted: Style,
    /// The filter and command lines.
    pub prompt: Style,
    /// The disconnected banner and other errors.
    pub error: Style,
    pub warning: Style,
    pub ready: Style,
    pub failed: Style,
    pub reconciling: Style,
    pub suspended: Style,
    pub unknown: Style,
    pub yaml_key: Style,
    pub yaml_string: Style,
    pub yaml_number: Style,
    pub yaml_boolean: Style,
    pub yaml_null: Style,
    pub yaml_comment: Style,
    pub masked: Style,
}

/// Lists every role once: its field and the name theme files use. From that one list come the role lookups
/// and [`Theme::styles_mut`], whose destructuring (no `..`) turns a field added to [`Theme`] but not listed here
/// into a compile error.
macro_rules! roles {
    ($($field:ident => $name:literal,)+) => {
        /// Every role a theme file may set, in the order of the struct (and of `themes/README.md`).
        pub const ROLE_NAMES: &[&str] = &[$($name,)+];

        impl Theme {
            /// A role's style by its theme-file name.
            pub fn role(&self, name: &str) -> Option<Style> {
                match name {
                    $($name => Some(self.$field),)+
                    _ => None,
                }
            }

            pub fn role_mut(&mut self, name: &str) -> Option<&mut Style> {
                match name {
                    $($name => Some(&mut self.$field),)+
                    _ => None,
                }
            }

            fn styles_mut(&mut self) -> Vec<&mut Style> {
                let Theme { name: _, $($field,)+ } = self;
                vec![$($field,)+]
            }
        }
    };
}

roles! {
    body => "body",
    frame => "frame",
    title => "title",
    header => "header",
    header_label => "header-label",
    crumb_active => "crumb-active",
    crumb => "crumb",
    table_header => "table-header",
    selected => "selected",
    key => "key",
    muted => "muted",
    prompt => "prompt",
    error => "error",
    warning => "warning",
    ready => "ready",
    failed => "failed",
    reconciling => "reconciling",
    suspended => "suspended",
    unknown => "unknown",
    yaml_key => "yaml-key",
    yaml_string => "yaml-string",
    yaml_number => "yaml-number",
    yaml_boolean => "yaml-boolean",
    yaml_null => "yaml-null",
    yaml_comment => "yaml-comment",
    masked => "masked",
}

impl Theme {
    pub fn readiness(&self, readiness: Readiness) -> Style {
        match readiness {
            Readiness::Ready => self.ready,
            Readiness::Failed => self.failed,
            Readiness::Reconciling => self.reconciling,
            Readiness::Suspended => self.suspended,
            Readiness::Unknown => self.unknown,
        }
    }

    pub fn text(&self, class: TextClass) -> Style {
        match class {
            TextClass::Plain | TextClass::Value => self.body,
            TextClass::Heading => self.title,
            TextClass::Key => self.yaml_key,
            TextClass::String => self.yaml_string,
            TextClass::Number => self.yaml_number,
            TextClass::Boolean => self.yaml_boolean,
            TextClass::Null => self.yaml_null,
            TextClass::Comment => self.yaml_comment,
            TextClass::Punctuation | TextClass::Muted => self.muted,
            TextClass::Masked => self.masked,
            // A diff's additions and removals take the theme's good and bad colours, as git's green and red.
            TextClass::Ready | TextClass::Added => self.ready,
            TextClass::Failed | TextClass::Removed => self.failed,
            TextClass::Reconciling => self.reconciling,
            TextClass::Suspended => self.suspended,
        }
    }

    /// The built-in dark theme, used when no theme file is chosen or a chosen one cannot be read.
    pub fn default_dark() -> Theme {
        let fg = Color::Rgb(0xd0, 0xd7, 0xde);
        Theme {
            name: "default".to_string(),
            body: Style::new().fg(fg),
            frame: Style::new().fg(Color::Rgb(0x3b, 0x82, 0xc4)),
            title: Style::new().fg(Color::Rgb(0x5f, 0xd7, 0xff)).add_modifier(Modifier::BOLD),
            header: Style::new().fg(fg),
            header_label: Style::new().fg(Color::Rgb(0xff, 0xaf, 0x00)),
            crumb_active: Style::new().fg(Color::Black).bg(Color::Rgb(0xff, 0xaf, 0x00)),
            crumb: Style::new().fg(Color::Black).bg(Color::Rgb(0x5f, 0x87, 0xaf)),
            table_header: Style::new().fg(Color::White).add_modifier(Modifier::BOLD),
            selected: Style::new().fg(Color::Black).bg(Color::Rgb(0x5f, 0xd7, 0xff)),
            key: Style::new().fg(Color::Rgb(0x5f, 0xd7, 0xff)).add_modifier(Modifier::BOLD),
            muted: Style::new().fg(Color::Rgb(0x80, 0x80, 0x80)),
            prompt: Style::new().fg(Color::Rgb(0xff, 0xaf, 0x00)),
            error: Style::new().fg(Color::White).bg(Color::Rgb(0xaf, 0x00, 0x00)).add_modifier(Modifier::BOLD),
            warning: Style::new().fg(Color::Rgb(0xff, 0xaf, 0x00)),
            ready: Style::new().fg(Color::Rgb(0x5f, 0xd7, 0x87)),
            failed: Style::new().fg(Color::Rgb(0xff, 0x5f, 0x5f)),
            reconciling: Style::new().fg(Color::Rgb(0xff, 0xd7, 0x5f)),
            suspended: Style::new().fg(Color::Rgb(0x87, 0x87, 0xaf)),
            unknown: Style::new().fg(Color::Rgb(0x80, 0x80, 0x80)),
            yaml_key: Style::new().fg(Color::Rgb(0x5f, 0xaf, 0xff)),
            yaml_string: Style::new().fg(Color::Rgb(0xaf, 0xd7, 0x87)),
            yaml_number: Style::new().fg(Color::Rgb(0xd7, 0x87, 0xff)),
            yaml_boolean: Style::new().fg(Color::Rgb(0xff, 0xaf, 0x5f)),
            yaml_null: Style::new().fg(Color::Rgb(0x80, 0x80, 0x80)),
            yaml_comment: Style::new().fg(Color::Rgb(0x80, 0x80, 0x80)).add_modifier(Modifier::ITALIC),
            masked: Style::new().fg(Color::Rgb(0xff, 0x5f, 0x5f)),
        }
    }

    /// The same theme without a single colour, for `NO_COLOR` (no-color.org): bold, italic and the other
    /// modifiers stay. A role that stood out by its background (the selected row, the active crumb, the error
    /// banner) is drawn reversed instead, so the cursor does not vanish with the colours.
    pub fn without_colors(mut self) -> Theme {
        for style in self.styles_mut() {
            let mut plain = Style::new().add_modifier(style.add_modifier).remove_modifier(style.sub_modifier);
            if style.bg.is_some_and(|bg| bg != Color::Reset) {
                plain = plain.add_modifier(Modifier::REVERSED);
            }
            *style = plain;
        }
        self
    }
}

#[cfg(test)]
mod role_tests {
    use super::*;

    #[test]
    fn every_role_name_reaches_its_own_field() {
        let mut theme = Theme::default_dark();
        for (index, name) in ROLE_NAMES.iter().enumerate() {
            let marker = Style::new().fg(Color::Indexed(index as u8));
            *theme.role_mut(name).expect("a role") = marker;
            assert_eq!(theme.role(name), Some(marker));
        }
        let mut seen: Vec<Style> = theme.styles_mut().into_iter().map(|style| *style).collect();
        assert_eq!(seen.len(), ROLE_NAMES.len());
        seen.dedup();
        assert_eq!(seen.len(), ROLE_NAMES.len(), "two role names share a field");
        assert_eq!(theme.role("no-such-role"), None);
    }

    #[test]
    fn without_colors_keeps_modifiers_and_reverses_highlights() {
        let theme = Theme::default_dark().without_colors();
        let mut copy = theme.clone();
        for style in copy.styles_mut() {
            assert_eq!((style.fg, style.bg), (None, None));
        }
        assert!(theme.title.add_modifier.contains(Modifier::BOLD));
        assert!(theme.yaml_comment.add_modifier.contains(Modifier::ITALIC));
        assert!(theme.selected.add_modifier.contains(Modifier::REVERSED));
        assert!(!theme.body.add_modifier.contains(Modifier::REVERSED));
    }
}
